// The bad-input corpus: hostile refs, wrong types, out-of-range numbers, bad destinations,
// broken stdin, and hostile files planted in the store, through the CLI (in-process, a few
// spawned) and the library. Every case, whatever it is, must:
//   - fail with a clear one-line error (CLI: exit 1 or 2, `tldrs: ...`, no stack trace, no
//     "internal error") or be handled (the case says which);
//   - write nothing outside .tldrs/ (the whole temp folder, with a sentinel folder that
//     hostile links point into, is compared before and after);
//   - lose nothing stored before (a blob and a delivery are read back by a fresh store; where
//     the case plants a database the store must refuse, that file must be byte-identical).
// Plain wrong-type arguments of the library are in test/vhs/api.test.ts and
// test/state/arguments.test.ts; the usage errors of the CLI in test/cli/cli_vhs.test.ts.
import { execFileSync, spawnSync } from "node:child_process";
import { sha256 as sha } from "../helpers/bytes.ts";
import { existsSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureIo } from "../../src/cli/io.ts";
import { callTool } from "../../src/mcp/call_tool.ts";
import { SessionTallies } from "../../src/mcp/session_tallies.ts";
import { TOOLS } from "../../src/mcp/tools.ts";
import { runContext } from "../../src/context/run_context.ts";
import { main } from "../../src/cli/main.ts";
import { isArgumentError, isTldrsError } from "../../src/errors.ts";
import { loadSqlJs } from "../../src/engine/sqljs.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openStoreWith, type Store } from "../../src/store.ts";
import { cli, spawnCli, type RunResult } from "../cli/cli_helpers.ts";
import { tempDir } from "../helpers/tmp.ts";
import { bytesOf, sameBytes } from "./helpers.ts";
import { doctorWith } from "../../src/doctor.ts";
import { craftedImage } from "../engine/helpers.ts";

const platform = createNodePlatform();
const KEEP = bytesOf(5_000, 1);
const VICTIM = bytesOf(3_000, 2);
const KEEP_REF = `vhs://${sha(KEEP)}`;
const VICTIM_HASH = sha(VICTIM);
const VICTIM_REF = `vhs://${VICTIM_HASH}`;
const H = sha("some content never stored");
const OLD = new Date(Date.now() - 3600_000);

interface Ctx {
  dir: string;
  project: string;
  root: string;
  db: string;
  sentinel: string;
  victimFile: string;
}

/** A project with a store holding KEEP, VICTIM and a delivery, and a sentinel folder beside it. */
async function makeProject(): Promise<Ctx> {
  const dir = tempDir("tldrs-corpus-");
  const project = join(dir, "project");
  const sentinel = join(dir, "sentinel");
  mkdirSync(project);
  mkdirSync(sentinel);
  writeFileSync(join(sentinel, "precious.txt"), "precious\n");
  const store = await openStoreWith(platform, { project });
  await store.vhs.put(KEEP);
  await store.vhs.put(VICTIM, { compress: true });
  await store.state.recordDeliveries("keep", [{ symbolId: "f", etag: "e1", representation: "full", codeSnapshot: "def f(): pass" }]);
  await store.close();
  const root = join(project, ".tldrs");
  return { dir, project, root, db: join(root, "tldrs_state.db"), sentinel, victimFile: join(root, "blobs", VICTIM_HASH.slice(0, 2), VICTIM_HASH.slice(2, 4), VICTIM_HASH) };
}

/** Every path under `dir` but the store, with a digest of its content (or its link target). */
function outsideState(dir: string, skip: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (p === skip) continue;
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out.set(p, "dir");
        walk(p);
      } else if (st.isSymbolicLink()) out.set(p, `link ${readlinkSync(p)}`);
      else if (st.isFile()) out.set(p, `${st.size} ${sha(readFileSync(p))} ${st.mtimeMs}`);
      else out.set(p, `special ${st.mode} ${st.rdev} ${st.ino}`); // a device or FIFO: never read (a FIFO would block)
    }
  };
  walk(dir);
  return out;
}

/** What is at `p`, without following a link: kind and content (bytes, target or entries). */
function describePath(p: string): string {
  const st = lstatSync(p);
  if (st.isSymbolicLink()) return `link -> ${readlinkSync(p)}`;
  if (st.isDirectory()) return `dir [${readdirSync(p).join(", ")}]`;
  return `file ${st.size} ${sha(readFileSync(p))} ${st.mtimeMs} ${st.ino}`;
}


/** A crafted database that keeps the store's rows (so the data check still applies). */
async function craftedFromStore(c: Ctx, sql: string): Promise<void> {
  const SQL = await loadSqlJs(platform);
  const db = new SQL.Database(readFileSync(c.db));
  try {
    db.exec(sql);
    writeFileSync(c.db, db.export());
  } finally {
    db.close();
  }
}

// ---- read-only folders (root ignores modes: a read-only bind mount) ----------------------
let roDir: string | null = null;
let roSkip = "";
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "tldrs-ro-"));
  try {
    execFileSync("mount", ["--bind", dir, dir], { stdio: "pipe" });
    try {
      execFileSync("mount", ["-o", "remount,bind,ro", dir], { stdio: "pipe" });
      roDir = dir;
    } catch (err) {
      execFileSync("umount", [dir], { stdio: "pipe" });
      throw err;
    }
  } catch (err) {
    roSkip = `no read-only bind mount here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
    console.warn(`bad_input: the --out into a read-only folder case is skipped: ${roSkip}`);
  }
});
afterAll(() => {
  if (roDir) execFileSync("umount", [roDir], { stdio: "pipe" });
  if (roDir) rmSync(roDir, { recursive: true, force: true });
});

// ---- the cases ---------------------------------------------------------------------------

interface Case {
  name: string;
  setup?: (c: Ctx) => void | Promise<void>;
  /** CLI arguments (in-process), or a function of the context. */
  cli?: string[] | ((c: Ctx) => string[]);
  stdin?: string | Uint8Array;
  /** Environment of the CLI run (TLDRS_VHS_HOME, ...); a function of the context. */
  env?: (c: Ctx) => Record<string, string>;
  /** Run the built binary instead (real stdio). */
  spawn?: boolean;
  /** A library call instead of the CLI. */
  lib?: (store: Store, c: Ctx) => Promise<unknown>;
  /** A `tldrs mcp` tool call instead (in-process, as the server makes it): tool and arguments. */
  mcp?: [tool: string, args: Record<string, unknown> | ((c: Ctx) => Record<string, unknown>)];
  /** Exit codes accepted (default [1]); 0 for a case that is handled. */
  codes?: number[];
  /** What the error message must say. */
  message?: RegExp;
  /** The case plants a database the store must refuse: check that file byte-identical instead. */
  plantedDb?: boolean;
  /** Undo the damage before the data check (a lock folder, a -wal file). */
  undo?: (c: Ctx) => void;
  /** Files the case may create outside .tldrs (an --out target). */
  creates?: (c: Ctx) => string[];
  /** Skip with this message. */
  skip?: () => string | null;
  /** The CLI streams to stdout before it can know the bytes are wrong: stdout may hold some. */
  partialStdout?: boolean;
  /** Extra checks after the run. */
  after?: (c: Ctx, r: RunResult | null) => void;
}

const fullwidth = String.fromCharCode(...Array.from({ length: 64 }, (_, i) => 0xff10 + (i % 10)));
const hex63 = H.slice(0, 63);

const REF_CASES: Case[] = [
  ["parent path", ["vhs", "cat", "../../etc/passwd"]],
  ["parent path after the scheme", ["vhs", "cat", "vhs://../../../../etc/passwd"]],
  ["absolute path", ["vhs", "get", "/etc/passwd", "--out", "x"]],
  ["absolute path after the scheme", ["vhs", "info", "vhs:///etc/passwd"]],
  ["63 hex digits", ["vhs", "rm", hex63]],
  ["65 hex digits", ["vhs", "cat", `${H}0`]],
  ["uppercase hex after the scheme", ["vhs", "has", `vhs://${H.toUpperCase()}`]],
  ["fullwidth digits", ["vhs", "cat", `vhs://${fullwidth}`]],
  ["Cyrillic a in place of a", ["vhs", "cat", `${hex63}\u0430`]],
  ["Greek omicron in place of 0", ["vhs", "info", `${hex63}\u03bf`]],
  ["a NUL byte inside", ["vhs", "cat", `vhs://${hex63}\u0000`]],
  ["a NUL byte after the hash", ["vhs", "rm", `${H}\u0000../../x`]],
  ["a trailing newline", ["vhs", "cat", `${H}\n`]],
  ["a leading space", ["vhs", "cat", ` ${H}`]],
  ["one slash after the scheme", ["vhs", "cat", `vhs:/${H}`]],
  ["uppercase scheme", ["vhs", "cat", `VHS://${H}`]],
  ["the hash followed by a path", ["vhs", "cat", `${H}/../../x`]],
  ["only the scheme", ["vhs", "info", "vhs://"]],
  ["percent-encoded parent path", ["vhs", "cat", "vhs://%2e%2e%2f%2e%2e%2fetc%2fpasswd"]],
  ["backslash path", ["vhs", "cat", "..\\..\\windows\\system32"]],
  ["a query string", ["vhs", "cat", `vhs://${H}?x=1`]],
  ["another scheme", ["vhs", "cat", `sha256:${H}`]],
  ["a 100 KB ref", ["vhs", "has", "a".repeat(100_000)]],
].map(([name, cli]) => ({ name: `ref: ${name as string}`, cli: cli as string[], message: /Invalid ref/ }));

