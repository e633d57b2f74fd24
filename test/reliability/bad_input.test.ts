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
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureIo } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import { isArgumentError, isTldrsError } from "../../src/errors.ts";
import { SCHEMA_DDL } from "../../src/engine/schema.ts";
import { loadSqlJs } from "../../src/engine/sqljs.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openStoreWith, type Store } from "../../src/store.ts";
import { cli, spawnCli, type RunResult } from "../cli/cli_helpers.ts";
import { tempDir } from "../helpers/tmp.ts";
import { bytesOf, sameBytes } from "./helpers.ts";

const platform = createNodePlatform();
const KEEP = bytesOf(5_000, 1);
const VICTIM = bytesOf(3_000, 2);
const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");
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
      } else out.set(p, st.isSymbolicLink() ? `link ${p}` : `${st.size} ${sha(readFileSync(p))} ${st.mtimeMs}`);
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

async function craftedDb(sql: string): Promise<Buffer> {
  const SQL = await loadSqlJs(platform);
  const db = new SQL.Database();
  try {
    db.exec(SCHEMA_DDL);
    db.exec(sql);
    return Buffer.from(db.export());
  } finally {
    db.close();
  }
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
  /** Run the built binary instead (real stdio). */
  spawn?: boolean;
  /** A library call instead of the CLI. */
  lib?: (store: Store, c: Ctx) => Promise<unknown>;
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
  ["putFile of a Buffer path", (s) => s.vhs.putFile(any(Buffer.from("/etc/passwd")))],
  ["gc with maxAgeDays -0.5", (s) => s.vhs.gc({ maxAgeDays: -0.5 })],
  ["gc with maxSizeMb -Infinity", (s) => s.vhs.gc({ maxSizeMb: -Infinity })],
  ["put with compressMinBytes NaN", (s) => s.vhs.put("x", { compressMinBytes: Number.NaN })],
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
  ["--budget 0", ["context", "main", "--budget", "0"]],
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
    name: "--out through a symlink to the sentinel replaces the link, not the target",
    setup: (c) => symlinkSync(join(c.sentinel, "precious.txt"), join(c.dir, "link.txt")),
    cli: (c) => ["vhs", "get", KEEP_REF, "--out", join(c.dir, "link.txt")],
    codes: [0],
    creates: (c) => [join(c.dir, "link.txt")],
  },
  { name: "stdin: closed at once stores the empty blob", cli: ["vhs", "put", "-"], spawn: true, stdin: "", codes: [0], after: (_c, r) => expect(r!.stdout.trim()).toBe(`vhs://${sha("")}`) },
  { name: "input: /dev/null (a device) stores the empty blob", cli: ["vhs", "put", "/dev/null"], codes: [0], after: (_c, r) => expect(r!.stdout.trim()).toBe(`vhs://${sha("")}`) },
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
    setup: async (c) => writeFileSync(c.db, await craftedDb("DROP TABLE objects; CREATE VIEW objects AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT hex(i) AS hash, i AS size, i AS stored_size, '' AS compression, '' AS created_at, '' AS last_accessed FROM n")),
    cli: ["vhs", "ls"],
    plantedDb: true,
    message: /"objects" is a view/,
  },
  {
    name: "database: deliveries is a view calling randomblob",
    setup: async (c) => writeFileSync(c.db, await craftedDb("DROP TABLE deliveries; CREATE VIEW deliveries AS SELECT randomblob(2000000000) AS session_id, 1 AS symbol_id, 1 AS etag, 1 AS representation, 1 AS vhs_ref, 1 AS token_estimate, 1 AS code_snapshot, 1 AS last_accessed")),
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
  { name: "database: objects lacks a column", setup: async (c) => writeFileSync(c.db, await craftedDb("DROP TABLE objects; CREATE TABLE objects (hash TEXT PRIMARY KEY)")), cli: ["vhs", "put", "-"], stdin: "x", plantedDb: true, message: /lacks the column/ },
  {
    name: "database: a symlink to a database in the sentinel folder",
    setup: async (c) => {
      writeFileSync(join(c.sentinel, "other.db"), await craftedDb("INSERT INTO sessions VALUES ('evil', 'a', 'b', 'fp', NULL)"));
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
  { name: "database: a -wal file beside it (a native writer), sql.js engine", setup: (c) => writeFileSync(`${c.db}-wal`, ""), cli: ["--engine", "sqljs", "vhs", "put", "-"], stdin: "x", undo: (c) => rmSync(`${c.db}-wal`), message: /native SQLite connection/ },
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
  // To stdout the bytes stream out as they are decoded; the hash is known at the end: exit 1.
  { name: "blob: the file holds other bytes (cat: exit 1)", setup: (c) => (rmSync(c.victimFile), writeFileSync(c.victimFile, deflateSync(bytesOf(3000, 99)))), cli: ["vhs", "cat", VICTIM_REF], message: /integrity check/, partialStdout: true },
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

/** Broken stdin and destinations through the library and the in-process CLI. */
const STREAM_CASES: Case[] = [
  {
    name: "stdin: fails mid-way (ECONNRESET)",
    cli: ["vhs", "put", "-"],
    message: /ECONNRESET|connection reset/,
    after: (c) => expect(readdirSync(join(c.root, "tmp"))).toEqual([]),
  },
];

const CASES: Case[] = [...REF_CASES, ...LIB_REF_CASES, ...LIB_ARG_CASES, ...LIB_HANDLED_CASES, ...NUMBER_CASES, ...OTHER_CLI_CASES, ...FILE_CASES, ...STREAM_CASES];

async function runCli(c: Ctx, k: Case): Promise<RunResult> {
  const args = typeof k.cli === "function" ? k.cli(c) : k.cli!;
  if (k.spawn) return spawnCli(args, { cwd: c.project, ...(k.stdin !== undefined ? { stdin: k.stdin } : {}) });
  if (k.name.startsWith("stdin: fails")) {
    const io = captureIo({ cwd: c.project, env: {} });
    const failing = (async function* () {
      yield new Uint8Array(70_000);
      throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read" });
    })();
    const code = await main(args, { ...io, stdin: failing });
    return { code, stdout: io.stdoutText(), stdoutBytes: io.stdoutBytes(), stderr: io.stderrText() };
  }
  return cli(args, { cwd: c.project, ...(k.stdin !== undefined ? { stdin: k.stdin } : {}) });
}

describe("bad-input corpus", () => {
  it("has at least 60 cases", () => {
    console.info(`bad-input corpus: ${CASES.length} cases (${CASES.filter((k) => k.lib).length} library, ${CASES.filter((k) => !k.lib).length} CLI)`);
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
    if (k.lib) {
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
