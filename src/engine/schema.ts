/**
 * The schema shared with the Python tldr-swinton store (table and column names, types
 * and keys exactly as it creates them), and the upgrades an older file needs.
 */
import { TldrsError } from "../errors.ts";
import { scalar, type Sql } from "./sql.ts";

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

export function userVersion(db: Sql): number {
  return Number(scalar(db, "PRAGMA user_version") ?? 0);
}

function columnsOf(db: Sql, table: string): Set<string> {
  return new Set(db.all("SELECT name FROM pragma_table_info(?)", [table]).map((r) => String(r[0])));
}

/**
 * Brings the image up to our schema; returns true if it changed anything.
 * A newer version is left alone (reads still work); `assertWritable` refuses writes to it.
 */
export function ensureSchema(db: Sql): boolean {
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

function hasAllColumns(db: Sql): boolean {
  return ADDED_COLUMNS.every(([table, column]) => columnsOf(db, table).has(column));
}

/** Every column our SQL names, per table (the Python store's schema, DESIGN section 2). */
const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  objects: ["hash", "size", "stored_size", "compression", "created_at", "last_accessed"],
  sessions: ["session_id", "created_at", "last_accessed", "repo_fingerprint", "default_language"],
  deliveries: ["session_id", "symbol_id", "etag", "representation", "vhs_ref", "token_estimate", "code_snapshot", "last_accessed"],
};

/**
 * A table of ours that lacks a column our SQL names, or null: every statement would fail on it
 * with a bare SQLite error. `beforeUpgrade`: checked before ensureSchema, so missing tables and
 * the columns it adds (those older Python stores lack) are not problems yet; ensureSchema
 * could not upgrade a table that lacks any other column.
 */
export function missingColumns(db: Sql, beforeUpgrade = false): string | null {
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

/** What a column an older store lacks reads as until it is added (the ADDED_COLUMNS defaults). */
const READ_DEFAULTS: Readonly<Record<string, string>> = { stored_size: "0", compression: "''", code_snapshot: "NULL" };

/**
 * For a read through a native connection of a file an older Python store made (a table or an
 * added column missing): TEMP views under our table names, which shadow the main tables for this
 * connection only (SQLite looks up an unqualified name in temp first). The read then sees what
 * sql.js sees after its in-memory upgrade, and nothing is written to the file. Returns how many
 * views it made.
 */
export function addReadShims(db: Sql): number {
  let made = 0;
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const have = new Set(db.all("SELECT name FROM pragma_table_info(?, 'main')", [table]).map((r) => String(r[0])));
    if (columns.every((c) => have.has(c))) continue;
    const select = columns.map((c) => (have.has(c) ? `"${c}"` : `${have.size === 0 ? "NULL" : (READ_DEFAULTS[c] ?? "NULL")} AS "${c}"`)).join(", ");
    db.exec(have.size === 0 ? `CREATE TEMP VIEW ${table} AS SELECT ${select} WHERE 0` : `CREATE TEMP VIEW ${table} AS SELECT ${select} FROM main.${table}`);
    made++;
  }
  return made;
}

export function assertWritable(db: Sql, path: string): void {
  const version = userVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new TldrsError(
      "ENEWERSCHEMA",
      `Database "${path}" has schema version ${version}, newer than this tldrs knows (${SCHEMA_VERSION}): refusing to write; upgrade tldrs`,
      { path, data: { version, known: SCHEMA_VERSION } },
    );
  }
}
