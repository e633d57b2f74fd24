/**
 * Binds the runtime's own SQLite for the native engine: `bun:sqlite` on Bun, `node:sqlite` on
 * Node (22.13 and later) and Deno (2.x). Loaded by dynamic import on first use, so Node 20,
 * which has no node:sqlite, still loads the adapter, and a command that never opens the
 * database (--help) never pays for it. The core never sniffs the runtime: it gets a
 * NativeSqlite through the platform port, or the reason there is none.
 *
 * Shapes differ and are absorbed here:
 * - node:sqlite returns rows as objects unless `setReturnArrays(true)` (Node 22.16, 24): on
 *   older 22.x the values are taken in column order with Object.values, which tldrs's SQL
 *   allows (no two result columns share a name).
 * - errors: node:sqlite has `errcode` (Node) or only `errstr`/message (Deno 2.9); bun has
 *   `errno` and a `code` string. All become `sqliteCode`, SQLite's primary result code.
 * - node:sqlite on Node 22 prints "ExperimentalWarning: SQLite is an experimental feature" when
 *   it loads (Node 24 and 26 do not): tldrs's stderr carries only its own lines, so exactly
 *   that warning is dropped while the module loads; every other warning goes through.
 */
import type { NativeConnection, NativeSqlite, NativeSqliteProbe, NativeStatement, SqliteValue } from "./port.ts";

// The global process, not node:process: importing that opens stdin (see node.ts).
const process = globalThis.process;

/** SQLite's primary result codes by their sqlite3_errstr() text, for bindings that give only the text. */
const CODE_BY_TEXT: ReadonlyArray<[RegExp, number]> = [
  [/database is locked/i, 5],
  [/database table is locked/i, 6],
  [/attempt to write a readonly database/i, 8],
  [/disk I\/O error/i, 10],
  [/database disk image is malformed/i, 11],
  [/database or disk is full/i, 13],
  [/unable to open database file/i, 14],
  [/file is not a database/i, 26],
];

/** SQLite's primary result code of a binding's error, or undefined if it is not a SQLite error. */
export function sqliteCodeOf(err: unknown): number | undefined {
  const e = err as { errcode?: unknown; errno?: unknown; code?: unknown; errstr?: unknown; message?: unknown } | null;
  if (typeof e?.errcode === "number") return e.errcode & 0xff;
  if (typeof e?.code === "string" && e.code.startsWith("SQLITE_") && typeof e.errno === "number") return e.errno & 0xff;
  const text = `${typeof e?.errstr === "string" ? e.errstr : ""} ${typeof e?.message === "string" ? e.message : ""}`;
  if (typeof e?.code === "string" && (e.code === "ERR_SQLITE_ERROR" || e.code.startsWith("SQLITE_"))) {
    return CODE_BY_TEXT.find(([re]) => re.test(text))?.[1] ?? 1;
  }
  return undefined;
}

function withCode<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    const code = sqliteCodeOf(err);
    if (code !== undefined && err instanceof Error) Object.assign(err, { sqliteCode: code });
    throw err;
  }
}

const versions = process.versions as Record<string, string | undefined>;

/** Loads the runtime's SQLite once per process. */
let probe: Promise<NativeSqliteProbe> | undefined;
export function loadNativeSqlite(): Promise<NativeSqliteProbe> {
  probe ??= versions["bun"] ? loadBun() : loadNode();
  return probe;
}

// ---- node:sqlite (Node, Deno) ----

interface NodeStatement {
  run(...params: SqliteValue[]): { changes: number | bigint };
  all(...params: SqliteValue[]): unknown[];
  setReturnArrays?(on: boolean): void;
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
  enableDefensive?(on: boolean): void;
}
type NodeDatabaseClass = new (path: string, options?: Record<string, unknown>) => NodeDatabase;

