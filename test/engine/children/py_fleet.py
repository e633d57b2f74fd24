"""A Python writer of a mixed fleet, with the Python store's habits (tldr-swinton's
StateStore): a new sqlite3 connection per operation, PRAGMA journal_mode=WAL on each, the
deliveries upsert, commit, close. Prints "ack <i>" after each committed operation.

Usage: py_fleet.py <db> <prefix> <count>
"""
import sqlite3
import sys
from datetime import datetime, timezone

UPSERT = """INSERT INTO deliveries
  (session_id, symbol_id, etag, representation, vhs_ref, token_estimate, code_snapshot, last_accessed)
VALUES (?, ?, ?, 'full', NULL, NULL, ?, ?)
ON CONFLICT(session_id, symbol_id) DO UPDATE SET
  etag = excluded.etag, representation = excluded.representation, vhs_ref = excluded.vhs_ref,
  token_estimate = excluded.token_estimate, code_snapshot = excluded.code_snapshot,
  last_accessed = excluded.last_accessed"""


def main():
    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(count):
        # The store's own timeout would be 5 s; a generous one keeps a loaded machine from
        # turning a wait into a failure (a failure would be reported, not hidden, anyway).
        conn = sqlite3.connect(path, timeout=60)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:
                now = datetime.now(timezone.utc).isoformat()
                conn.execute(UPSERT, (prefix, "%s-%d" % (prefix, i), "e%d" % i, "def f%d(): pass" % i, now))
        finally:
            conn.close()
        print("ack %d" % i, flush=True)
    print("done", flush=True)


main()