const LIB_CALLS: Array<[string, NonNullable<Case["lib"]>]> = [
  ["get with NUL", (s) => s.vhs.get(`vhs://${hex63}\u0000`)],
  ["getStream with a parent path", (s) => s.vhs.getStream("vhs://../../../etc/passwd")],
  ["getToFile with an absolute path ref", (s, c) => s.vhs.getToFile("/etc/passwd", join(c.dir, "out.bin"))],
  ["getInto with a parent path", (s) => s.vhs.getInto("vhs://../../etc/passwd", async () => undefined)],
  ["delete with a Cyrillic look-alike", (s) => s.vhs.delete(`${hex63}\u0430`)],
  ["info with fullwidth digits", (s) => s.vhs.info(fullwidth)],
  ["has with a 1 MB string", (s) => s.vhs.has("vhs://" + "0".repeat(1_000_000))],
  ["delivery vhsRef with a parent path", (s) => s.state.recordDeliveries("keep", [{ symbolId: "g", etag: "e", representation: "vhs_ref", vhsRef: "vhs://../../etc/passwd" }])],
  ["delivery vhsRef with NUL", (s) => s.state.recordDeliveries("keep", [{ symbolId: "g", etag: "e", representation: "vhs_ref", vhsRef: `${hex63}\u0000` }])],
  ["session id with NUL", (s) => s.state.recordDeliveries("a\u0000b", [{ symbolId: "g", etag: "e", representation: "full" }])],
  ["checkDelta with a non-string etag", (s) => s.state.checkDelta("keep", { f: 7 as never })],
];
const LIB_REF_CASES: Case[] = LIB_CALLS.map(([name, lib]) => ({ name: `library: ${name}`, lib, message: /Invalid ref|Invalid argument/ }));

// Wrong types and out-of-range numbers not already in test/vhs/api.test.ts and
// test/state/arguments.test.ts: refused as argument errors, or (huge but valid) handled.
const any = (v: unknown) => v as never;
const LIB_ARG_CALLS: Array<[string, NonNullable<Case["lib"]>]> = [
  ["get(42)", (s) => s.vhs.get(any(42))],
  ["has(null)", (s) => s.vhs.has(any(null))],
  ["info of an object", (s) => s.vhs.info(any({ ref: KEEP_REF }))],
  ["delete of an array", (s) => s.vhs.delete(any([KEEP_REF]))],
  ["getToFile to a number", (s) => s.vhs.getToFile(KEEP_REF, any(42))],
  ["getInto with a string for write", (s) => s.vhs.getInto(KEEP_REF, any("stdout"))],
  ["putFile of a Buffer path", (s) => s.vhs.putFile(any(Buffer.from("/etc/passwd")))],
  ["gc with maxAgeDays -0.5", (s) => s.vhs.gc({ maxAgeDays: -0.5 })],
  ["gc with maxSizeMb -Infinity", (s) => s.vhs.gc({ maxSizeMb: -Infinity })],
  ["put with compressMinBytes NaN", (s) => s.vhs.put("x", { compressMinBytes: Number.NaN })],
  ["put with onProgress not a function", (s) => s.vhs.put("x", { onProgress: any("log") })],
  ["doctor with a misspelled option", (s) => doctorWith(platform, any({ root: s.root, verbose: true }))],
  ["openStore with a misspelled option", (s) => openStoreWith(platform, any({ root: s.root, projet: "elsewhere" }))],
  ["openStore with a misspelled lock option", (s) => openStoreWith(platform, { root: s.root, lock: any({ timeout: 5 }) })],
  ["openStore with a lock timeoutMs of text", (s) => openStoreWith(platform, { root: s.root, lock: { timeoutMs: any("10") } })],
  ["openStore with a negative staleMs", (s) => openStoreWith(platform, { root: s.root, lock: { staleMs: -1 } })],
  ["openStore with maxImageBytes NaN", (s) => openStoreWith(platform, { root: s.root, maxImageBytes: Number.NaN })],
  ["recordDeliveries with tokenEstimate 1e400", (s) => s.state.recordDeliveries("keep", [{ symbolId: "g", etag: "e", representation: "full", tokenEstimate: 1e400 }])],
];
const LIB_ARG_CASES: Case[] = LIB_ARG_CALLS.map(([name, lib]) => ({ name: `library: ${name}`, lib, message: /Invalid argument/ }));
const LIB_HANDLED_CALLS: Array<[string, NonNullable<Case["lib"]>]> = [
  ["gc with a huge keepLast", (s) => s.vhs.gc({ keepLast: Number.MAX_SAFE_INTEGER, maxSizeMb: 0 })],
  ["gc with maxSizeMb 1e308", (s) => s.vhs.gc({ maxSizeMb: 1e308 })],
  ["list with limit 1e9", (s) => s.vhs.list({ limit: 1e9 })],
  ["cleanupExpired with ttlSeconds 1e300", (s) => s.state.cleanupExpired({ ttlSeconds: 1e300 })],
  ["put with compressMinBytes Infinity", (s) => s.vhs.put("never compressed", { compressMinBytes: Infinity })],
];
const LIB_HANDLED_CASES: Case[] = LIB_HANDLED_CALLS.map(([name, lib]) => ({ name: `library: ${name} is handled`, lib, codes: [0] }));

const NUMBER_CASES: Case[] = [
  ["--limit 1e309", ["vhs", "ls", "--limit", "1e309"]],
  ["--limit beyond 2^53", ["vhs", "ls", "--limit", "99999999999999999999"]],
  ["--limit in hex", ["vhs", "ls", "--limit", "0x10"]],
  ["--limit NaN", ["vhs", "ls", "--limit", "NaN"]],
  ["--keep-last -3", ["vhs", "gc", "--keep-last", "-3"]],
  ["--max-age-days NaN", ["vhs", "gc", "--max-age-days", "NaN"]],
  ["--max-age-days Infinity", ["vhs", "gc", "--max-age-days", "Infinity"]],
  ["--max-size-mb 1e400", ["vhs", "gc", "--max-size-mb", "1e400"]],
  ["--max-size-mb -0.5", ["vhs", "gc", "--max-size-mb", "-0.5"]],
  ["--ttl-seconds -5", ["session", "cleanup", "--ttl-seconds", "-5"]],
  ["--ttl-seconds 3.5", ["session", "cleanup", "--ttl-seconds", "3.5"]],
  ["--ttl-seconds beyond 2^53", ["session", "cleanup", "--ttl-seconds", "99999999999999999999999"]],
  ["--compress-min-bytes -1", ["vhs", "put", "-", "--compress-min-bytes", "-1"]],
  ["--depth -1", ["context", "main", "--depth", "-1"]],
  ["--budget -1", ["context", "main", "--budget", "-1"]],
  ["--max-bytes with a unit", ["context", "main", "--max-bytes", "10k"]],
].map(([name, cli]) => ({ name: `number: ${name as string}`, cli: cli as string[], codes: [2], message: /must be a (whole )?number/ }));

