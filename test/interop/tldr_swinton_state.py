#!/usr/bin/env python3
"""A stand-in for the Python tldr-swinton store's state half (state_store.py), for
interop tests. It keeps the habits DESIGN section 2 lists, since those are what a
TypeScript writer must coexist with:

- a new sqlite3 connection per operation, each running PRAGMA journal_mode=WAL, closed
  when the operation ends (CPython frees the real store's connections the same way);
- CREATE TABLE IF NOT EXISTS on open, and the code_snapshot column added to an older file;
- sessions: INSERT OR IGNORE, then UPDATE last_accessed;
- deliveries upserted with ON CONFLICT(session_id, symbol_id) DO UPDATE;
- code_snapshot kept only for representations full and incremental;
- only full and vhs_ref deliveries with an equal etag count as unchanged;
- timestamps from datetime.now(timezone.utc).isoformat() (no microseconds when zero);
- cleanup parses timestamps with datetime.fromisoformat (unparseable counts as expired)
  and removes expired sessions with their deliveries (not other old deliveries: that
  is a tldrs addition).

Usage (every command prints one JSON value on stdout):
  tldr_swinton_state.py STORE open-session SESSION FINGERPRINT [LANGUAGE]
  tldr_swinton_state.py STORE record SESSION JSON_LIST     (objects with symbol_id, etag,
                                                            representation, vhs_ref,
                                                            token_estimate, code_snapshot)
  tldr_swinton_state.py STORE get SESSION SYMBOL
  tldr_swinton_state.py STORE previous-code SESSION SYMBOL
  tldr_swinton_state.py STORE delta SESSION JSON_OBJECT    (symbol_id -> etag)
  tldr_swinton_state.py STORE cleanup TTL_SECONDS
  tldr_swinton_state.py STORE stats SESSION
STORE is the .tldrs folder itself.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

SNAPSHOT_REPRESENTATIONS = ("full", "incremental")
UNCHANGED_REPRESENTATIONS = ("full", "vhs_ref")


class StateStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "tldrs_state.db"
        self._init_db()

    @contextlib.contextmanager
    def _conn(self):
        conn = sqlite3.connect(self.db_path)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:  # commits on success, rolls back on error
                yield conn
        finally:
            conn.close()

    @staticmethod
    def _now() -> str:
        return datetime.now(timezone.utc).isoformat()

    def _init_db(self) -> None:
        with self._conn() as conn:
            conn.execute(
                """CREATE TABLE IF NOT EXISTS sessions (
                    session_id TEXT PRIMARY KEY, created_at TEXT NOT NULL,
                    last_accessed TEXT NOT NULL, repo_fingerprint TEXT NOT NULL,
                    default_language TEXT)"""
            )
            conn.execute(
                """CREATE TABLE IF NOT EXISTS deliveries (
                    session_id TEXT NOT NULL, symbol_id TEXT NOT NULL, etag TEXT NOT NULL,
                    representation TEXT NOT NULL, vhs_ref TEXT, token_estimate INTEGER,
                    code_snapshot TEXT, last_accessed TEXT NOT NULL,
                    PRIMARY KEY(session_id, symbol_id))"""
            )
            columns = {row[1] for row in conn.execute("PRAGMA table_info(deliveries)")}
            if "code_snapshot" not in columns:
                conn.execute("ALTER TABLE deliveries ADD COLUMN code_snapshot TEXT")
            conn.execute(
                "CREATE INDEX IF NOT EXISTS idx_deliveries_last_accessed ON deliveries(last_accessed)"
            )

    def open_session(self, session_id: str, repo_fingerprint: str, default_language: str | None = None) -> None:
        now = self._now()
        with self._conn() as conn:
            conn.execute(
                """INSERT OR IGNORE INTO sessions
                   (session_id, created_at, last_accessed, repo_fingerprint, default_language)
                   VALUES (?, ?, ?, ?, ?)""",
                (session_id, now, now, repo_fingerprint, default_language),
            )
            conn.execute("UPDATE sessions SET last_accessed = ? WHERE session_id = ?", (now, session_id))

    def record_deliveries_batch(self, session_id: str, deliveries: list[dict]) -> None:
        now = self._now()
        with self._conn() as conn:
            conn.executemany(
                """INSERT INTO deliveries
                   (session_id, symbol_id, etag, representation, vhs_ref, token_estimate,
                    code_snapshot, last_accessed)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(session_id, symbol_id) DO UPDATE SET
                       etag = excluded.etag,
                       representation = excluded.representation,
                       vhs_ref = excluded.vhs_ref,
                       token_estimate = excluded.token_estimate,
                       code_snapshot = excluded.code_snapshot,
                       last_accessed = excluded.last_accessed""",
                [
                    (
                        session_id,
                        d["symbol_id"],
                        d["etag"],
                        d["representation"],
                        d.get("vhs_ref"),
                        d.get("token_estimate"),
                        d.get("code_snapshot") if d["representation"] in SNAPSHOT_REPRESENTATIONS else None,
                        now,
                    )
                    for d in deliveries
                ],
            )

    def get_delivery(self, session_id: str, symbol_id: str) -> dict | None:
        keys = ["session_id", "symbol_id", "etag", "representation", "vhs_ref",
                "token_estimate", "code_snapshot", "last_accessed"]
        with self._conn() as conn:
            row = conn.execute(
                f"SELECT {', '.join(keys)} FROM deliveries WHERE session_id = ? AND symbol_id = ?",
                (session_id, symbol_id),
            ).fetchone()
        return dict(zip(keys, row)) if row else None

    def get_previous_code(self, session_id: str, symbol_id: str) -> str | None:
        with self._conn() as conn:
            row = conn.execute(
                "SELECT code_snapshot, representation FROM deliveries WHERE session_id = ? AND symbol_id = ?",
                (session_id, symbol_id),
            ).fetchone()
        if not row or row[1] not in SNAPSHOT_REPRESENTATIONS:
            return None
        return row[0]

    def check_delta(self, session_id: str, symbol_etags: dict[str, str]) -> dict:
        unchanged: set[str] = set()
        changed: set[str] = set()
        rehydrate: dict[str, str] = {}
        ids = list(symbol_etags)
        cached: dict[str, tuple] = {}
        with self._conn() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                rows = conn.execute(
                    f"""SELECT symbol_id, etag, representation, vhs_ref FROM deliveries
                        WHERE session_id = ? AND symbol_id IN ({','.join('?' for _ in chunk)})""",
                    (session_id, *chunk),
                ).fetchall()
                cached.update((r[0], r[1:]) for r in rows)
        for symbol_id, etag in symbol_etags.items():
            hit = cached.get(symbol_id)
            if hit and hit[0] == etag and hit[1] in UNCHANGED_REPRESENTATIONS:
                unchanged.add(symbol_id)
                if hit[2]:
                    rehydrate[symbol_id] = hit[2]
            else:
                changed.add(symbol_id)
        return {"unchanged": sorted(unchanged), "changed": sorted(changed), "rehydrate": rehydrate}

    def cleanup_expired(self, ttl_seconds: float) -> dict:
        cutoff = datetime.now(timezone.utc).timestamp() - ttl_seconds

        def expired(value: str) -> bool:
            try:
                return datetime.fromisoformat(value).timestamp() < cutoff
            except Exception:
                return True

        deleted_sessions = 0
        deleted_deliveries = 0
        with self._conn() as conn:
            rows = conn.execute("SELECT session_id, last_accessed FROM sessions").fetchall()
            for session_id, last_accessed in rows:
                if not expired(last_accessed):
                    continue
                deleted_deliveries += conn.execute(
                    "DELETE FROM deliveries WHERE session_id = ?", (session_id,)
                ).rowcount
                deleted_sessions += conn.execute(
                    "DELETE FROM sessions WHERE session_id = ?", (session_id,)
                ).rowcount
        return {"sessions": deleted_sessions, "deliveries": deleted_deliveries}

    def get_session_stats(self, session_id: str) -> dict:
        with self._conn() as conn:
            count, tokens = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(token_estimate), 0) FROM deliveries WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            session = conn.execute(
                "SELECT created_at, last_accessed, repo_fingerprint FROM sessions WHERE session_id = ?",
                (session_id,),
            ).fetchone()
        return {
            "session_id": session_id,
            "delivery_count": count,
            "total_tokens_delivered": tokens,
            "created_at": session[0] if session else None,
            "last_accessed": session[1] if session else None,
            "repo_fingerprint": session[2] if session else None,
        }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    store = StateStore(Path(argv[0]))
    command, args = argv[1], argv[2:]
    if command == "open-session":
        store.open_session(args[0], args[1], args[2] if len(args) > 2 else None)
        result: object = store.get_session_stats(args[0])
    elif command == "record":
        store.record_deliveries_batch(args[0], json.loads(args[1]))
        result = {"recorded": len(json.loads(args[1]))}
    elif command == "get":
        result = store.get_delivery(args[0], args[1])
    elif command == "previous-code":
        result = store.get_previous_code(args[0], args[1])
    elif command == "delta":
        result = store.check_delta(args[0], json.loads(args[1]))
    elif command == "cleanup":
        result = store.cleanup_expired(float(args[0]))
    elif command == "stats":
        result = store.get_session_stats(args[0])
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
