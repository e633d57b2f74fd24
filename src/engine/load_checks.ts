/**
 * The load-time defences both engines run before trusting a database file: what it holds must
 * be a whole, intact SQLite database with the tldrs schema and nothing that would run foreign
 * SQL inside our statements. Each failure is ECORRUPT naming the file, and the file is left as
 * it is. (Header and size checks come first, in image.ts; a symlink or FIFO is refused by the
 * engines before anything opens it.)
 */
import { TldrsError } from "../errors.ts";
import { missingColumns } from "./schema.ts";
import { dropCommand, schemaHazard } from "./schema_check.ts";
import type { Sql } from "./sql.ts";

/**
 * PRAGMA integrity_check, not quick_check: quick_check does not compare indexes with their
 * tables, and a mutation fuzz of 1,000 images found 8% that passed it with rows missing from an
 * index (test/reliability/mutation_fuzz.test.ts). It reads the whole file (measured, node:sqlite:
 * 1.7 ms at 0.2 MB, 85 ms at 10 MB, 480 ms at 40 MB), so the engines run it only when a file is
 * new to them: sql.js on each load of a file another process wrote, native on the first open
 * of each file (inode) per process. Always after checkSchemaObjects, which refuses what
 * integrity_check would have to evaluate.
 */
export function checkIntegrity(sql: Sql, path: string): void {
  const check = sql.all("PRAGMA integrity_check").map((r) => String(r[0]));
  if (check.length !== 1 || check[0] !== "ok") {
    throw new TldrsError("ECORRUPT", `Database "${path}" is corrupt: integrity_check says ${JSON.stringify(check.slice(0, 3).join("; "))}; move it aside or restore a backup`, { path });
  }
}

/**
 * Refuses schema objects that would make SQLite run SQL the file carries while tldrs checks or
 * uses it (schema_check.ts: triggers, views under our table names, expression or partial
 * indexes, CHECK constraints, generated columns, expression defaults, virtual tables), and a
 * table of ours that lacks a column no upgrade adds. Cheap: it reads sqlite_schema and the
 * table and index pragmas, and runs before integrity_check, which would evaluate such SQL.
 */
export function checkSchemaObjects(sql: Sql, path: string): void {
  const hazard = schemaHazard(sql);
  if (hazard) {
    throw new TldrsError(
      "ECORRUPT",
      `Database "${path}" does not have the tldrs schema: ${hazard.why}; refusing to open it, since checking or using it would run that SQL; remove it with ${dropCommand(path, hazard)}, or move the file aside`,
      { path, data: { object: hazard.name, type: hazard.type } },
    );
  }
  // Our tables must have our columns: a missing one would fail our statements with a bare SQLite error.
  const foreign = missingColumns(sql, true);
  if (foreign) throw notOurSchema(path, foreign);
}

/** After ensureSchema: every table and column our SQL names is there. */
export function checkUpgraded(sql: Sql, path: string): void {
  const missing = missingColumns(sql);
  if (missing) throw notOurSchema(path, missing);
}

function notOurSchema(path: string, why: string): TldrsError {
  return new TldrsError("ECORRUPT", `Database "${path}" does not have the tldrs schema: ${why}; refusing to use it; move it aside`, { path });
}

/**
 * A SQLite error that means the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB), met by a
 * statement after the checks above: damage they could not see. Null for any other error.
 */
export function corruptionOf(err: unknown, path: string): TldrsError | null {
  if (err instanceof TldrsError || !(err instanceof Error)) return null;
  const code = (err as { sqliteCode?: unknown }).sqliteCode;
  if (code !== 11 && code !== 26 && !/database disk image is malformed|file is not a database/.test(err.message)) return null;
  return new TldrsError("ECORRUPT", `Database "${path}" is corrupt: ${err.message}; move it aside or restore a backup`, { path, cause: err });
}
