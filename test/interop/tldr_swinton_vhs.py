#!/usr/bin/env python3
"""A stand-in for the VHS half of the Python tldr-swinton store, for interop tests.

It does what that store does, habit for habit (DESIGN section 2):
- a new sqlite3 connection per operation, each running PRAGMA journal_mode=WAL;
- CREATE TABLE IF NOT EXISTS objects (and the columns older stores lack) on open;
- uploads written to tmp/upload-<pid>-<random>, moved into place with os.replace only if
  the blob is absent, then INSERT OR IGNORE of the row;
- zlib level 6 when compressing (by flag, or when the size reaches a threshold);
- has, info and get update last_accessed;
- timestamps from datetime.now(timezone.utc).isoformat().

CLI (prints JSON unless the command returns bytes):
  tldr_swinton_vhs.py --root DIR put [--compress] [--compress-min-bytes N] FILE|-
  tldr_swinton_vhs.py --root DIR get REF [--out PATH]
  tldr_swinton_vhs.py --root DIR info REF
  tldr_swinton_vhs.py --root DIR has REF
  tldr_swinton_vhs.py --root DIR ls [--limit N]
  tldr_swinton_vhs.py --root DIR stats
"""

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import zlib
from datetime import datetime, timezone
from pathlib import Path

SCHEME = "vhs://"
DB_NAME = "tldrs_state.db"


class Store:
    def __init__(self, root):
        self.root = Path(root).expanduser().resolve()
        self.blob_root = self.root / "blobs"
        self.db_path = self.root / DB_NAME
        self.root.mkdir(parents=True, exist_ok=True)
        self.blob_root.mkdir(parents=True, exist_ok=True)
        with self._conn() as conn:
            conn.execute(
                """
                CREATE TABLE IF NOT EXISTS objects (
                    hash TEXT PRIMARY KEY,
                    size INTEGER NOT NULL,
                    stored_size INTEGER NOT NULL DEFAULT 0,
                    compression TEXT NOT NULL DEFAULT '',
                    created_at TEXT NOT NULL,
                    last_accessed TEXT NOT NULL
                )
                """
            )
            cols = {row[1] for row in conn.execute("PRAGMA table_info(objects)")}
            if "stored_size" not in cols:
                conn.execute("ALTER TABLE objects ADD COLUMN stored_size INTEGER NOT NULL DEFAULT 0")
            if "compression" not in cols:
                conn.execute("ALTER TABLE objects ADD COLUMN compression TEXT NOT NULL DEFAULT ''")
            conn.execute("UPDATE objects SET stored_size = size WHERE stored_size = 0")

    @contextlib.contextmanager
    def _conn(self):
        # One connection per operation, closed at its end (the last close checkpoints the WAL).
        conn = sqlite3.connect(self.db_path)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:
                yield conn
        finally:
            conn.close()

    def _now(self):
        return datetime.now(timezone.utc).isoformat()

    def _blob_path(self, hash_hex):
        return self.blob_root / hash_hex[:2] / hash_hex[2:4] / hash_hex

    def _touch(self, hash_hex):
        with self._conn() as conn:
            conn.execute("UPDATE objects SET last_accessed = ? WHERE hash = ?", (self._now(), hash_hex))

    def put(self, stream, compress=False, compress_min_bytes=None):
        hasher = hashlib.sha256()
        size = 0
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        raw_path = tmp_dir / f"upload-raw-{os.getpid()}-{os.urandom(6).hex()}"
        with raw_path.open("wb") as tmp:
            for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                hasher.update(chunk)
                tmp.write(chunk)
                size += len(chunk)
        do_compress = compress or (compress_min_bytes is not None and size >= compress_min_bytes)
        compression = "zlib" if do_compress else ""
        temp_path = raw_path
        if do_compress:
            comp_path = tmp_dir / f"upload-{os.getpid()}-{os.urandom(6).hex()}"
            compressor = zlib.compressobj(level=6)
            with raw_path.open("rb") as src, comp_path.open("wb") as dst:
                for chunk in iter(lambda: src.read(1024 * 1024), b""):
                    dst.write(compressor.compress(chunk))
                dst.write(compressor.flush())
            temp_path = comp_path
            raw_path.unlink()
        hash_hex = hasher.hexdigest()
        dest = self._blob_path(hash_hex)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            temp_path.replace(dest)
        else:
            temp_path.unlink()
        stored_size = dest.stat().st_size if dest.exists() else 0
        now = self._now()
        with self._conn() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO objects (hash, size, stored_size, compression, created_at, last_accessed) VALUES (?, ?, ?, ?, ?, ?)",
                (hash_hex, size, stored_size, compression, now, now),
            )
        return SCHEME + hash_hex

    def has(self, ref):
        hash_hex = parse_ref(ref)
        if not hash_hex or not self._blob_path(hash_hex).exists():
            return False
        self._touch(hash_hex)
        return True

    def info(self, ref):
        hash_hex = parse_ref(ref)
        if not hash_hex:
            return None
        with self._conn() as conn:
            row = conn.execute(
                "SELECT hash, size, stored_size, compression, created_at, last_accessed FROM objects WHERE hash = ?",
                (hash_hex,),
            ).fetchone()
        if not row:
            return None
        self._touch(hash_hex)
        return dict(zip(["hash", "size", "stored_size", "compression", "created_at", "last_accessed"], row))

    def list(self, limit=20):
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT hash, size, stored_size, compression, created_at, last_accessed FROM objects ORDER BY last_accessed DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [dict(zip(["hash", "size", "stored_size", "compression", "created_at", "last_accessed"], r)) for r in rows]

    def stats(self):
        with self._conn() as conn:
            count, total, stored = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(stored_size), 0) FROM objects"
            ).fetchone()
        return {"count": count, "total_bytes": total, "total_stored_bytes": stored}

    def get(self, ref, dst):
        hash_hex = parse_ref(ref)
        if not hash_hex:
            raise ValueError("Invalid ref (expected vhs://<sha256>)")
        path = self._blob_path(hash_hex)
        if not path.exists():
            raise FileNotFoundError(f"Missing blob for {hash_hex}")
        compression = ""
        with self._conn() as conn:
            row = conn.execute("SELECT compression FROM objects WHERE hash = ?", (hash_hex,)).fetchone()
            if row:
                compression = row[0] or ""
        self._touch(hash_hex)
        with path.open("rb") as f:
            if compression == "zlib":
                decompressor = zlib.decompressobj()
                for chunk in iter(lambda: f.read(1024 * 1024), b""):
                    dst.write(decompressor.decompress(chunk))
                dst.write(decompressor.flush())
            else:
                shutil.copyfileobj(f, dst)


