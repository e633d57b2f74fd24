/**
 * Loads the sql.js engine: its JavaScript glue and its .wasm binary, both from the one
 * installed sql.js package, each checked against the sha256 pinned for the sql.js version
 * tldrs depends on (exactly), then checks that the engine is new enough to be safe.
 *
 * Why glue and binary from one package, checked together: Emscripten's glue and binary are
 * made for each other (the binary's exports are renamed by the minifier on every build). The
 * 0.1.0 package shipped a 1.16.0 binary of its own while npm resolved `sql.js ^1.16.0` to the
 * 1.17.0 glue: every store operation died with "TypeError: oa is not a function" (Node, Deno)
 * or spun forever (Bun). Now the binary is the one inside the installed package, found by the
 * same package resolution that found the glue, and both files are hashed before either runs,
 * so a mismatch (a hand-edited install, an override of sql.js, a bundler that copied one file)
 * is one clear EENGINE error naming both builds, never a minified TypeError or a hang.
 *
 * Why the version matters: up to sql.js 1.15.1, `Database.export()` closed and reopened
 * the database: inside an open transaction it silently rolled it back, reset pragmas
 * (trusted_schema back to ON) and freed prepared statements. From 1.15.2 it uses the
 * backup API and throws inside an open write transaction. sql.js exposes no version
 * string at run time, so the check is that behaviour itself.
 */
import type { SqlJsStatic } from "sql.js";
import { TldrsError } from "../errors.ts";
import { packageFileUrls } from "../package_files.ts";
import type { Platform } from "../platform/port.ts";
import { sha256Hex } from "../platform/sha256_hex.ts";

export type { Database, SqlJsStatic } from "sql.js";

import { SQLJS_VERSION } from "./sqljs_version.ts";

export { SQLJS_VERSION };

/** A build of sql.js: the sha256 of its browser glue and of the binary made with it. */
interface SqlJsBuild {
  version: string;
  glue: string;
  wasm: string;
}

/**
 * The pinned build first; older ones only to name what was found in an error message.
 * The browser build (`dist/sql-wasm-browser.*`) has no `fs`/`path` references, so it runs
 * unchanged in Node, Deno and Bun when handed the binary's bytes.
 */
const BUILDS: readonly SqlJsBuild[] = [
  { version: "1.17.0", glue: "b9104418b49747fc51956f3be0dffe1208af090c066bb5a08563c33237b09562", wasm: "6918fd54c1192011b85af0365a819411285bb5579b9ae6a7308778a1750a2765" },
  { version: "1.16.0", glue: "eb000b8422ead1cce9b4ef183f6af2e115877e37649a44e38f115561cc3f1a8a", wasm: "43bbcdd44287e5a2db3b6b5af34b1a3485a7a441285d247976c1ebe3c61f8dbf" },
];
export const PINNED_BUILD: SqlJsBuild = BUILDS.find((b) => b.version === SQLJS_VERSION)!;

const GLUE_FILE = "dist/sql-wasm-browser.js";
const WASM_FILE = "dist/sql-wasm-browser.wasm";

/** What was loaded, for `tldrs doctor` and `--version`. */
export interface SqlJsEngineInfo {
  engine: "sql.js";
  /** The sql.js version (checked by the hashes below, so it is the pinned one). */
  version: string;
  /** The installed sql.js package folder the glue and binary were read from (a path for file: URLs). */
  packageUrl: string;
  glueSha256: string;
  wasmSha256: string;
}

export interface LoadedSqlJs {
  SQL: SqlJsStatic;
  info: SqlJsEngineInfo;
}

/** One engine per package folder per process: instantiating the wasm costs tens of ms and megabytes. */
const loaded = new Map<string, Promise<LoadedSqlJs>>();

/**
 * The engine of the installed sql.js package (or of `packageUrl`, a folder URL ending in "/",
 * for tests of a damaged install), loaded and checked once per process.
 */
