"""Stand-in for the Python tldr-swinton store's habits in interop tests: a new sqlite3
connection per operation, each running PRAGMA journal_mode=WAL, CREATE TABLE IF NOT EXISTS.

Usage: py_store.py <command> <db> [arg]
  create <db> full|old   make the store (old: without stored_size, compression, code_snapshot)
  write <db> <id>        add session <id> (and an object row) in one connection, then close
  read <db>              print JSON: session ids, user_version, columns, integrity_check
  hold <db> <id>         add session <id>, commit, print "ready", keep the connection open
                         (the rows sit in the -wal) until a line on stdin, then close
  hold-read <db>         open in WAL mode, read, print "ready", wait for a line, close
  hold-journal <db> <id> rollback-journal mode: BEGIN, insert <id> (a -journal exists),
                         print "ready", wait for a line, then COMMIT and close
  checkpoint <db>        PRAGMA wal_checkpoint(TRUNCATE), as the engine's error message advises
"""
import json
import sqlite3
import sys
from datetime import datetime, timezone

FULL = """
CREATE TABLE IF NOT EXISTS objects (
  hash TEXT PRIMARY KEY, size INTEGER NOT NULL,
  stored_size INTEGER NOT NULL DEFAULT 0, compression TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL, last_accessed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, last_accessed TEXT NOT NULL,
  repo_fingerprint TEXT NOT NULL, default_language TEXT);
CREATE TABLE IF NOT EXISTS deliveries (
  session_id TEXT NOT NULL, symbol_id TEXT NOT NULL, etag TEXT NOT NULL,
  representation TEXT NOT NULL, vhs_ref TEXT, token_estimate INTEGER,
  code_snapshot TEXT, last_accessed TEXT NOT NULL,
  PRIMARY KEY(session_id, symbol_id));
CREATE INDEX IF NOT EXISTS idx_deliveries_last_accessed ON deliveries(last_accessed);
CREATE INDEX IF NOT EXISTS idx_objects_last_accessed ON objects(last_accessed);
"""

OLD = """
CREATE TABLE IF NOT EXISTS objects (
  hash TEXT PRIMARY KEY, size INTEGER NOT NULL,
  created_at TEXT NOT NULL, last_accessed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, last_accessed TEXT NOT NULL,
  repo_fingerprint TEXT NOT NULL, default_language TEXT);
CREATE TABLE IF NOT EXISTS deliveries (
  session_id TEXT NOT NULL, symbol_id TEXT NOT NULL, etag TEXT NOT NULL,
  representation TEXT NOT NULL, vhs_ref TEXT, token_estimate INTEGER,
  last_accessed TEXT NOT NULL,
  PRIMARY KEY(session_id, symbol_id));
"""


def now():
    return datetime.now(timezone.utc).isoformat()


def connect(path, ddl=None):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    if ddl:
        conn.executescript(ddl)
    return conn


def add_session(conn, sid):
    ts = now()
    conn.execute("INSERT INTO sessions VALUES (?, ?, ?, 'py-fp', 'python')", (sid, ts, ts))
    conn.execute("INSERT OR IGNORE INTO objects (hash, size, created_at, last_accessed) VALUES (?, 3, ?, ?)", (sid.encode().hex().ljust(64, "0")[:64], ts, ts))
    conn.commit()


def wait_line():
    print("ready", flush=True)
    sys.stdin.readline()


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    if cmd == "create":
        conn = connect(path, FULL if arg == "full" else OLD)
        add_session(conn, "py-1")
        ts = now()
        conn.execute("INSERT INTO deliveries (session_id, symbol_id, etag, representation, last_accessed) VALUES ('py-1', 'mod.fn', 'e1', 'full', ?)", (ts,))
        conn.commit()
        conn.close()
    elif cmd == "write":
        conn = connect(path, FULL)
        add_session(conn, arg)
        conn.close()
    elif cmd == "read":
        conn = connect(path)
        out = {
            "sessions": [r[0] for r in conn.execute("SELECT session_id FROM sessions ORDER BY 1")],
            "user_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "columns": {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in ("objects", "deliveries")},
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
        }
        conn.close()
        print(json.dumps(out))
    elif cmd == "hold":
        conn = connect(path, FULL)
        add_session(conn, arg)
        wait_line()
        conn.close()
        print("closed", flush=True)
    elif cmd == "hold-read":
        conn = connect(path)
        conn.execute("SELECT count(*) FROM sessions").fetchone()
        wait_line()
        conn.close()
    elif cmd == "hold-journal":
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("BEGIN IMMEDIATE")
        ts = now()
        conn.execute("INSERT INTO sessions VALUES (?, ?, ?, 'py-fp', NULL)", (arg, ts, ts))
        wait_line()
        conn.execute("COMMIT")
        conn.close()
        print("closed", flush=True)
    elif cmd == "checkpoint":
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        conn.close()
    else:
        raise SystemExit(f"unknown command {cmd}")


main()
