/**
 * SQL on the `objects` table (schema: DESIGN section 2, shared with the Python store).
 * Synchronous helpers, called inside StateDb.read / StateDb.write callbacks.
 */
import type { Sql, SqlValue } from "../engine/sql.ts";

export type Compression = "" | "zlib";

export interface ObjectRow {
  hash: string;
  /** Uncompressed bytes. */
  size: number;
  /** Bytes of the file on disk. */
  storedSize: number;
  /** As stored: '' or 'zlib' from either store; anything else is read by the file's own facts. */
  compression: string;
  createdAt: string;
  lastAccessed: string;
}

const COLUMNS = "hash, size, stored_size, compression, created_at, last_accessed";

/** A row selected as `COLUMNS`, in that order. */
function toRow(r: SqlValue[]): ObjectRow {
  return {
    hash: String(r[0]),
    size: Number(r[1]),
    storedSize: Number(r[2] ?? 0),
    compression: String(r[3] ?? ""),
    createdAt: String(r[4]),
    lastAccessed: String(r[5]),
  };
}

export function selectObject(db: Sql, hash: string): ObjectRow | undefined {
  const r = db.get(`SELECT ${COLUMNS} FROM objects WHERE hash = ?`, [hash]);
  return r ? toRow(r) : undefined;
}

export function selectObjects(db: Sql, hashes: readonly string[]): ObjectRow[] {
  if (hashes.length === 0) return [];
  const out: ObjectRow[] = [];
  // SQLite's default limit is 999 bound parameters per statement.
  for (let at = 0; at < hashes.length; at += 500) {
    const part = hashes.slice(at, at + 500);
    out.push(...db.all(`SELECT ${COLUMNS} FROM objects WHERE hash IN (${part.map(() => "?").join(",")})`, part).map(toRow));
  }
  return out;
}

/** Most recently accessed first, as the Python store lists them. */
export function selectRecent(db: Sql, limit: number): ObjectRow[] {
  return db.all(`SELECT ${COLUMNS} FROM objects ORDER BY last_accessed DESC, hash LIMIT ?`, [limit]).map(toRow);
}

export function selectAll(db: Sql): ObjectRow[] {
  return db.all(`SELECT ${COLUMNS} FROM objects`).map(toRow);
}

export function selectStats(db: Sql): { count: number; totalBytes: number; totalStoredBytes: number } {
  const r = db.get("SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(stored_size), 0) FROM objects")!;
  return { count: Number(r[0]), totalBytes: Number(r[1]), totalStoredBytes: Number(r[2]) };
}

export interface NewObject {
  hash: string;
  size: number;
  storedSize: number;
  compression: Compression;
  createdAt: string;
  lastAccessed: string;
}

/** The Python store's insert: a row that exists is kept as it is. */
export function insertObjectIfAbsent(db: Sql, o: NewObject): boolean {
  return db.run(`INSERT OR IGNORE INTO objects (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`, [o.hash, o.size, o.storedSize, o.compression, o.createdAt, o.lastAccessed]) > 0;
}

/**
 * For a file we just placed: its facts replace whatever an old row said (that row
 * described a file that was gone), keeping the row's created_at.
 */
export function upsertObject(db: Sql, o: NewObject): void {
  db.run(
    `INSERT INTO objects (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(hash) DO UPDATE SET size = excluded.size, stored_size = excluded.stored_size,
       compression = excluded.compression, last_accessed = excluded.last_accessed`,
    [o.hash, o.size, o.storedSize, o.compression, o.createdAt, o.lastAccessed],
  );
}

/** Sets the facts of a row whose content checked out but whose numbers were wrong. */
export function correctObject(db: Sql, hash: string, facts: { size: number; storedSize: number; compression: Compression }): void {
  db.run("UPDATE objects SET size = ?, stored_size = ?, compression = ? WHERE hash = ?", [facts.size, facts.storedSize, facts.compression, hash]);
}

export function deleteObject(db: Sql, hash: string): boolean {
  return db.run("DELETE FROM objects WHERE hash = ?", [hash]) > 0;
}

/** Moves last_accessed forward only: another process may have recorded a later access. */
export function touchObject(db: Sql, hash: string, at: string): void {
  db.run("UPDATE objects SET last_accessed = ? WHERE hash = ? AND last_accessed < ?", [at, hash, at]);
}

/** Hashes named by deliveries.vhs_ref of sessions that still exist (gc keeps these). */
export function selectDeliveredRefs(db: Sql): string[] {
  return db
    .all(
      `SELECT DISTINCT d.vhs_ref FROM deliveries d JOIN sessions s ON s.session_id = d.session_id
       WHERE d.vhs_ref IS NOT NULL AND d.vhs_ref <> ''`,
    )
    .map((r) => String(r[0]));
}