def parse_ref(ref):
    if ref.startswith(SCHEME):
        ref = ref[len(SCHEME):]
    ref = ref.strip()
    if len(ref) != 64 or not all(c in "0123456789abcdef" for c in ref):
        return None
    return ref


def main(argv):
    parser = argparse.ArgumentParser(prog="tldr_swinton_vhs")
    parser.add_argument("--root", required=True)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_put = sub.add_parser("put")
    p_put.add_argument("file")
    p_put.add_argument("--compress", action="store_true")
    p_put.add_argument("--compress-min-bytes", type=int, default=None)
    p_get = sub.add_parser("get")
    p_get.add_argument("ref")
    p_get.add_argument("--out")
    for name in ("info", "has"):
        sub.add_parser(name).add_argument("ref")
    sub.add_parser("ls").add_argument("--limit", type=int, default=20)
    sub.add_parser("stats")
    args = parser.parse_args(argv)

    store = Store(args.root)
    if args.cmd == "put":
        if args.file == "-":
            ref = store.put(sys.stdin.buffer, args.compress, args.compress_min_bytes)
        else:
            with open(args.file, "rb") as f:
                ref = store.put(f, args.compress, args.compress_min_bytes)
        print(json.dumps(ref))
    elif args.cmd == "get":
        if args.out:
            with open(args.out, "wb") as f:
                store.get(args.ref, f)
        else:
            store.get(args.ref, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    elif args.cmd == "info":
        print(json.dumps(store.info(args.ref)))
    elif args.cmd == "has":
        print(json.dumps(store.has(args.ref)))
    elif args.cmd == "ls":
        print(json.dumps(store.list(args.limit)))
    elif args.cmd == "stats":
        print(json.dumps(store.stats()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
