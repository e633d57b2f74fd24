/**
 * Loads the sql.js engine from the .wasm shipped in `wasm/`, checked against a pinned
 * sha256, and checks that the engine is new enough to be safe.
 *
 * Why the version matters: up to sql.js 1.15.1, `Database.export()` closed and reopened
 * the database: inside an open transaction it silently rolled it back, reset pragmas
 * (trusted_schema back to ON) and freed prepared statements. From 1.15.2 it uses the
 * backup API and throws inside an open write transaction. sql.js exposes no version
 * string at run time, so the check is that behaviour itself.
 */
import initSqlJs from "sql.js/dist/sql-wasm-browser.js";
import type { SqlJsStatic } from "sql.js";
import { TldrsError } from "../errors.ts";
import type { Platform } from "../platform/port.ts";

export type { Database, SqlJsStatic, SqlValue } from "sql.js";

/** The engine binary, relative to this module: the same from src/ and from dist/. */
export const WASM_URL = new URL("../../wasm/sql-wasm.wasm", import.meta.url);
/** sha256 of wasm/sql-wasm.wasm (sql.js 1.16.0, dist/sql-wasm-browser.wasm). */
export const WASM_SHA256 = "43bbcdd44287e5a2db3b6b5af34b1a3485a7a441285d247976c1ebe3c61f8dbf";

/** One engine per binary per process: instantiating the wasm costs tens of ms and megabytes. */
const loaded = new Map<string, Promise<SqlJsStatic>>();

/** The engine in `wasmUrl` (default: the shipped one), loaded and checked once per process. */
export function loadSqlJs(platform: Platform, wasmUrl: URL = WASM_URL): Promise<SqlJsStatic> {
  let p = loaded.get(wasmUrl.href);
  if (!p) {
    p = load(platform, wasmUrl);
    loaded.set(wasmUrl.href, p);
    p.catch(() => loaded.delete(wasmUrl.href));
  }
  return p;
}

async function load(platform: Platform, wasmUrl: URL): Promise<SqlJsStatic> {
  let wasm: Uint8Array;
  try {
    wasm = await platform.readUrl(wasmUrl);
  } catch (cause) {
    throw new TldrsError("EENGINE", `Cannot load the SQLite engine "${wasmUrl.href}": ${(cause as Error).message}; reinstall tldrs`, { path: wasmUrl.href, cause });
  }
  const hasher = platform.createHasher();
  hasher.update(wasm);
  const digest = hasher.digestHex();
  if (digest !== WASM_SHA256) {
    throw new TldrsError(
      "EENGINE",
      `The SQLite engine "${wasmUrl.href}" is not the one tldrs was built with: sha256 ${digest}, expected ${WASM_SHA256}; reinstall tldrs`,
      { path: wasmUrl.href },
    );
  }
  // The glue copies what it needs; hand it an exact ArrayBuffer.
  const SQL = await initSqlJs({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
  assertSafeExport(SQL);
  return SQL;
}

function assertSafeExport(SQL: SqlJsStatic): void {
  const db = new SQL.Database();
  try {
    db.exec("CREATE TABLE probe(x); BEGIN IMMEDIATE; INSERT INTO probe VALUES (1)");
    let threw = false;
    try {
      db.export();
    } catch {
      threw = true;
    }
    if (!threw) {
      throw new TldrsError("EENGINE", "The sql.js engine is older than 1.15.2: its export() silently rolls back open transactions; install sql.js 1.15.2 or newer");
    }
  } finally {
    db.close();
  }
}
