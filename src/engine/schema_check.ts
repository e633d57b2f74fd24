/**
 * Which schema objects a database may hold, judged from sqlite_schema and the pragmas that
 * describe tables and indexes, WITHOUT running any SQL the file carries: run on every image
 * before PRAGMA integrity_check, which evaluates such SQL (an expression index such as
 * `length(hex(zeroblob(2e7+a)))` on 20 rows cost 5.5 s per command, growing with the rows).
 *
 * The rule: a schema object is refused if SQLite would evaluate an expression of it while
 * tldrs checks or uses the database, and accepted otherwise, whoever made it:
 *
 *   refused   a trigger (runs on our writes); a view named objects, sessions or deliveries
 *             (runs inside our statements); a virtual table (its module runs on check);
 *             a table with a CHECK constraint, a generated column or a DEFAULT that is an
 *             expression (evaluated by integrity_check or by our inserts); an index on an
 *             expression or with a WHERE clause (evaluated by integrity_check and writes)
 *   accepted  our tables and indexes; SQLite's own (autoindexes, sqlite_sequence,
 *             sqlite_stat1 after ANALYZE); other plain tables and indexes on columns (their
 *             check costs time in proportion to their rows, like ours); other views (tldrs
 *             never selects from them, and trusted_schema=OFF keeps our functions out of them)
 *
 * So a file of the Python store, of an older Python store, or of a tool that added plain
 * tables of its own opens as before. Engine-neutral: it speaks the Sql interface, so the sql.js
 * and the native engine run the same check.
 */
import type { Sql } from "./sql.ts";

export interface SchemaHazard {
  /** "table", "index", "view" or "trigger". */
  type: string;
  name: string;
  /** What is wrong, naming the object: `the index "i" is on an expression (...)`. */
  why: string;
}

const OUR_TABLES = new Set(["objects", "sessions", "deliveries"]);

/** A DEFAULT that is a literal (what pragma_table_xinfo shows as written): number, string, blob, NULL, TRUE/FALSE, CURRENT_*. */
const LITERAL_DEFAULT = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|'(?:[^']|'')*'|[xX]'[0-9a-fA-F]*'|NULL|TRUE|FALSE|CURRENT_TIME|CURRENT_DATE|CURRENT_TIMESTAMP)$/i;

/** The SQL text without string literals, quoted names and comments, where a keyword is a keyword. */
function withoutLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, " ");
}

/** The first schema object SQLite would have to run SQL of to check or use this database, or null. */
export function schemaHazard(db: Sql): SchemaHazard | null {
  for (const [rowType, rowName, tblName, rowSql] of db.all("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid")) {
    const type = String(rowType);
    const name = String(rowName);
    const sql = typeof rowSql === "string" ? rowSql : null;
    const hazard =
      type === "trigger" ? `it holds the trigger "${name}", which tldrs never creates (it would run on tldrs's own writes)`
      : type === "view" ? (OUR_TABLES.has(name) ? `"${name}" is a view, not a table (tldrs never creates one; it would run inside tldrs's statements)` : null)
      : type === "table" ? tableHazard(db, name, sql)
      : type === "index" ? indexHazard(db, name, String(tblName), sql)
      : `it holds "${name}", an unknown kind of schema object ("${type}")`;
    if (hazard) return { type, name, why: hazard };
  }
  return null;
}

function tableHazard(db: Sql, name: string, sql: string | null): string | null {
  if (sql !== null && /^\s*CREATE\s+VIRTUAL\s+TABLE\b/i.test(sql)) return `the table "${name}" is a virtual table (its module would run when the database is checked)`;
  if (sql !== null && /\bCHECK\b/i.test(withoutLiterals(sql))) return `the table "${name}" has a CHECK constraint (integrity_check would evaluate it on every row)`;
  for (const [column, dflt, hidden] of db.all("SELECT name, dflt_value, hidden FROM pragma_table_xinfo(?)", [name])) {
    if (Number(hidden) >= 2) return `the table "${name}" has the generated column "${String(column)}" (evaluated on every read)`;
    if (dflt !== null && dflt !== undefined && !LITERAL_DEFAULT.test(String(dflt).trim())) {
      return `the column "${String(column)}" of the table "${name}" defaults to an expression (evaluated on inserts)`;
    }
  }
  return null;
}

function indexHazard(db: Sql, name: string, table: string, sql: string | null): string | null {
  if (sql === null) return null; // an autoindex: SQLite's own, for a PRIMARY KEY or UNIQUE constraint
  if (db.all("SELECT 1 FROM pragma_index_xinfo(?) WHERE key = 1 AND cid = -2", [name]).length > 0) {
    return `the index "${name}" is on an expression (integrity_check would evaluate it on every row of "${table}")`;
  }
  if (db.all("SELECT 1 FROM pragma_index_list(?) WHERE name = ? AND partial = 1", [table, name]).length > 0) {
    return `the index "${name}" is a partial index (its WHERE clause would be evaluated on every row of "${table}")`;
  }
  return null;
}

/** The sqlite3 command that removes the object, for the error's "what to do". */
export function dropCommand(dbPath: string, hazard: SchemaHazard): string {
  const kind = hazard.type === "table" || hazard.type === "view" || hazard.type === "trigger" || hazard.type === "index" ? hazard.type.toUpperCase() : "TABLE";
  return `sqlite3 "${dbPath}" 'DROP ${kind} "${hazard.name.replace(/"/g, '""').replace(/'/g, "'\\''")}"'`;
}