export function loadSqlJsEngine(platform: Platform, packageUrl?: URL): Promise<LoadedSqlJs> {
  const key = packageUrl?.href ?? "";
  let p = loaded.get(key);
  if (!p) {
    p = load(platform, packageUrl);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

export async function loadSqlJs(platform: Platform, packageUrl?: URL): Promise<SqlJsStatic> {
  return (await loadSqlJsEngine(platform, packageUrl)).SQL;
}

async function load(platform: Platform, packageUrl: URL | undefined): Promise<LoadedSqlJs> {
  const { glueUrl, glue } = await readGlue(platform, packageUrl);
  const wasmUrl = new URL("sql-wasm-browser.wasm", glueUrl);
  const folder = new URL("../", glueUrl);
  let wasm: Uint8Array;
  try {
    wasm = await platform.readUrl(wasmUrl);
  } catch (cause) {
    throw new TldrsError("EENGINE", `Cannot load the SQLite engine "${shown(wasmUrl)}": ${(cause as Error).message}; ${REINSTALL}`, { path: wasmUrl.href, cause });
  }
  const glueSha256 = sha256Hex(platform, glue);
  const wasmSha256 = sha256Hex(platform, wasm);
  if (glueSha256 !== PINNED_BUILD.glue || wasmSha256 !== PINNED_BUILD.wasm) {
    const declared = await declaredVersion(platform, folder);
    throw new TldrsError("EENGINE", mismatchMessage(shown(folder), declared, glueSha256, wasmSha256), {
      path: folder.href,
      data: { declaredVersion: declared, glueSha256, wasmSha256, expected: PINNED_BUILD },
    });
  }
  let SQL: SqlJsStatic;
  try {
    const init = await glueInit(glue, glueUrl);
    // The glue copies what it needs; hand it an exact ArrayBuffer.
    SQL = await init({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
  } catch (cause) {
    throw new TldrsError("EENGINE", `Cannot start the SQLite engine from "${shown(folder)}": ${String((cause as Error)?.message ?? cause)}; ${REINSTALL}`, { path: folder.href, cause });
  }
  assertSafeExport(SQL);
  return { SQL, info: { engine: "sql.js", version: PINNED_BUILD.version, packageUrl: shown(folder), glueSha256, wasmSha256 } };
}

type GlueInit = (config: object) => Promise<SqlJsStatic>;

/**
 * The glue's init function, from the very bytes that were hashed: run as the CommonJS script it
 * is (a function of `module` and `exports`), not re-read by `import()`. Also faster where a cold
 * process counts: Node's `import()` of a CommonJS file first scans it for its export names (the
 * cjs-module-lexer) and goes through both module loaders, 35 to 40 ms of CPU of a cold `tldrs vhs
 * has` on Node 20 here (measured: 180 -> 137 ms median for load and one query). Where code
 * cannot be made from a string (a page whose CSP forbids it), `import()` as before.
 */
async function glueInit(glue: Uint8Array, glueUrl: URL): Promise<GlueInit> {
  let run: (module: { exports: unknown }, exports: unknown) => void;
  try {
    run = new Function("module", "exports", `${new TextDecoder().decode(glue)}\n//# sourceURL=${glueUrl.href}`) as typeof run;
  } catch (err) {
    if (!(err instanceof EvalError)) throw err;
    const mod = (await import(glueUrl.href)) as { default?: unknown };
    return (typeof mod.default === "function" ? mod.default : mod) as GlueInit;
  }
  const module = { exports: {} as unknown };
  run(module, module.exports);
  if (typeof module.exports !== "function") throw new Error("the glue exported no init function");
  return module.exports as GlueInit;
}

const REINSTALL = `reinstall sql.js ${SQLJS_VERSION} for tldrs (for example: rm -rf node_modules/sql.js && npm install) and remove any "overrides" or "resolutions" entry for sql.js`;

/** A file: URL as the path a user types; other URLs as they are. */
function shown(url: URL): string {
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
}

async function readGlue(platform: Platform, packageUrl: URL | undefined): Promise<{ glueUrl: URL; glue: Uint8Array }> {
  const candidates = packageUrl ? [new URL(GLUE_FILE, packageUrl)] : packageFileUrls(`sql.js/${GLUE_FILE}`);
  let last: unknown;
  for (const glueUrl of candidates) {
    try {
      return { glueUrl, glue: await platform.readUrl(glueUrl) };
    } catch (err) {
      last = err;
    }
  }
  throw new TldrsError(
    "EENGINE",
    `Cannot find the SQLite engine (sql.js ${SQLJS_VERSION}): "sql.js/${GLUE_FILE}" is not at ${candidates.map((u) => `"${shown(u)}"`).join(", ")}; ${REINSTALL}`,
    { path: `sql.js/${GLUE_FILE}`, cause: last },
  );
}

/** The `version` of the sql.js package.json beside the files, if it can be read. */
async function declaredVersion(platform: Platform, folder: URL): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(new TextDecoder().decode(await platform.readUrl(new URL("package.json", folder)))) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

function mismatchMessage(folder: string, declared: string | undefined, glueSha256: string, wasmSha256: string): string {
  const nameOf = (kind: "glue" | "wasm", sha: string) => {
    const build = BUILDS.find((b) => b[kind] === sha);
    return build ? `sql.js ${build.version}` : `an unknown build (sha256 ${sha.slice(0, 16)}...)`;
  };
  return (
    `The SQLite engine in "${folder}" is not the sql.js ${SQLJS_VERSION} build tldrs needs: ` +
    `its package.json says ${declared ?? "nothing readable"}, its glue (${GLUE_FILE}) is ${nameOf("glue", glueSha256)}, ` +
    `its binary (${WASM_FILE}) is ${nameOf("wasm", wasmSha256)}; ${REINSTALL}`
  );
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