async function loadNode(): Promise<NativeSqliteProbe> {
  const runtime = versions["deno"] ? `Deno ${versions["deno"]}` : `Node ${process.version}`;
  let DatabaseSync: NodeDatabaseClass;
  try {
    const mod = (await importQuietly("node:sqlite")) as { DatabaseSync?: NodeDatabaseClass };
    if (typeof mod.DatabaseSync !== "function") return { available: false, reason: `${runtime}'s node:sqlite has no DatabaseSync` };
    DatabaseSync = mod.DatabaseSync;
  } catch (err) {
    const why = versions["deno"] ? "" : " (Node 22.13 and later have it)";
    const unknown = (err as { code?: unknown }).code === "ERR_UNKNOWN_BUILTIN_MODULE";
    return { available: false, reason: `${runtime} has no node:sqlite${why}${unknown ? "" : `: ${(err as Error).message.split("\n")[0]}`}` };
  }
  const open = (path: string, options: { create: boolean }): NativeConnection =>
    withCode(() => {
      // A URI keeps a missing file missing (mode=rw): Node's node:sqlite takes "file:" names as
      // URIs. Deno's (2.9) resolves them as relative paths under its permission checks, so there
      // the plain path is opened: the engine looked first, and only a file deleted in between
      // would be created (empty, which the next operation then refuses as damaged).
      const uri = !options.create && path !== ":memory:" && !versions["deno"];
      const name = uri ? `file:${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}?mode=rw` : path;
      const db = new DatabaseSync(name, { allowExtension: false });
      let defensive = false;
      if (typeof db.enableDefensive === "function") {
        db.enableDefensive(true);
        defensive = true;
      }
      return nodeConnection(db, defensive);
    });
  let sqliteVersion = "unknown";
  try {
    const db = new DatabaseSync(":memory:");
    sqliteVersion = String((db.prepare("SELECT sqlite_version() AS v").all()[0] as { v: unknown }).v);
    db.close();
  } catch (err) {
    return { available: false, reason: `${runtime}'s node:sqlite does not open a database: ${(err as Error).message}` };
  }
  const sqlite: NativeSqlite = { module: "node:sqlite", sqliteVersion, open };
  return { available: true, sqlite };
}

function nodeConnection(db: NodeDatabase, defensive: boolean): NativeConnection {
  return {
    defensive,
    exec: (sql) => withCode(() => db.exec(sql)),
    prepare: (sql) => withCode(() => nodeStatement(db.prepare(sql))),
    close: () => withCode(() => db.close()),
  };
}

function nodeStatement(stmt: NodeStatement): NativeStatement {
  const arrays = typeof stmt.setReturnArrays === "function";
  if (arrays) stmt.setReturnArrays!(true);
  return {
    run: (params) => withCode(() => Number(stmt.run(...params).changes)),
    all: (params) =>
      withCode(() => {
        const rows = stmt.all(...params);
        return (arrays ? rows : rows.map((r) => Object.values(r as object))) as SqliteValue[][];
      }),
    finalize: () => undefined, // node:sqlite finalizes its statements when the database closes
  };
}

/**
 * Imports `specifier` with Node 22's ExperimentalWarning for SQLite dropped (only that one).
 * The warning is emitted through process.emitWarning while the module initializes.
 */
async function importQuietly(specifier: string): Promise<unknown> {
  const emit = process.emitWarning;
  const quiet = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning?.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type ?? (warning as Error)?.name;
    if (type === "ExperimentalWarning" && /^SQLite is an experimental feature/.test(String(text))) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = quiet as typeof process.emitWarning;
  try {
    return await import(specifier);
  } finally {
    process.emitWarning = emit;
  }
}

// ---- bun:sqlite ----

interface BunStatement {
  run(...params: SqliteValue[]): { changes: number };
  values(...params: SqliteValue[]): SqliteValue[][];
  finalize(): void;
}
interface BunDatabase {
  exec(sql: string): void;
  prepare(sql: string): BunStatement;
  close(throwOnError?: boolean): void;
}
type BunDatabaseClass = new (path: string, options?: Record<string, unknown>) => BunDatabase;

async function loadBun(): Promise<NativeSqliteProbe> {
  let Database: BunDatabaseClass;
  try {
    const specifier = "bun:sqlite"; // a variable: TypeScript and bundlers must not resolve it
    Database = ((await import(specifier)) as { Database: BunDatabaseClass }).Database;
  } catch (err) {
    return { available: false, reason: `Bun ${versions["bun"]} has no bun:sqlite: ${(err as Error).message}` };
  }
  const open = (path: string, options: { create: boolean }): NativeConnection =>
    withCode(() => {
      const db = new Database(path, { readwrite: true, create: options.create });
      const statements = new Set<BunStatement>();
      return {
        defensive: false,
        exec: (sql) => withCode(() => db.exec(sql)),
        prepare: (sql) =>
          withCode(() => {
            const stmt = db.prepare(sql);
            statements.add(stmt);
            return {
              run: (params) => withCode(() => Number(stmt.run(...params).changes)),
              all: (params) => withCode(() => stmt.values(...params)),
              finalize: () => {
                statements.delete(stmt);
                stmt.finalize();
              },
            };
          }),
        close: () =>
          withCode(() => {
            for (const stmt of statements) stmt.finalize();
            statements.clear();
            db.close(true);
          }),
      };
    });
  let sqliteVersion = "unknown";
  try {
    const db = new Database(":memory:");
    sqliteVersion = String(db.prepare("SELECT sqlite_version()").values()[0]?.[0]);
    db.close();
  } catch (err) {
    return { available: false, reason: `Bun ${versions["bun"]}'s bun:sqlite does not open a database: ${(err as Error).message}` };
  }
  return { available: true, sqlite: { module: "bun:sqlite", sqliteVersion, open } };
}