const OTHER_CLI_CASES: Case[] = [
  { name: "number: a huge but valid --max-age-days is handled", cli: ["vhs", "gc", "--max-age-days", "1000000000000000000000000"], codes: [0] },
  { name: "number: --max-size-mb 0 --dry-run deletes nothing", cli: ["vhs", "gc", "--max-size-mb", "0", "--dry-run"], codes: [0] },
  { name: "usage: an empty session id", cli: ["session", "show", ""], codes: [2], message: /missing ID/ },
  { name: "usage: an empty --out", cli: ["vhs", "get", KEEP_REF, "--out", ""], codes: [2], message: /--out needs a file name/ },
  { name: "usage: --project pointing at a file", setup: (c) => writeFileSync(join(c.dir, "file"), "x"), cli: (c) => ["vhs", "ls", "--project", join(c.dir, "file")], codes: [1], message: /\.tldrs|not a folder|ENOTDIR/ },
  { name: "ref: an unknown but valid ref", cli: ["vhs", "rm", H], message: /not found/ },
  { name: "ref: an unknown session", cli: ["session", "show", "no-such-session"], message: /not found/ },
  {
    name: "--out into a missing folder",
    cli: (c) => ["vhs", "get", KEEP_REF, "--out", join(c.dir, "missing", "dir", "x.bin")],
    message: /missing\/dir.*(folder does not exist|no such file)/,
  },
  { name: "--out onto an existing folder", cli: (c) => ["vhs", "get", KEEP_REF, "--out", c.sentinel], message: /sentinel/ },
  {
    name: "--out into a read-only folder",
    skip: () => (roDir ? null : roSkip),
    cli: () => ["vhs", "get", KEEP_REF, "--out", join(roDir!, "x.bin")],
    message: /read-only file system|permission denied/,
  },
  {
    name: "--out through a symlink to the sentinel is refused: the link is neither followed nor replaced",
    setup: (c) => symlinkSync(join(c.sentinel, "precious.txt"), join(c.dir, "link.txt")),
    cli: (c) => ["vhs", "get", KEEP_REF, "--out", join(c.dir, "link.txt")],
    message: /symbolic link/,
    after: (c) => expect(lstatSync(join(c.dir, "link.txt")).isSymbolicLink()).toBe(true),
  },
  { name: "stdin: closed at once stores the empty blob", cli: ["vhs", "put", "-"], spawn: true, stdin: "", codes: [0], after: (_c, r) => expect(r!.stdout.trim()).toBe(`vhs://${sha("")}`) },
  { name: "input: /dev/null (a device) is refused: only regular files are stored from a path", cli: ["vhs", "put", "/dev/null"], message: /character device.*tldrs vhs put -/ },
];

