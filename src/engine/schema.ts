/**
 * The schema shared with the Python tldr-swinton store (table and column names, types
 * and keys exactly as it creates them), and the upgrades an older file needs.
 */
import { TldrsError } from "../errors.ts";
import type { SchemaQuery } from "./schema_check.ts";
import type { Database } from "./sqljs.ts";

/** Our schema version, kept in `PRAGMA user_version` (the Python store leaves it 0). */
export const SCHEMA_VERSION = 1;

export const SCHEMA_DDL = `
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
`;

/** Columns that older Python stores lack, with the definition to add them by. */
const ADDED_COLUMNS: ReadonlyArray<[table: string, column: string, definition: string]> = [
  ["objects", "stored_size", "stored_size INTEGER NOT NULL DEFAULT 0"],
  ["objects", "compression", "compression TEXT NOT NULL DEFAULT ''"],
  ["deliveries", "code_snapshot", "code_snapshot TEXT"],
];

export function userVersion(db: Database): number {
  return Number(db.exec("PRAGMA user_version")[0]?.values[0]?.[0] ?? 0);
}

function columnsOf(db: Database, table: string): Set<string> {
  const rows = db.exec(`SELECT name FROM pragma_table_info('${table}')`)[0]?.values ?? [];
  return new Set(rows.map((r) => String(r[0])));
}

/**
 * Brings the image up to our schema; returns true if it changed anything.
 * A newer version is left alone (reads still work); `assertWritable` refuses writes to it.
 */
export function ensureSchema(db: Database): boolean {
  const version = userVersion(db);
  if (version > SCHEMA_VERSION) return false;
  if (version === SCHEMA_VERSION && hasAllColumns(db)) return false;
  db.exec(SCHEMA_DDL);
  for (const [table, column, definition] of ADDED_COLUMNS) {
    if (!columnsOf(db, table).has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${definition}`);
  }
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  return true;
}

function hasAllColumns(db: Database): boolean {
  return ADDED_COLUMNS.every(([table, column]) => columnsOf(db, table).has(column));
}

/** Every column our SQL names, per table (the Python store's schema, DESIGN section 2). */
const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  objects: ["hash", "size", "stored_size", "compression", "created_at", "last_accessed"],
  sessions: ["session_id", "created_at", "last_accessed", "repo_fingerprint", "default_language"],
  deliveries: ["session_id", "symbol_id", "etag", "representation", "vhs_ref", "token_estimate", "code_snapshot", "last_accessed"],
};

/** The engine-neutral query function of schema_check.ts, over a sql.js database. */
export function sqlJsQuery(db: Database): SchemaQuery {
  return (sql, params = []) => {
    const stmt = db.prepare(sql);
    try {
      stmt.bind([...params]);
      const rows: Array<Record<string, unknown>> = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return rows;
    } finally {
      stmt.free();
    }
  };
}

/**
 * A table of ours that lacks a column our SQL names, or null: every statement would fail on it
 * with a bare SQLite error. `beforeUpgrade`: checked before ensureSchema, so missing tables and
 * the columns it adds (those older Python stores lack) are not problems yet; ensureSchema
 * could not upgrade a table that lacks any other column.
 */
export function missingColumns(db: Database, beforeUpgrade = false): string | null {
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const have = columnsOf(db, table);
    if (have.size === 0) {
      if (beforeUpgrade) continue;
      return `it has no table "${table}"`;
    }
    const upgradable = new Set(beforeUpgrade ? ADDED_COLUMNS.filter(([t]) => t === table).map(([, c]) => c) : []);
    const missing = columns.filter((c) => !have.has(c) && !upgradable.has(c));
    if (missing.length > 0) return `table "${table}" lacks the column(s) ${missing.map((c) => `"${c}"`).join(", ")}`;
  }
  return null;
}

export function assertWritable(db: Database, path: string): void {
  const version = userVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new TldrsError(
      "ENEWERSCHEMA",
      `Database "${path}" has schema version ${version}, newer than this tldrs knows (${SCHEMA_VERSION}): refusing to write; upgrade tldrs`,
      { path, data: { version, known: SCHEMA_VERSION } },
    );
  }
}