/** Hostile files planted in the store (setup), then an ordinary command. */
const FILE_CASES: Case[] = [
  { name: "database: random bytes", setup: (c) => writeFileSync(c.db, bytesOf(8192, 3)), cli: ["session", "ls"], plantedDb: true, message: /corrupt.*not a SQLite database/ },
  { name: "database: truncated to half", setup: (c) => writeFileSync(c.db, readFileSync(c.db).subarray(0, 4096 + 100)), cli: ["vhs", "put", "-"], stdin: "x", plantedDb: true, message: /corrupt/ },
  { name: "database: zero length", setup: (c) => writeFileSync(c.db, ""), cli: ["vhs", "ls"], plantedDb: true, message: /empty \(zero bytes\)/ },
  { name: "database: a newer schema refuses writes", setup: (c) => craftedFromStore(c, "PRAGMA user_version = 99"), cli: ["vhs", "put", "-"], stdin: "x", plantedDb: true, message: /schema version 99, newer/ },
  { name: "database: a newer schema still reads", setup: (c) => craftedFromStore(c, "PRAGMA user_version = 99"), cli: ["session", "ls"], codes: [0], plantedDb: true },
  { name: "database: a trigger on objects", setup: (c) => craftedFromStore(c, "CREATE TRIGGER t AFTER INSERT ON objects BEGIN DELETE FROM deliveries; END"), cli: ["vhs", "put", "-"], stdin: "x", plantedDb: true, message: /trigger/ },
  { name: "database: a trigger on deliveries", setup: (c) => craftedFromStore(c, "CREATE TRIGGER t BEFORE UPDATE ON deliveries BEGIN DELETE FROM objects; END"), cli: ["session", "ls"], plantedDb: true, message: /trigger/ },
  {
    name: "database: objects is a view that never ends",
    setup: async (c) => writeFileSync(c.db, await craftedImage(platform, "DROP TABLE objects; CREATE VIEW objects AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT hex(i) AS hash, i AS size, i AS stored_size, '' AS compression, '' AS created_at, '' AS last_accessed FROM n")),
    cli: ["vhs", "ls"],
    plantedDb: true,
    message: /"objects" is a view/,
  },
  {
    name: "database: deliveries is a view calling randomblob",
    setup: async (c) => writeFileSync(c.db, await craftedImage(platform, "DROP TABLE deliveries; CREATE VIEW deliveries AS SELECT randomblob(2000000000) AS session_id, 1 AS symbol_id, 1 AS etag, 1 AS representation, 1 AS vhs_ref, 1 AS token_estimate, 1 AS code_snapshot, 1 AS last_accessed")),
    cli: ["session", "ls"],
    plantedDb: true,
    message: /"deliveries" is a view/,
  },
  {
    name: "database: a view calling tldrs's own SQL function is never run",
    setup: (c) => craftedFromStore(c, "CREATE VIEW v AS SELECT tldrs_epoch_ms(last_accessed) FROM sessions"),
    cli: ["session", "cleanup", "--ttl-seconds", "999999999"],
    codes: [0],
  },
  { name: "database: objects lacks a column", setup: async (c) => writeFileSync(c.db, await craftedImage(platform, "DROP TABLE objects; CREATE TABLE objects (hash TEXT PRIMARY KEY)")), cli: ["vhs", "put", "-"], stdin: "x", plantedDb: true, message: /lacks the column/ },
  {
    name: "database: a symlink to a database in the sentinel folder",
    setup: async (c) => {
      writeFileSync(join(c.sentinel, "other.db"), await craftedImage(platform, "INSERT INTO sessions VALUES ('evil', 'a', 'b', 'fp', NULL)"));
      rmSync(c.db);
      symlinkSync(join(c.sentinel, "other.db"), c.db);
    },
    cli: ["session", "ls"],
    plantedDb: true,
    message: /symbolic link/,
  },
  { name: "database: a folder", setup: (c) => (rmSync(c.db), mkdirSync(c.db)), cli: ["vhs", "put", "-"], stdin: "x", plantedDb: true, message: /not a regular file/ },
  // The sql.js engine waits (up to the lock timeout) for a native connection, then refuses; the
  // native engine takes SQLite's locks and writes beside one (test/engine/mixed_fleet.test.ts).
  {
    name: "database: a -wal file beside it (a native writer), sql.js engine; the failed put leaves no blob file",
    setup: (c) => writeFileSync(`${c.db}-wal`, ""),
    cli: ["--engine", "sqljs", "vhs", "put", "-"],
    stdin: "x",
    undo: (c) => rmSync(`${c.db}-wal`),
    message: /native SQLite connection/,
    after: (c) => {
      const h = sha("x");
      expect(existsSync(join(c.root, "blobs", h.slice(0, 2), h.slice(2, 4), h)), "the blob file of the failed put").toBe(false);
      expect(readdirSync(join(c.root, "tmp"))).toEqual([]);
    },
  },
  {
    name: "blob: decompresses to more than its recorded size",
    setup: (c) => (rmSync(c.victimFile), writeFileSync(c.victimFile, deflateSync(Buffer.alloc(20_000_000)))),
    cli: ["vhs", "get", VICTIM_REF, "--out", "restored.bin"],
    message: /decodes to more than the recorded 3000 bytes/,
    after: (c) => expect(existsSync(join(c.project, "restored.bin"))).toBe(false),
  },
  { name: "blob: the file is a symlink to the sentinel", setup: (c) => (rmSync(c.victimFile), symlinkSync(join(c.sentinel, "precious.txt"), c.victimFile)), cli: ["vhs", "cat", VICTIM_REF], message: /symbolic link/ },
  { name: "blob: rm of a symlinked blob removes the link only", setup: (c) => (rmSync(c.victimFile), symlinkSync(join(c.sentinel, "precious.txt"), c.victimFile)), cli: ["vhs", "rm", VICTIM_REF], codes: [0] },
  { name: "blob: verify --repair of a symlinked blob never follows it", setup: (c) => (rmSync(c.victimFile), symlinkSync(join(c.sentinel, "precious.txt"), c.victimFile)), cli: ["vhs", "verify", "--repair"], codes: [0] },
  { name: "blob: the file is a folder", setup: (c) => (rmSync(c.victimFile), mkdirSync(c.victimFile)), cli: ["vhs", "cat", VICTIM_REF], message: /is a folder|not a regular file/ },
  { name: "blob: the file holds other bytes (--out: no file)", setup: (c) => (rmSync(c.victimFile), writeFileSync(c.victimFile, deflateSync(bytesOf(3000, 99)))), cli: ["vhs", "get", VICTIM_REF, "--out", "x.bin"], message: /integrity check/ },
  // Up to 8 MiB a blob is verified whole before its first byte goes to stdout: nothing is printed.
  { name: "blob: the file holds other bytes (cat: exit 1, no byte printed)", setup: (c) => (rmSync(c.victimFile), writeFileSync(c.victimFile, deflateSync(bytesOf(3000, 99)))), cli: ["vhs", "cat", VICTIM_REF], message: /integrity check/ },
  { name: "blob: the file holds other bytes (get to stdout: exit 1, no byte printed)", setup: (c) => (rmSync(c.victimFile), writeFileSync(c.victimFile, deflateSync(bytesOf(3000, 99)))), cli: ["vhs", "get", VICTIM_REF], message: /integrity check/ },
  {
    name: "blob: the integrity error names the command that repairs it, not an API call",
    setup: (c) => writeFileSync(c.victimFile, readFileSync(c.victimFile).subarray(0, 100)),
    cli: ["vhs", "cat", VICTIM_REF],
    message: /run tldrs vhs verify --repair to quarantine it/,
    after: (_c, r) => expect(r!.stderr).not.toMatch(/verify\(\{/),
  },
  {
    name: "blob: a row without its file: the error names the command that drops the row",
    setup: (c) => rmSync(c.victimFile),
    cli: ["vhs", "cat", VICTIM_REF],
    message: /run tldrs vhs verify --repair to drop the row/,
  },
  { name: "store: tmp/ is a symlink to the sentinel", setup: (c) => (rmSync(join(c.root, "tmp"), { recursive: true }), symlinkSync(c.sentinel, join(c.root, "tmp"))), cli: ["vhs", "put", "-"], stdin: "new data", message: /symbolic link/ },
  { name: "store: gc does not sweep through a symlinked tmp/", setup: (c) => (rmSync(join(c.root, "tmp"), { recursive: true }), symlinkSync(c.sentinel, join(c.root, "tmp")), writeFileSync(join(c.sentinel, "upload-1-old"), "x"), utimesSync(join(c.sentinel, "upload-1-old"), OLD, OLD)), cli: ["vhs", "gc"], codes: [0] },
  { name: "store: blobs/ is a symlink to the sentinel", setup: (c) => (renameSync(join(c.root, "blobs"), join(c.root, "blobs.real")), symlinkSync(c.sentinel, join(c.root, "blobs"))), cli: ["vhs", "put", "-"], stdin: "new data", message: /symbolic link/, undo: (c) => (rmSync(join(c.root, "blobs")), renameSync(join(c.root, "blobs.real"), join(c.root, "blobs"))) },
  { name: "lock: garbage inside, an hour old", setup: (c) => (writeFileSync(`${c.db}.lock`, bytesOf(300, 4)), utimesSync(`${c.db}.lock`, OLD, OLD)), cli: ["vhs", "put", "-"], stdin: "after garbage", codes: [0] },
  { name: "lock: a JSON record of a dead process", setup: (c) => writeFileSync(`${c.db}.lock`, JSON.stringify({ pid: 4_195_000, host: platform.hostname(), token: "t", created_ms: Date.now() })), cli: ["session", "cleanup", "--ttl-seconds", "999999999"], codes: [0] },
  { name: "lock: a symlink to /dev/zero", setup: (c) => (symlinkSync("/dev/zero", `${c.db}.lock`), lutimesSync(`${c.db}.lock`, OLD, OLD)), cli: ["vhs", "put", "-"], stdin: "after a link", codes: [0] },
  { name: "lock: a folder", setup: (c) => (mkdirSync(`${c.db}.lock`), utimesSync(`${c.db}.lock`, OLD, OLD)), cli: ["vhs", "put", "-"], stdin: "x", undo: (c) => rmSync(`${c.db}.lock`, { recursive: true }), message: /lock/ },
  { name: "default session: a symlink", setup: (c) => symlinkSync(join(c.sentinel, "precious.txt"), join(c.root, "default_session_id")), cli: ["session", "default"], message: /symbolic link/ },
  { name: "default session: binary garbage", setup: (c) => writeFileSync(join(c.root, "default_session_id"), bytesOf(100, 5)), cli: ["session", "default"], message: /does not hold a session id/ },
  { name: "default session: a 1 MB file", setup: (c) => writeFileSync(join(c.root, "default_session_id"), "a".repeat(1_000_000)), cli: ["session", "default"], message: /bytes long/ },
];

// ---- issue 13: every path that could still destroy data or leave the store -------------

const haveMknod = () => (process.getuid?.() === 0 && spawnSync("mknod", ["--version"]).status === 0 ? null : "needs root and mknod (a character device in the temp folder)");
const haveMkfifo = () => (spawnSync("mkfifo", ["--version"]).status === 0 ? null : "needs mkfifo");
/** A character device like /dev/null (1, 3), made in the case's own folder: never the system's. */
const makeNull = (path: string) => void execFileSync("mknod", [path, "c", "1", "3"]);
const mkfifo = (path: string) => void execFileSync("mkfifo", [path]);
const isCharDevice = (path: string) => lstatSync(path).isCharacterDevice();
const AA = sha(KEEP).slice(0, 2);
/** blobs/<aa> of KEEP moved into the sentinel and replaced by a link to it. */
const linkKeepPrefix = (c: Ctx) => {
  renameSync(join(c.root, "blobs", AA), join(c.sentinel, AA));
  symlinkSync(join(c.sentinel, AA), join(c.root, "blobs", AA));
};
const unlinkKeepPrefix = (c: Ctx) => {
  rmSync(join(c.root, "blobs", AA));
  renameSync(join(c.sentinel, AA), join(c.root, "blobs", AA));
};
const FUTURE = new Date(Date.now() + 3600_000);
const APP_PY = "def main():\n    return 1\n";

// A switch given a value: only --flag, --no-flag, --flag=true and --flag=false (yargs read
// --dry-run=yes as false, and gc deleted everything).
const SWITCH_CASES: Case[] = [
  ["gc --max-age-days 0 --dry-run=yes", ["vhs", "gc", "--max-age-days", "0", "--dry-run=yes"]],
  ["gc --max-size-mb 0 --dry-run=True", ["vhs", "gc", "--max-size-mb", "0", "--dry-run=True"]],
  ["gc --max-age-days 0 --dryRun=1 (camelCase)", ["vhs", "gc", "--max-age-days", "0", "--dryRun=1"]],
  ["gc --max-age-days 0 --help=yes", ["vhs", "gc", "--max-age-days", "0", "--help=yes"]],
  ["put --compress=xyz", ["vhs", "put", "-", "--compress=xyz"]],
  ["verify --repair=yes", ["vhs", "verify", "--repair=yes"]],
  ["ls --jsonl=1", ["vhs", "ls", "--jsonl=1"]],
  ["context --delta=on", ["context", "main", "--delta=on"]],
  ["doctor --json=no", ["doctor", "--json=no"]],
].map(([name, cli]) => ({ name: `switch: ${name as string}`, cli: cli as string[], stdin: "x", codes: [2], message: /is a switch: give it alone, as --no-[a-z-]+, or as --[a-z-]+=true or --[a-z-]+=false/ }));

const MORE_NUMBER_CASES: Case[] = [
  ["--limit= (empty)", ["vhs", "ls", "--limit="]],
  ["--no-limit", ["vhs", "ls", "--no-limit"]],
  ["--keep-last 1e3", ["vhs", "gc", "--keep-last", "1e3"]],
  ["--depth 2.5", ["context", "main", "--depth", "2.5"]],
].map(([name, cli]) => ({ name: `number: ${name as string}`, cli: cli as string[], codes: [2], message: /must be a (whole )?number/ }));

const OUT_CASES: Case[] = [
  { name: "--out onto the store's database is refused", cli: ["vhs", "get", KEEP_REF, "--out", ".tldrs/tldrs_state.db"], message: /inside the store folder/ },
  { name: "--out onto another blob's file is refused", cli: (c) => ["vhs", "get", KEEP_REF, "--out", c.victimFile], message: /inside the store folder/ },
  { name: "--out into a new file in the store folder is refused", cli: ["vhs", "get", KEEP_REF, "--out", ".tldrs/blobs/x.bin"], message: /inside the store folder/ },
  {
    name: "--out through a symlinked folder into the store is refused",
    setup: (c) => symlinkSync(c.root, join(c.dir, "into-store")),
    cli: (c) => ["vhs", "get", KEEP_REF, "--out", join(c.dir, "into-store", "tldrs_state.db")],
    message: /inside the store folder/,
  },
  {
    name: "--out onto a character device writes into it, never replaces it",
    skip: haveMknod,
    setup: (c) => makeNull(join(c.dir, "null")),
    cli: (c) => ["vhs", "get", KEEP_REF, "--out", join(c.dir, "null")],
    codes: [0],
    after: (c) => expect(isCharDevice(join(c.dir, "null"))).toBe(true),
  },
  {
    name: "--out onto a symlink to a character device writes into the device; the link stays",
    skip: haveMknod,
    setup: (c) => (makeNull(join(c.dir, "null")), symlinkSync(join(c.dir, "null"), join(c.dir, "null-link"))),
    cli: (c) => ["vhs", "get", KEEP_REF, "--out", join(c.dir, "null-link")],
    codes: [0],
    after: (c) => (expect(lstatSync(join(c.dir, "null-link")).isSymbolicLink()).toBe(true), expect(isCharDevice(join(c.dir, "null"))).toBe(true)),
  },
  {
    // The child's stdout is a socket (Node's stdio pipes are socket pairs): no file to write into.
    name: "--out onto a link to /proc/self/fd/1 (a socket) is refused; the link stays",
    skip: () => (existsSync("/proc/self/fd/1") ? null : "needs /proc"),
    setup: (c) => symlinkSync("/proc/self/fd/1", join(c.dir, "fd1")),
    cli: (c) => ["vhs", "get", KEEP_REF, "--out", join(c.dir, "fd1")],
    spawn: true,
    message: /symbolic link/,
    after: (c) => expect(lstatSync(join(c.dir, "fd1")).isSymbolicLink()).toBe(true),
  },
  { name: "--out - writes to stdout", cli: ["vhs", "get", KEEP_REF, "--out", "-"], codes: [0], after: (_c, r) => expect(sameBytes(r!.stdoutBytes, KEEP)).toBe(true) },
  { name: "--out with a name that is not valid UTF-8 (U+FFFD as Node decodes it) is refused", cli: ["vhs", "get", KEEP_REF, "--out", "out-\uFFFD.bin"], codes: [2], message: /not a valid UTF-8 name/ },
];

const PUT_INPUT_CASES: Case[] = [
  {
    name: "input: a symlink to a file outside is refused, as putFile refuses it",
    setup: (c) => symlinkSync(join(c.sentinel, "precious.txt"), join(c.dir, "link.txt")),
    cli: (c) => ["vhs", "put", join(c.dir, "link.txt")],
    message: /symbolic link; pass the file it points to/,
  },
  { name: "input: /dev/zero (never ends) is refused", cli: ["vhs", "put", "/dev/zero"], message: /character device.*tldrs vhs put -/ },
  {
    name: "input: a FIFO is refused without blocking",
    skip: haveMkfifo,
    setup: (c) => mkfifo(join(c.dir, "fifo")),
    cli: (c) => ["vhs", "put", join(c.dir, "fifo")],
    message: /FIFO/,
  },
  {
    name: "put: the same content over a blob file holding other bytes heals it",
    setup: (c) => writeFileSync(c.victimFile, deflateSync(bytesOf(3000, 99))),
    cli: ["vhs", "put", "-"],
    stdin: VICTIM,
    codes: [0],
    after: (_c, r) => expect(r!.stdout.trim()).toBe(VICTIM_REF),
  },
  {
    name: "put: the same content over a truncated blob file heals it",
    setup: (c) => writeFileSync(c.victimFile, readFileSync(c.victimFile).subarray(0, 10)),
    cli: ["vhs", "put", "-", "--compress"],
    stdin: VICTIM,
    codes: [0],
  },
];

const WHERE_CASES: Case[] = [
  {
    name: "usage: --project naming a missing folder creates nothing",
    cli: (c) => ["vhs", "put", "-", "--project", join(c.dir, "missing", "dir")],
    stdin: "x",
    message: /--project .*missing\/dir.*no such folder/,
  },
  {
    name: "usage: TLDRS_VHS_HOME under a missing folder creates nothing",
    env: (c) => ({ TLDRS_VHS_HOME: join(c.dir, "nope", "store") }),
    cli: ["vhs", "put", "-"],
    stdin: "x",
    message: /parent folder: no such folder/,
  },
  {
    name: "store: TLDRS_VHS_HOME=/proc/self ends with an error (recursive mkdir looped forever)",
    skip: () => (existsSync("/proc/self") ? null : "needs /proc"),
    env: () => ({ TLDRS_VHS_HOME: "/proc/self" }),
    cli: ["vhs", "put", "-"],
    stdin: "x",
    message: /Cannot create folder "\/proc\/self\/tmp"/,
  },
  { name: "usage: an unknown command with arguments is named", cli: ["frob", "x"], codes: [2], message: /unknown command "frob"/ },
  { name: "usage: an unknown subcommand with flags is named", cli: ["vhs", "frob", "--limit", "3"], codes: [2], message: /unknown command "vhs frob"/ },
  { name: "usage: an unknown command after --project is named", cli: ["--project", ".", "frob", "--limit", "3"], codes: [2], message: /unknown command "frob"/ },
];

/** Links planted at the store's folders, for every operation that reads, lists or deletes. */
const FOLDER_CASES: Case[] = [
  {
    name: "store: gc through a symlinked blobs/ deletes nothing outside",
    setup: (c) => {
      const z = "a blob-shaped file outside the store";
      const h = sha(z);
      mkdirSync(join(c.sentinel, h.slice(0, 2), h.slice(2, 4)), { recursive: true });
      writeFileSync(join(c.sentinel, h.slice(0, 2), h.slice(2, 4), h), z);
      renameSync(join(c.root, "blobs"), join(c.root, "blobs.real"));
      symlinkSync(c.sentinel, join(c.root, "blobs"));
    },
    cli: ["vhs", "gc", "--max-age-days", "0"],
    message: /"[^"]*\/blobs": it is a symbolic link/,
    undo: (c) => (rmSync(join(c.root, "blobs")), renameSync(join(c.root, "blobs.real"), join(c.root, "blobs"))),
  },
  ...(
    [
      ["rm", ["vhs", "rm", KEEP_REF]],
      ["gc", ["vhs", "gc", "--max-age-days", "0"]],
      ["verify --repair", ["vhs", "verify", "--repair"]],
      ["cat", ["vhs", "cat", KEEP_REF]],
      ["has", ["vhs", "has", KEEP_REF]],
      ["info", ["vhs", "info", KEEP_REF]],
    ] as const
  ).map(([verb, cli]): Case => ({
    name: `store: ${verb} through a symlinked blobs/<aa> is refused`,
    setup: linkKeepPrefix,
    cli: [...cli],
    message: new RegExp(`blobs/${AA}": it is a symbolic link`),
    undo: unlinkKeepPrefix,
  })),
  {
    name: "cache: a symlinked cache/ gets no file; context still answers",
    setup: (c) => (writeFileSync(join(c.project, "app.py"), APP_PY), symlinkSync(c.sentinel, join(c.root, "cache"))),
    cli: ["context", "main"],
    codes: [0],
    after: (_c, r) => (expect(r!.stdout).toContain("def main()"), expect(r!.stderr).toMatch(/symbol cache not written.*symbolic link/)),
  },
  {
    name: "cache: a cache file that is a link to a poisoned cache outside is not read",
    setup: (c) => {
      writeFileSync(join(c.project, "app.py"), APP_PY);
      const table = { symbols: [{ name: "main", qualified: "POISONED", kind: "function", start: 0, end: APP_PY.length, startLine: 1, endLine: 2, signature: "def main(): POISONED", parent: -1, calls: [] }], imports: [] };
      writeFileSync(join(c.sentinel, "poison.json"), JSON.stringify({ format: "tldrs-context-symbols", version: 4, tables: { [`python:${sha(APP_PY)}`]: table } }));
      mkdirSync(join(c.root, "cache"));
      symlinkSync(join(c.sentinel, "poison.json"), join(c.root, "cache", "context-symbols.json"));
    },
    cli: ["context", "main"],
    codes: [0],
    after: (_c, r) => (expect(r!.stdout).toContain("def main()"), expect(r!.stdout).not.toContain("POISONED")),
  },
  {
    name: "cache: a cache file that is a FIFO is not read and blocks nothing",
    skip: haveMkfifo,
    setup: (c) => (writeFileSync(join(c.project, "app.py"), APP_PY), mkdirSync(join(c.root, "cache")), mkfifo(join(c.root, "cache", "context-symbols.json"))),
    cli: ["context", "main"],
    codes: [0],
    after: (_c, r) => expect(r!.stdout).toContain("def main()"),
  },
];

/** Planted schema objects whose SQL SQLite would run while tldrs checks or uses the file. */
const SCHEMA_CASES: Case[] = [
  ["an index on an expression", "CREATE INDEX evil ON objects(length(hex(zeroblob(2e7 + size))))", /index "evil" is on an expression.*DROP INDEX "evil"/],
  ["a partial index", "CREATE INDEX p ON deliveries(etag) WHERE length(hex(zeroblob(2e7))) > 0", /index "p" is a partial index/],
  ["a table with a CHECK constraint", "CREATE TABLE t (a CHECK (length(hex(zeroblob(2e7 + a))) > 0)); INSERT INTO t VALUES (1)", /table "t" has a CHECK constraint/],
  ["a generated column", "CREATE TABLE g (a, b AS (length(hex(zeroblob(2e7 + a))))); INSERT INTO g (a) VALUES (1)", /generated column "b"/],
  ["a default that is an expression", "CREATE TABLE d (a, b DEFAULT (hex(zeroblob(2e7))))", /column "b" of the table "d" defaults to an expression/],
].map(([name, sql, message]): Case => ({ name: `database: ${name as string} is refused before any check runs it`, setup: (c) => craftedFromStore(c, sql as string), cli: ["vhs", "ls"], plantedDb: true, message: message as RegExp }));
SCHEMA_CASES.push({
  name: "database: plain tables and indexes of another tool, and ANALYZE's statistics, are accepted",
  setup: (c) => craftedFromStore(c, "CREATE TABLE notes (k TEXT PRIMARY KEY, v INTEGER DEFAULT 0, w TEXT DEFAULT 'x'); CREATE INDEX notes_v ON notes(v); INSERT INTO notes (k) VALUES ('a'); ANALYZE"),
  cli: ["vhs", "put", "-"],
  stdin: "x",
  codes: [0],
});

const LOCK_CASES: Case[] = [
  {
    name: "lock: a live process's record dated an hour in the future is stale",
    setup: (c) => writeFileSync(`${c.db}.lock`, JSON.stringify({ pid: process.pid, host: platform.hostname(), runtime: "node", token: "t", created_ms: FUTURE.getTime() })),
    cli: ["vhs", "put", "-"],
    stdin: "after a future lock",
    codes: [0],
  },
  {
    name: "lock: garbage with an mtime an hour in the future is stale",
    setup: (c) => (writeFileSync(`${c.db}.lock`, bytesOf(300, 6)), utimesSync(`${c.db}.lock`, FUTURE, FUTURE)),
    cli: ["vhs", "put", "-"],
    stdin: "after a future garbage lock",
    codes: [0],
  },
];

/** Broken stdin and destinations through the library and the in-process CLI. */
const STREAM_CASES: Case[] = [
  {
    name: "stdin: fails mid-way (ECONNRESET)",
    cli: ["vhs", "put", "-"],
    message: /ECONNRESET|connection reset/,
    after: (c) => expect(readdirSync(join(c.root, "tmp"))).toEqual([]),
  },
];

/**
 * The remote (issue 19): hostile --remote, TLDRS_REMOTE and AWS_* values, all refused before
 * any request is made (the endpoint below listens nowhere: a request would fail otherwise).
 * Every credential-looking value must stay out of the output.
 */
const NOWHERE = "http://127.0.0.1:9";
const REMOTE_ENV = { TLDRS_REMOTE: "s3://team/ci", AWS_ACCESS_KEY_ID: "AKIDCORPUS", AWS_SECRET_ACCESS_KEY: "corpus-secret-value", AWS_ENDPOINT_URL: NOWHERE };
const noSecret = (_c: Ctx, r: RunResult | null) => expect(`${r!.stdout}${r!.stderr}`).not.toMatch(/corpus-secret-value|AKIDCORPUS|hunter2/);
const REMOTE_FLAG_CASES: Case[] = [
  ["a bucket of dots", "s3://../etc", /Invalid remote bucket/],
  ["a parent segment in the prefix", "s3://team/../../etc", /'\.\.' segment/],
  ["another scheme", "http://evil.example/x", /not of the form s3:\/\//],
  ["percent-encoding in the prefix", "s3://team/a%2f..%2fb", /may only hold/],
  ["a newline in the prefix", "s3://team/ci\nx", /control character/],
  ["an uppercase bucket", "s3://Team/ci", /Invalid remote bucket/],
  ["a bucket shaped like an IP address", "s3://192.168.1.1/ci", /IP address/],
  ["a two-letter bucket", "s3://ab/ci", /Invalid remote bucket/],
  ["an empty value", "", /--remote needs an s3:/],
].map(([name, value, message]) => ({ name: `remote: --remote with ${name as string}`, cli: ["vhs", "push", KEEP_REF, "--remote", value as string], codes: [2], message: message as RegExp }));
const REMOTE_ENV_CASES: Case[] = [
  { name: "remote: TLDRS_REMOTE with a parent segment", env: () => ({ ...REMOTE_ENV, TLDRS_REMOTE: "s3://team/../x" }), cli: ["vhs", "push", KEEP_REF], message: /segment.*\(from env TLDRS_REMOTE\)/ },
  { name: "remote: AWS_ENDPOINT_URL with another scheme", env: () => ({ ...REMOTE_ENV, AWS_ENDPOINT_URL: "ftp://127.0.0.1/" }), cli: ["vhs", "pull", H], message: /must start with http/ },
  { name: "remote: AWS_ENDPOINT_URL with a password in it", env: () => ({ ...REMOTE_ENV, AWS_ENDPOINT_URL: "http://user:hunter2@127.0.0.1:9" }), cli: ["vhs", "pull", H], message: /user name or password/, after: noSecret },
  { name: "remote: AWS_ENDPOINT_URL with a query", env: () => ({ ...REMOTE_ENV, AWS_ENDPOINT_URL: `${NOWHERE}/?x=1` }), cli: ["vhs", "push", KEEP_REF], message: /query or fragment/ },
  { name: "remote: AWS_REGION with a shell command", env: () => ({ ...REMOTE_ENV, AWS_REGION: "us-east-1; rm -rf /" }), cli: ["vhs", "push", KEEP_REF], message: /not a region name/ },
  { name: "remote: AWS_ACCESS_KEY_ID with a newline", env: () => ({ ...REMOTE_ENV, AWS_ACCESS_KEY_ID: "AKIDCORPUS\nX-Injected: 1" }), cli: ["vhs", "push", KEEP_REF], message: /access key id has a character/, after: noSecret },
  { name: "remote: a malformed TLDRS_REMOTE leaves local reads working", env: () => ({ ...REMOTE_ENV, TLDRS_REMOTE: "s3://../x" }), cli: ["vhs", "cat", KEEP_REF], codes: [0] },
  { name: "remote: push without a remote configured", cli: ["vhs", "push", KEEP_REF], codes: [2], message: /no remote configured/ },
  { name: "remote: push with REFS and --all", env: () => REMOTE_ENV, cli: ["vhs", "push", KEEP_REF, "--all"], codes: [2], message: /not both/ },
  { name: "remote: push with nothing to push", env: () => REMOTE_ENV, cli: ["vhs", "push"], codes: [2], message: /missing REFS/ },
  { name: "remote: pull of a parent path", env: () => REMOTE_ENV, cli: ["vhs", "pull", "../../etc/passwd"], message: /Invalid ref/, after: noSecret },
];
const LIB_REMOTE_CALLS: Array<[string, NonNullable<Case["lib"]>, RegExp]> = [
  ["a remote option with a bucket of dots", (_s, c) => openStoreWith(platform, { project: c.project, remote: "s3://../x" }), /Invalid remote bucket/],
  ["a remote partBytes below the S3 minimum", (_s, c) => openStoreWith(platform, { project: c.project, remote: { url: "s3://team/ci", partBytes: 1024 } }), /Invalid argument "options.remote.partBytes"/],
  ["a misspelled remote option", (_s, c) => openStoreWith(platform, { project: c.project, remote: any({ url: "s3://team/ci", endpiont: NOWHERE }) }), /Invalid argument "options.remote.endpiont"/],
  ["a remote option of the wrong type", (_s, c) => openStoreWith(platform, { project: c.project, remote: any(42) }), /Invalid argument "options.remote"/],
  ["remote.push of a parent path", (_s, c) => withRemote(c, (s) => s.remote!.push(["../../etc/passwd"])), /Invalid ref/],
  ["remote.push of a string instead of an array", (_s, c) => withRemote(c, (s) => s.remote!.push(any(KEEP_REF))), /Invalid argument "refs"/],
  ["put with expect of a parent path", (s) => s.vhs.put("x", { expect: "../../etc/passwd" }), /Invalid ref/],
  ["put with expect of another content", (s) => s.vhs.put("not what was expected", { expect: KEEP_REF }), /hashes to .*nothing was stored/],
];
const LIB_REMOTE_CASES: Case[] = LIB_REMOTE_CALLS.map(([name, lib, message]) => ({ name: `library: ${name}`, lib, message }));

async function withRemote(c: Ctx, run: (s: Store) => Promise<unknown>): Promise<unknown> {
  const s = await openStoreWith(platform, { project: c.project, remote: { url: "s3://team/ci", endpoint: NOWHERE, credentials: { accessKeyId: "AKIDCORPUS", secretAccessKey: "corpus-secret-value" } } });
  try {
    return await run(s);
  } finally {
    await s.close();
  }
}

// `tldrs mcp` tools: paths an agent names must stay inside the project (the sentinel folder
// beside it holds the targets), arguments are refused with the CLI's words.
const fifoIn = (c: Ctx, name: string) => execFileSync("mkfifo", [join(c.project, name)]);
const noMkfifo = () => (spawnSync("mkfifo", ["--version"]).status === 0 ? null : "no mkfifo here");
const MCP_CASES: Case[] = [
  { name: "mcp vhs_put: a parent path to the sentinel", mcp: ["vhs_put", { path: "../sentinel/precious.txt" }], message: /".." is not allowed/ },
  { name: "mcp vhs_put: a parent path inside the project", mcp: ["vhs_put", { path: "sub/../x.txt" }], message: /".." is not allowed/ },
  { name: "mcp vhs_put: an absolute path outside", mcp: ["vhs_put", (c) => ({ path: join(c.sentinel, "precious.txt") })], message: /is outside the project/ },
  { name: "mcp vhs_put: /etc/passwd", mcp: ["vhs_put", { path: "/etc/passwd" }], message: /is outside the project/ },
  { name: "mcp vhs_put: a symlink to a file outside", setup: (c) => symlinkSync(join(c.sentinel, "precious.txt"), join(c.project, "link.txt")), mcp: ["vhs_put", { path: "link.txt" }], message: /"link.txt" is a symbolic link/ },
  { name: "mcp vhs_put: a file under a symlinked folder", setup: (c) => symlinkSync(c.sentinel, join(c.project, "linked")), mcp: ["vhs_put", { path: "linked/precious.txt" }], message: /"linked" is a symbolic link/ },
  { name: "mcp vhs_put: a symlink to /dev/zero", setup: (c) => symlinkSync("/dev/zero", join(c.project, "zero")), mcp: ["vhs_put", { path: "zero" }], message: /is a symbolic link/ },
  { name: "mcp vhs_put: a FIFO", skip: noMkfifo, setup: (c) => void fifoIn(c, "pipe"), mcp: ["vhs_put", { path: "pipe" }], message: /is not a regular file/ },
  {
    name: "mcp vhs_put: a device node",
    skip: () => (spawnSync("mknod", ["--version"]).status === 0 ? null : "no mknod here"),
    setup: (c) => {
      // Making a device node needs root (or CAP_MKNOD): without it, a FIFO stands in.
      if (spawnSync("mknod", [join(c.project, "dev"), "c", "1", "5"]).status !== 0) execFileSync("mkfifo", [join(c.project, "dev")]);
    },
    mcp: ["vhs_put", { path: "dev" }],
    message: /is not a regular file/,
  },
  { name: "mcp vhs_put: a folder", setup: (c) => mkdirSync(join(c.project, "folder")), mcp: ["vhs_put", { path: "folder" }], message: /is a folder/ },
  { name: "mcp vhs_put: the project itself", mcp: ["vhs_put", { path: "." }], message: /the project folder itself/ },
  { name: "mcp vhs_put: a NUL in the path", mcp: ["vhs_put", { path: "a\u0000b" }], message: /NUL/ },
  { name: "mcp vhs_put: text and path", mcp: ["vhs_put", { text: "x", path: "x" }], message: /exactly one/ },
  { name: "mcp vhs_put: text of a number", mcp: ["vhs_put", { text: 42 }], message: /text must be a string/ },
  { name: "mcp vhs_get: a parent path as the ref", mcp: ["vhs_get", { ref: "vhs://../../../etc/passwd" }], message: /Invalid ref/ },
  { name: "mcp vhs_get: a negative offset", mcp: ["vhs_get", { ref: KEEP_REF, offset: -1 }], message: /offset must be a whole number/ },
  { name: "mcp vhs_get: a huge length", mcp: ["vhs_get", { ref: KEEP_REF, length: 1e12 }], message: /length must be at most/ },
  { name: "mcp vhs_get: end before start", mcp: ["vhs_get", { ref: KEEP_REF, start_line: 5, end_line: 2 }], message: /end_line must be at least/ },
  { name: "mcp vhs_info: a ref of the wrong type", mcp: ["vhs_info", { ref: [KEEP_REF] }], message: /ref must be a non-empty string/ },
  { name: "mcp context: depth NaN as text", mcp: ["context", { entry: "main", depth: "NaN" }], message: /depth must be a whole number/ },
  { name: "mcp context: an include outside the store", mcp: ["context", { entry: "main", include: ["/etc/passwd"] }], message: /Invalid ref/ },
  { name: "mcp context: a misspelled argument", mcp: ["context", { entry: "main", sessionId: "x" }], message: /unknown argument "sessionId"/ },
  { name: "mcp session_stats: a session id with NUL", mcp: ["session_stats", { session_id: "a\u0000b" }], message: /Invalid argument/ },
];

// The context flags of issue 16, the global --json, --jsonl and completion: refused in one line
// (exit 2) before anything runs, or handled (a binary include is summarized, never decoded).
const withApp = (c: Ctx) => writeFileSync(join(c.project, "app.py"), APP_PY);
const ISSUE16_USAGE: Array<[string, string[], RegExp]> = [
  ["context --zoom L5", ["context", "main", "--zoom", "L5"], /--zoom must be one of L0, L1, L2, L3, L4, got "L5"/],
  ["context --zoom without a value", ["context", "main", "--zoom"], /--zoom must be one of .*, got ""/],
  ["context -z 4", ["context", "main", "-z", "4"], /--zoom must be one of .*, got "4"/],
  ["context --preset fast", ["context", "main", "--preset", "fast"], /--preset must be one of compact, minimal, multi-turn, got "fast"/],
  ["context --format cache-friendly (a Python format)", ["context", "main", "--format=cache-friendly"], /--format must be one of text, ultracompact, json/],
  ["context --budget 1.5", ["context", "main", "--budget", "1.5"], /--budget must be a whole number of 0 or more, got "1.5"/],
  ["context --budget 1e3", ["context", "main", "--budget", "1e3"], /--budget must be a whole number of 0 or more, got "1e3"/],
  ["context --max-lines -1", ["context", "main", "--max-lines", "-1"], /--max-lines must be a whole number/],
  ["context --max-bytes= (empty)", ["context", "main", "--max-bytes="], /--max-bytes must be a whole number of 0 or more, got ""/],
  ["context --no-budget", ["context", "main", "--no-budget"], /--budget must be a whole number of 0 or more, got "--no-budget"/],
  ["context --include-body=yes", ["context", "main", "--include-body=yes"], /--include-body is a switch/],
  ["context --with-docs=1", ["context", "main", "--with-docs=1"], /--with-docs is a switch/],
  ["context --strip-comments=no", ["context", "main", "--strip-comments=no"], /--strip-comments is a switch/],
  ["context --cache=off", ["context", "main", "--cache=off"], /--cache is a switch/],
  ["context --no-cache=false", ["context", "main", "--no-cache=false"], /--no-cache takes no value/],
  ["vhs stats --json=yes (the global switch)", ["vhs", "stats", "--json=yes"], /--json is a switch/],
  ["session ls --jsonl=yes", ["session", "ls", "--jsonl=yes"], /--jsonl is a switch/],
  ["context --zoom L1 --include-body", ["context", "main", "--zoom", "L1", "--include-body"], /--include-body asks for code, --zoom L1 for less/],
  ["context --json --format ultracompact", ["context", "main", "--json", "--format", "ultracompact"], /--json asks for --format json, not --format ultracompact/],
  ["context --with-doc (misspelled)", ["context", "main", "--with-doc"], /^tldrs: unknown option "--with-doc" \(did you mean --with-docs\?\)/],
  ["context --delegate (a Python flag tldrs lacks)", ["context", "main", "--delegate", "plan it"], /^tldrs: unknown option "--delegate"/],
  ["completion fish", ["completion", "fish"], /SHELL must be bash or zsh, got "fish"/],
  ["--print-completion tcsh", ["--print-completion", "tcsh"], /SHELL must be bash or zsh, got "tcsh"/],
  ["completion bash --json", ["completion", "bash", "--json"], /--json does not apply: tldrs completion does not print JSON/],
  ["vhs cat --json", ["vhs", "cat", KEEP_REF, "--json"], /--json does not apply: tldrs vhs cat does not print JSON/],
];
const ISSUE16_CLI_CASES: Case[] = [
  ...ISSUE16_USAGE.map(([name, cli, message]): Case => ({ name: `usage: ${name}`, setup: withApp, cli, codes: [2], message })),
  {
    name: "context: a binary --include is one summary line, never U+FFFD, within --max-bytes",
    setup: withApp,
    cli: ["context", "main", "--include", VICTIM_REF, "--max-bytes", "2000"],
    codes: [0],
    after: (_c, r) => {
      expect(r!.stdout).toContain(`# Included ${VICTIM_REF}: binary, ${VICTIM.length} bytes`);
      expect(r!.stdout).not.toContain("\ufffd");
      expect(Buffer.byteLength(r!.stdout)).toBeLessThanOrEqual(2000);
    },
  },
  {
    name: "context: --max-lines 1 still prints the entry's signature, with a warning",
    setup: withApp,
    cli: ["context", "main", "--max-lines", "1"],
    codes: [0],
    after: (_c, r) => {
      expect(r!.stdout).toContain("def main()\n");
      expect(r!.stderr).toMatch(/^tldrs: warning: the output is over the limits/);
    },
  },
  { name: "completion: words that are no command, a NUL, a lone -- are handled", cli: ["__complete", "--", "frob", "a\u0000b", "--", ""], codes: [0], after: (_c, r) => expect(r!.stdout).toBe("") },
];
const ctxOpener = (store: Store) => async () => ({ vhs: store.vhs, state: store.state, close: async () => {} });
const ISSUE16_LIB_CASES: Case[] = (
  [
    ["runContext zoom L5", { zoom: "L5" }, /"zoom"/],
    ["runContext includeBody yes", { includeBody: "yes" }, /"includeBody"/],
    ["runContext withDocs 1", { withDocs: 1 }, /"withDocs"/],
    ["runContext stripComments null", { stripComments: null }, /"stripComments"/],
    ["runContext preset huge", { preset: "huge" }, /"preset"/],
    ["runContext budget 1.5", { budget: 1.5 }, /"budget"/],
    ["runContext maxBytes -1", { maxBytes: -1 }, /"maxBytes"/],
    ["runContext onProgress not a function", { onProgress: "x" }, /"onProgress"/],
    ["runContext a misspelled option (withDoc)", { withDoc: true }, /"options\.withDoc": expected one of the known options/],
  ] as Array<[string, Record<string, unknown>, RegExp]>
).map(([name, options, message]): Case => ({
  name: `library: ${name}`,
  setup: withApp,
  lib: (store, c) => runContext(platform, { entry: "main", project: c.project, ...(options as object) }, ctxOpener(store)),
  message,
}));
const ISSUE16_MCP_CASES: Case[] = [
  { name: "mcp context: include_body as text", setup: withApp, mcp: ["context", { entry: "main", include_body: "yes" }], message: /include_body must be true or false, got "yes"/ },
  { name: "mcp context: zoom L9", setup: withApp, mcp: ["context", { entry: "main", zoom: "L9" }], message: /zoom must be one of L0, L1, L2, L3, L4, got "L9"/ },
  { name: "mcp context: a negative budget", setup: withApp, mcp: ["context", { entry: "main", budget: -1 }], message: /budget must be a whole number of 0 or more/ },
  { name: "mcp context: with_docs 1", setup: withApp, mcp: ["context", { entry: "main", with_docs: 1 }], message: /with_docs must be true or false/ },
];

const CASES: Case[] = [
  ...REF_CASES, ...LIB_REF_CASES, ...LIB_ARG_CASES, ...LIB_HANDLED_CASES, ...NUMBER_CASES, ...OTHER_CLI_CASES, ...FILE_CASES, ...STREAM_CASES,
  ...SWITCH_CASES, ...MORE_NUMBER_CASES, ...OUT_CASES, ...PUT_INPUT_CASES, ...WHERE_CASES, ...FOLDER_CASES, ...SCHEMA_CASES, ...LOCK_CASES,
  ...REMOTE_FLAG_CASES, ...REMOTE_ENV_CASES, ...LIB_REMOTE_CASES,
  ...MCP_CASES,
  ...ISSUE16_CLI_CASES, ...ISSUE16_LIB_CASES, ...ISSUE16_MCP_CASES,
];

async function runCli(c: Ctx, k: Case): Promise<RunResult> {
  const args = typeof k.cli === "function" ? k.cli(c) : k.cli!;
  const env = k.env?.(c);
  if (k.spawn) return spawnCli(args, { cwd: c.project, ...(k.stdin !== undefined ? { stdin: k.stdin } : {}), ...(env ? { env } : {}) });
  if (k.name.startsWith("stdin: fails")) {
    const io = captureIo({ cwd: c.project, env: {} });
    const failing = (async function* () {
      yield new Uint8Array(70_000);
      throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read" });
    })();
    const code = await main(args, { ...io, stdin: failing });
    return { code, stdout: io.stdoutText(), stdoutBytes: io.stdoutBytes(), stderr: io.stderrText() };
  }
  return cli(args, { cwd: c.project, ...(k.stdin !== undefined ? { stdin: k.stdin } : {}), ...(env ? { env } : {}) });
}

describe("bad-input corpus", () => {
  it("has at least 60 cases", () => {
    console.info(`bad-input corpus: ${CASES.length} cases (${CASES.filter((k) => k.lib).length} library, ${CASES.filter((k) => k.mcp).length} MCP, ${CASES.filter((k) => !k.lib && !k.mcp).length} CLI)`);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES.map((k) => [k.name, k] as const))("%s", async (_name, k) => {
    const skip = k.skip?.();
    if (skip) {
      console.warn(`skipped: ${k.name}: ${skip}`);
      return;
    }
    const c = await makeProject();
    await k.setup?.(c);
    const planted = k.plantedDb ? describePath(c.db) : null;
    const outside = outsideState(c.dir, c.root);

    let result: RunResult | null = null;
    if (k.mcp) {
      const [tool, args] = k.mcp;
      const store = await openStoreWith(platform, { project: c.project });
      const logged: string[] = [];
      const ctx = { store, platform, project: c.project, tallies: new SessionTallies("start") };
      const r = await callTool(TOOLS.find((t) => t.name === tool)!, typeof args === "function" ? args(c) : args, ctx, (l) => logged.push(l));
      await store.close();
      const text = r.content.map((b) => b.text).join("\n");
      expect(r.isError, `should fail: ${text}`).toBe(true);
      expect(text.split("\n")).toHaveLength(1);
      expect(text).not.toMatch(/internal error/);
      expect(logged).toEqual([]);
      if (k.message) expect(text).toMatch(k.message);
    } else if (k.lib) {
      const store = await openStoreWith(platform, { project: c.project });
      const err = await k.lib(store, c).then(
        () => null,
        (e: unknown) => e,
      );
      await store.close();
      if (k.codes?.includes(0)) expect(err, `should be handled: ${String((err as Error)?.stack ?? err)}`).toBeNull();
      else {
        expect(err, "the call should fail").not.toBeNull();
        expect(isTldrsError(err) || isArgumentError(err), `not a TldrsError nor an argument error: ${String((err as Error)?.stack ?? err)}`).toBe(true);
        if (k.message) expect((err as Error).message).toMatch(k.message);
      }
    } else {
      result = await runCli(c, k);
      const codes = k.codes ?? [1];
      expect(codes, `exit ${result.code}; stderr: ${result.stderr}`).toContain(result.code);
      expect(result.stderr).not.toMatch(/\n\s+at |internal error/);
      if (result.code !== 0) {
        expect(result.stderr).toMatch(/^tldrs: /);
        expect(result.stderr.trim().split("\n").length).toBeLessThanOrEqual(2); // the line, and "Run ... --help" for usage errors
        if (k.message) expect(result.stderr).toMatch(k.message);
        if (!k.partialStdout) expect(result.stdout === "" || result.stdout === "{}\n" || result.stdout === "[]\n", `stdout: ${result.stdout.slice(0, 200)}`).toBe(true);
      }
    }
    k.after?.(c, result);

    // Nothing written outside .tldrs/ (but what the case says it creates).
    const now = outsideState(c.dir, c.root);
    const created = new Set(k.creates?.(c) ?? []);
    for (const [p, v] of outside) if (!created.has(p)) expect(now.get(p), `changed outside the store: ${p}`).toBe(v);
    for (const p of now.keys()) if (!outside.has(p)) expect(created.has(p), `created outside the store: ${p}`).toBe(true);
    expect(readFileSync(join(c.sentinel, "precious.txt"), "utf8")).toBe("precious\n");

    // Nothing stored before is lost.
    if (planted) {
      expect(describePath(c.db), "the planted database was changed").toBe(planted);
    } else {
      k.undo?.(c);
      const store = await openStoreWith(platform, { project: c.project });
      expect(sameBytes(await store.vhs.get(KEEP_REF), KEEP)).toBe(true);
      expect((await store.state.getDelivery("keep", "f"))?.etag).toBe("e1");
      if (!k.name.startsWith("blob:")) expect(sameBytes(await store.vhs.get(VICTIM_REF), VICTIM)).toBe(true);
      await store.close();
    }
  });
});
