/**
 * The conformance suite: one list of cases, run by vitest on Node (node.test.ts) and by
 * runner.ts on Deno and Bun (runtimes.test.ts launches those). A case uses only the public
 * API of the entry (`src/node.ts`, what `import "tldrs"` gives) and the tiny assert beside
 * it; fixtures (a symlink, a damaged file) are made with node:fs, which all three provide.
 *
 * The "platform:" and "lock:" cases pin the behaviours that differ between runtimes and that
 * src/platform/node.ts absorbs: process liveness (Deno without --allow-run), unlink of a
 * folder (Deno removes an empty one), mtime precision (whole ms on Deno), O_NOFOLLOW,
 * O_EXCL on a dangling symlink, hard links, rename errors and folder fsync.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createNobleHasher,
  createNodePlatform,
  isArgumentError,
  isTldrsError,
  openStore,
  parseRef,
  type OpenStoreOptions,
  type Store,
} from "../../src/node.ts";
import { bytesOf, readAll, streamOf } from "../helpers/bytes.ts";
import { equal, ok, rejects, throws } from "./assert.ts";
import { engineCases } from "./engine_cases.ts";
import { stateDbOf } from "../../src/store.ts";

export interface CaseContext {
  /** A fresh temp folder, removed after the case. */
  dir(): string;
  /** A store in a fresh folder (or as `options` say), closed after the case. */
  store(options?: OpenStoreOptions): Promise<Store>;
}

export interface ConformanceCase {
  name: string;
  run(t: CaseContext): Promise<void>;
}

/** A pid no process can have (above Linux's largest pid_max, 2^22, and macOS's 99999). */
const DEAD_PID = 4_195_000;
const HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; // sha256("hello")
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; // sha256("")
const enc = new TextEncoder();

/** Runs one case with its own temp folders and stores, cleaned up whatever happens. */
export async function runCase(c: ConformanceCase): Promise<void> {
  const dirs: string[] = [];
  const stores: Store[] = [];
  const t: CaseContext = {
    dir() {
      const d = mkdtempSync(join(tmpdir(), "tldrs-conf-"));
      dirs.push(d);
      return d;
    },
    async store(options) {
      const s = await openStore(options ?? { root: join(t.dir(), ".tldrs") });
      stores.push(s);
      return s;
    },
  };
  try {
    await c.run(t);
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}


function nobleHex(bytes: Uint8Array): string {
  const h = createNobleHasher();
  h.update(bytes);
  return h.digestHex();
}



function blobFile(store: Store, ref: string): string {
  const hash = parseRef(ref);
  return join(store.blobRoot, hash.slice(0, 2), hash.slice(2, 4), hash);
}

function code(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

/** Writes a lock file as a writer on `host` with `pid` would. */
function writeLock(store: Store, pid: number, host: string, ageMs = 0): void {
  const created = Date.now() - ageMs;
  const record = { pid, host, runtime: "test", token: "feed".repeat(8), created_at: new Date(created).toISOString(), created_ms: created };
  mkdirSync(store.root, { recursive: true });
  writeFileSync(`${store.dbPath}.lock`, JSON.stringify(record) + "\n");
}

async function sessionCount(store: Store): Promise<number> {
  return (await store.state.listSessions()).length;
}

const platform = createNodePlatform();

export const cases: ConformanceCase[] = [
  // ---- open ----
  {
    name: "open: project and root resolve the store folder; the first write creates the database",
    async run(t) {
      const project = t.dir();
      const s = await t.store({ project });
      equal(s.root, join(project, ".tldrs"), "root");
      equal(s.dbPath, join(project, ".tldrs", "tldrs_state.db"), "dbPath");
      equal(s.blobRoot, join(project, ".tldrs", "blobs"), "blobRoot");
      await s.vhs.put("hello");
      const header = readFileSync(s.dbPath).subarray(0, 16);
      equal(new TextDecoder().decode(header), "SQLite format 3\u0000", "database header");
      ok(!existsSync(`${s.dbPath}.lock`), "the lock is released after the write");
    },
  },
  {
    name: "open: a reopened store sees what an earlier handle wrote",
    async run(t) {
      const root = join(t.dir(), ".tldrs");
      const a = await openStore({ root });
      const ref = await a.vhs.put("kept");
      await a.state.openSession("s1", { repoFingerprint: "fp" });
      await a.close();
      const b = await t.store({ root });
      equal(await b.vhs.getText(ref), "kept", "blob");
      equal((await b.state.listSessions()).map((x) => x.sessionId), ["s1"], "sessions");
    },
  },
  {
    name: "open: bad options are argument errors",
    async run() {
      await rejects(() => openStore({ root: "" }), "ERR_INVALID_ARG", "root ''");
      await rejects(() => openStore({ project: 42 as unknown as string }), "ERR_INVALID_ARG", "project 42");
    },
  },

  // ---- vhs: put and get ----
  {
    name: "vhs: put/get of a small string and bytes (known sha256, bare hash accepted)",
    async run(t) {
      const s = await t.store();
      const ref = await s.vhs.put("hello");
      equal(ref, `vhs://${HELLO}`, "ref");
      equal(await s.vhs.getText(ref), "hello", "getText");
      equal(await s.vhs.get(HELLO), enc.encode("hello"), "get by bare hash");
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const r2 = await s.vhs.put(all);
      equal(await s.vhs.get(r2), all, "all byte values");
      equal(await s.vhs.put(""), `vhs://${EMPTY}`, "empty blob ref");
      equal(await s.vhs.get(`vhs://${EMPTY}`), new Uint8Array(0), "empty blob");
    },
  },
  {
    name: "vhs: the same content twice is one file and one row",
    async run(t) {
      const s = await t.store();
      const a = await s.vhs.put("same");
      const b = await s.vhs.put(enc.encode("same"));
      equal(a, b, "refs");
      equal((await s.vhs.stats()).count, 1, "count");
    },
  },
  {
    name: "vhs: streamed put (ReadableStream, async iterable) and streamed get of 3 MiB",
    async run(t) {
      const s = await t.store();
      const data = bytesOf(3 * 1024 * 1024 + 17);
      const expected = `vhs://${nobleHex(data)}`;
      equal(await s.vhs.put(streamOf(data, 65_536), { compress: false }), expected, "ref of a stream");
      async function* pieces() {
        for (let at = 0; at < data.length; at += 100_000) yield data.subarray(at, at + 100_000);
      }
      equal(await s.vhs.put(pieces()), expected, "ref of an async iterable");
      equal(await readAll(await s.vhs.getStream(expected)), data, "getStream");
      const out = join(t.dir(), "out.bin");
      await s.vhs.getToFile(expected, out);
      equal(new Uint8Array(readFileSync(out)), data, "getToFile");
    },
  },
  {
    name: "vhs: putFile reads a file and refuses a symlink",
    async run(t) {
      const s = await t.store();
      const dir = t.dir();
      writeFileSync(join(dir, "f.txt"), "file body");
      symlinkSync(join(dir, "f.txt"), join(dir, "link"));
      equal(await s.vhs.getText(await s.vhs.putFile(join(dir, "f.txt"))), "file body", "putFile");
      await rejects(() => s.vhs.putFile(join(dir, "link")), "EIO", "putFile of a symlink");
      await rejects(() => s.vhs.putFile(join(dir, "missing")), "EIO", "putFile of a missing file");
    },
  },
  {
    name: "vhs: compressed blobs (by flag, by threshold, or never) read back whole",
    async run(t) {
      const s = await t.store();
      const text = "compress me ".repeat(500);
      const forced = await s.vhs.put(text, { compress: true });
      const info = await s.vhs.info(forced);
      equal(info?.compression, "zlib", "compression by flag");
      ok(info !== null && info.storedSize < info.size, "stored smaller than raw");
      equal(readFileSync(blobFile(s, forced))[0], 0x78, "an RFC 1950 zlib stream on disk");
      equal(await s.vhs.getText(forced), text, "read back");

      const big = bytesOf(64 * 1024, 2);
      const small = bytesOf(64 * 1024 - 1, 3);
      equal((await s.vhs.info(await s.vhs.put(big)))?.compression, "", "raw by default, as the Python store");
      equal((await s.vhs.info(await s.vhs.put(bytesOf(64 * 1024, 5), { compressMinBytes: 64 * 1024 })))?.compression, "zlib", "compressed at compressMinBytes");
      equal((await s.vhs.info(await s.vhs.put(small, { compressMinBytes: 64 * 1024 })))?.compression, "", "below compressMinBytes raw");
      const noise = new Uint8Array(100_000);
      for (let at = 0; at < noise.length; at += 65_536) crypto.getRandomValues(noise.subarray(at, at + 65_536));
      const incompressible = await s.vhs.put(noise, { compress: true });
      equal((await s.vhs.info(incompressible))?.compression, "", "random bytes do not shrink: kept raw");
      equal((await s.vhs.info(incompressible))?.storedSize, 100_000, "stored as they are");
      equal(await s.vhs.get(incompressible), noise, "random bytes read back");
      const raw = await s.vhs.put(bytesOf(100_000, 4), { compress: false });
      equal((await s.vhs.info(raw))?.compression, "", "compress: false");
      const low = await s.vhs.put("x".repeat(200), { compressMinBytes: 100 });
      equal((await s.vhs.info(low))?.compression, "zlib", "compressMinBytes");
      equal(await s.vhs.get(raw), bytesOf(100_000, 4), "raw read back");
    },
  },

  // ---- vhs: has / info / list / stats / delete ----
  {
    name: "vhs: has, info, list and stats",
    async run(t) {
      const s = await t.store();
      const a = await s.vhs.put("alpha");
      await platform.sleep(2);
      const b = await s.vhs.put("beta-beta");
      equal(await s.vhs.has(a), true, "has a");
      equal(await s.vhs.has(`vhs://${"0".repeat(64)}`), false, "has unknown");
      const info = await s.vhs.info(b);
      ok(info !== null, "info of b");
      equal([info.hash, info.size, info.storedSize, info.compression], [parseRef(b), 9, 9, ""], "info fields");
      ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/.test(info.createdAt), `createdAt is Python isoformat: ${info.createdAt}`);
      equal(await s.vhs.info(`vhs://${"0".repeat(64)}`), null, "info of unknown");
      await platform.sleep(2);
      await s.vhs.get(a); // a is now the most recently accessed
      equal((await s.vhs.list()).map((x) => x.hash), [parseRef(a), parseRef(b)], "list order");
      equal((await s.vhs.list({ limit: 1 })).length, 1, "list limit");
      equal(await s.vhs.stats(), { count: 2, totalBytes: 14, totalStoredBytes: 14 }, "stats");
    },
  },
  {
    name: "vhs: delete removes file and row; a second delete finds nothing",
    async run(t) {
      const s = await t.store();
      const ref = await s.vhs.put("doomed");
      equal(await s.vhs.delete(ref), true, "first delete");
      equal(await s.vhs.delete(ref), false, "second delete");
      equal(await s.vhs.has(ref), false, "has after delete");
      equal(existsSync(blobFile(s, ref)), false, "file gone");
      await rejects(() => s.vhs.get(ref), "ENOTFOUND", "get after delete");
      equal((await s.vhs.stats()).count, 0, "count");
    },
  },
  {
    name: "vhs: delete never removes a folder found at a blob's name",
    async run(t) {
      const s = await t.store();
      const ref = await s.vhs.put("will be a folder");
      rmSync(blobFile(s, ref));
      mkdirSync(blobFile(s, ref)); // empty: Deno's unlink would remove it
      await rejects(() => s.vhs.delete(ref), "EIO", "delete");
      ok(lstatSync(blobFile(s, ref)).isDirectory(), "the folder is still there");
    },
  },

  {
    name: "vhs: a symlink at a blob's name is an integrity error, never followed",
    async run(t) {
      const s = await t.store();
      const ref = await s.vhs.put("real");
      const elsewhere = join(t.dir(), "elsewhere");
      writeFileSync(elsewhere, "real");
      rmSync(blobFile(s, ref));
      symlinkSync(elsewhere, blobFile(s, ref));
      const err = await rejects(() => s.vhs.get(ref), "EINTEGRITY", "get through a symlink");
      ok(/symbolic link/.test(err.message), `says why: ${err.message}`);
    },
  },

  // ---- vhs: gc / verify ----
  {
    name: "vhs: gc by age (dry run first), keepLast, and blobs named by live deliveries kept",
    async run(t) {
      const s = await t.store();
      const refs = [await s.vhs.put("one"), await s.vhs.put("two"), await s.vhs.put("three")];
      await s.state.openSession("s", { repoFingerprint: "fp" });
      await s.state.recordDelivery({ sessionId: "s", symbolId: "a.py:f", etag: "e", representation: "vhs_ref", vhsRef: refs[0]! });
      await platform.sleep(5);
      const dry = await s.vhs.gc({ maxAgeDays: 0, dryRun: true });
      equal(dry.dryRun, true, "dryRun");
      equal(dry.deleted.length, 2, "would delete two");
      equal(dry.protectedByDeliveries, 1, "one protected");
      equal((await s.vhs.stats()).count, 3, "dry run deleted nothing");
      await s.vhs.get(refs[2]!);
      const real = await s.vhs.gc({ maxAgeDays: 0, keepLast: 1 });
      equal(real.deleted.map((v) => v.ref), [refs[1]], "deleted the one neither kept nor protected");
      equal(real.freedBytes, 3, "freedBytes");
      equal(await s.vhs.has(refs[1]!), false, "gone");
      equal(await s.vhs.has(refs[0]!), true, "protected kept");
      equal(await s.vhs.has(refs[2]!), true, "most recent kept");
    },
  },
  {
    name: "vhs: verify finds a damaged file and an orphan; repair quarantines and adopts",
    async run(t) {
      const s = await t.store();
      const good = await s.vhs.put("good");
      const bad = await s.vhs.put("bad bytes here");
      equal((await s.vhs.verify()).ok, 2, "clean store");
      writeFileSync(blobFile(s, bad), "BAD bytes here");
      const other = await t.store();
      const orphan = await other.vhs.put("orphan");
      mkdirSync(join(s.blobRoot, parseRef(orphan).slice(0, 2), parseRef(orphan).slice(2, 4)), { recursive: true });
      writeFileSync(blobFile(s, orphan), "orphan");
      const report = await s.vhs.verify();
      equal([report.checked, report.ok, report.corrupt, report.orphans], [3, 1, [parseRef(bad)], [parseRef(orphan)]], "report");
      const repaired = await s.vhs.verify({ repair: true });
      equal(repaired.quarantined.length, 1, "quarantined");
      ok(repaired.quarantined[0]!.startsWith(join(s.root, "quarantine")), "into quarantine/");
      equal(await s.vhs.has(bad), false, "the damaged blob is gone");
      equal(await s.vhs.getText(orphan), "orphan", "the orphan is adopted");
      equal(await s.vhs.getText(good), "good", "the good blob untouched");
      equal((await s.vhs.verify()).ok, 2, "clean after repair");
    },
  },
  {
    name: "vhs: a damaged blob is an integrity error on get, getStream and getToFile",
    async run(t) {
      const s = await t.store();
      const ref = await s.vhs.put("x".repeat(5000));
      const zref = await s.vhs.put("y".repeat(5000), { compress: true });
      writeFileSync(blobFile(s, ref), "x".repeat(4999) + "z");
      await rejects(() => s.vhs.get(ref), "EINTEGRITY", "get");
      await rejects(async () => readAll(await s.vhs.getStream(ref)), "EINTEGRITY", "getStream");
      const out = join(t.dir(), "out.txt");
      await rejects(() => s.vhs.getToFile(ref, out), "EINTEGRITY", "getToFile");
      equal(existsSync(out), false, "getToFile left no file");
      const z = readFileSync(blobFile(s, zref));
      z[z.length - 1] = z[z.length - 1]! ^ 0xff; // the adler32 trailer
      writeFileSync(blobFile(s, zref), z);
      await rejects(() => s.vhs.get(zref), "EINTEGRITY", "get of a damaged zlib blob");
    },
  },
  {
    name: "vhs: bad refs never reach the file system; unknown refs are not found",
    async run(t) {
      const s = await t.store();
      for (const bad of ["vhs://xyz", `vhs://${"A".repeat(64)}`, "../../etc/passwd", "a".repeat(63), `vhs://${"a".repeat(65)}`, `sha256://${"a".repeat(64)}`]) {
        await rejects(() => s.vhs.get(bad), "EINVALIDREF", `get ${bad}`);
        await rejects(() => s.vhs.has(bad), "EINVALIDREF", `has ${bad}`);
        await rejects(() => s.vhs.info(bad), "EINVALIDREF", `info ${bad}`);
        await rejects(() => s.vhs.delete(bad), "EINVALIDREF", `delete ${bad}`);
      }
      await rejects(() => s.vhs.get(42 as unknown as string), "ERR_INVALID_ARG", "a number");
      await rejects(() => s.vhs.get(`vhs://${"ab".repeat(32)}`), "ENOTFOUND", "unknown ref");
      const err = await rejects(() => s.vhs.put(42 as unknown as string), "ERR_INVALID_ARG", "put of a number");
      ok(isArgumentError(err), "an argument error");
      equal(existsSync(s.blobRoot) ? readdirSync(s.blobRoot).length : 0, 0, "no blob folders made");
    },
  },

  // ---- state ----
  {
    name: "state: sessions open, touch, report drift, list and count",
    async run(t) {
      const s = await t.store();
      const first = await s.state.openSession("agent-1", { repoFingerprint: "git:aaaaaaaaaaaa", defaultLanguage: "python" });
      equal([first.created, first.drift, first.defaultLanguage], [true, null, "python"], "first open");
      const again = await s.state.openSession("agent-1", { repoFingerprint: "git:aaaaaaaaaaaa" });
      equal([again.created, again.drift], [false, null], "second open");
      const moved = await s.state.openSession("agent-1", { repoFingerprint: "git:bbbbbbbbbbbb" });
      equal(moved.drift, { previous: "git:aaaaaaaaaaaa", current: "git:bbbbbbbbbbbb" }, "drift");
      await s.state.openSession("agent-2", { repoFingerprint: "fp" });
      const list = await s.state.listSessions();
      equal(list.map((x) => x.sessionId).sort(), ["agent-1", "agent-2"], "listSessions");
      const stats = await s.state.sessionStats("agent-1");
      equal([stats.deliveryCount, stats.totalTokensDelivered], [0, 0], "sessionStats");
      equal((await s.state.sessionStats("nobody")).createdAt, null, "unknown session");
      await rejects(() => s.state.openSession("", { repoFingerprint: "fp" }), "ERR_INVALID_ARG", "empty id");
      await rejects(() => s.state.openSession("x", {} as { repoFingerprint: string }), "ERR_INVALID_ARG", "no fingerprint");
    },
  },
  {
    name: "state: deliveries upsert; snapshots kept only for full and incremental",
    async run(t) {
      const s = await t.store();
      await s.state.openSession("s", { repoFingerprint: "fp" });
      await s.state.recordDelivery({ sessionId: "s", symbolId: "a.py:f", etag: "e1", representation: "full", tokenEstimate: 10, codeSnapshot: "def f(): pass" });
      const d = await s.state.getDelivery("s", "a.py:f");
      equal([d?.etag, d?.representation, d?.tokenEstimate, d?.codeSnapshot, d?.vhsRef], ["e1", "full", 10, "def f(): pass", null], "stored delivery");
      await s.state.recordDeliveries("s", [
        { symbolId: "a.py:g", etag: "g1", representation: "signature_only", codeSnapshot: "dropped", tokenEstimate: 3 },
        { symbolId: "a.py:h", etag: "h1", representation: "incremental", codeSnapshot: "kept" },
        { symbolId: "a.py:g", etag: "g2", representation: "signature_only", tokenEstimate: 4 },
      ]);
      equal((await s.state.getDelivery("s", "a.py:g"))?.etag, "g2", "a later entry wins");
      equal((await s.state.getDelivery("s", "a.py:g"))?.codeSnapshot, null, "no snapshot for signature_only");
      equal(await s.state.getPreviousCode("s", "a.py:h"), "kept", "incremental snapshot");
      equal(await s.state.getPreviousCode("s", "a.py:g"), null, "no previous code");
      equal(await s.state.getDelivery("s", "nope"), null, "unknown symbol");
      equal((await s.state.sessionStats("s")).deliveryCount, 3, "deliveryCount");
      equal((await s.state.sessionStats("s")).totalTokensDelivered, 14, "tokens");
      await s.state.recordDeliveries("s", []);
      await rejects(() => s.state.recordDelivery({ sessionId: "s", symbolId: "x", etag: "e", representation: "bogus" as "full" }), "ERR_INVALID_ARG", "bad representation");
      await rejects(() => s.state.recordDelivery({ sessionId: "s", symbolId: "x", etag: "e", representation: "vhs_ref" }), "ERR_INVALID_ARG", "vhs_ref without a ref");
    },
  },
  {
    name: "state: checkDelta counts only full and vhs_ref with an equal etag as unchanged",
    async run(t) {
      const s = await t.store();
      const ref = await s.vhs.put("body of g");
      await s.state.openSession("s", { repoFingerprint: "fp" });
      await s.state.recordDeliveries("s", [
        { symbolId: "f", etag: "ef", representation: "full", codeSnapshot: "f" },
        { symbolId: "g", etag: "eg", representation: "vhs_ref", vhsRef: ref },
        { symbolId: "h", etag: "eh", representation: "signature_only" },
        { symbolId: "i", etag: "ei", representation: "full" },
      ]);
      const delta = await s.state.checkDelta("s", { f: "ef", g: "eg", h: "eh", i: "other", j: "new" });
      equal(delta.unchanged, new Set(["f", "g"]), "unchanged");
      equal(delta.changed, new Set(["h", "i", "j"]), "changed");
      equal(delta.rehydrate, new Map([["g", ref]]), "rehydrate");
      const fromMap = await s.state.checkDelta("s", new Map([["f", "ef"]]));
      equal(fromMap.unchanged, new Set(["f"]), "Map input");
      equal((await s.state.checkDelta("other", { f: "ef" })).changed, new Set(["f"]), "another session");
    },
  },
  {
    name: "state: cleanupExpired removes only what is older than the TTL",
    async run(t) {
      const s = await t.store();
      await s.state.openSession("old", { repoFingerprint: "fp" });
      await s.state.recordDelivery({ sessionId: "old", symbolId: "f", etag: "e", representation: "full" });
      equal(await s.state.cleanupExpired({ ttlSeconds: 3600 }), { sessions: 0, deliveries: 0 }, "nothing expired");
      await s.state.openSession("fresh", { repoFingerprint: "fp" });
      const longAgo = "2020-01-01T00:00:00.000000+00:00"; // as if "old" were last used then
      await stateDbOf(s).write((db) => {
        db.run("UPDATE sessions SET last_accessed = ? WHERE session_id = 'old'", [longAgo]);
        db.run("UPDATE deliveries SET last_accessed = ? WHERE session_id = 'old'", [longAgo]);
      });
      equal(await s.state.cleanupExpired({ ttlSeconds: 3600 }), { sessions: 1, deliveries: 1 }, "the old one expired");
      equal((await s.state.listSessions()).map((x) => x.sessionId), ["fresh"], "fresh kept");
      await rejects(() => s.state.cleanupExpired({ ttlSeconds: -1 }), "ERR_INVALID_ARG", "negative ttl");
    },
  },
  {
    name: "state: the default session id is shared by every handle of the store",
    async run(t) {
      const project = t.dir();
      const a = await t.store({ project });
      const b = await t.store({ project });
      const one = await a.state.defaultSession({ defaultLanguage: "typescript" });
      const two = await b.state.defaultSession();
      equal(one.sessionId, two.sessionId, "same id");
      ok(/^[0-9a-f]{16}$/.test(one.sessionId), `16 hex digits: ${one.sessionId}`);
      equal(readFileSync(join(project, ".tldrs", "default_session_id"), "utf8").trim(), one.sessionId, "kept in default_session_id");
      ok(/^(mtime:\d+|git:[0-9a-f]{12}|unknown)$/.test(one.repoFingerprint), `fingerprint: ${one.repoFingerprint}`);
      equal([one.created, two.created], [true, false], "created once");
    },
  },

  // ---- engine across handles ----
  {
    name: "engine: two handles alternate 40 writes and each sees the other's at once",
    async run(t) {
      // Deno reports whole-millisecond mtimes and a rewritten file may reuse the inode:
      // the header's change counter is what tells the files apart.
      const root = join(t.dir(), ".tldrs");
      const a = await t.store({ root });
      const b = await t.store({ root });
      for (let i = 0; i < 40; i++) {
        const w = i % 2 === 0 ? a : b;
        const r = i % 2 === 0 ? b : a;
        await w.state.openSession(`s${i}`, { repoFingerprint: "fp" });
        equal(await sessionCount(r), i + 1, `sessions seen after write ${i}`);
      }
    },
  },
  {
    name: "engine: a transaction that throws writes nothing and releases the lock",
    async run(t) {
      const root = join(t.dir(), ".tldrs");
      // Written and closed first: a native engine's commits are in the file only once its
      // connection closes (before, they sit in the -wal).
      const first = await openStore({ root });
      await first.state.openSession("s", { repoFingerprint: "fp" });
      await first.close();
      const s = await t.store({ root });
      const before = lstatSync(s.dbPath);
      let thrown: unknown;
      try {
        await stateDbOf(s).write((db) => {
          db.run("DELETE FROM sessions");
          throw new Error("boom");
        });
      } catch (err) {
        thrown = err;
      }
      equal((thrown as Error | undefined)?.message, "boom", "the error reaches the caller");
      await s.close();
      const after = lstatSync(s.dbPath);
      equal([after.ino, after.size, after.mtimeMs], [before.ino, before.size, before.mtimeMs], "file untouched");
      equal(await sessionCount(await t.store({ root })), 1, "rolled back");
      ok(!existsSync(`${s.dbPath}.lock`), "lock released");
    },
  },

  {
    name: "engine: a database file that is a symlink is refused, not followed",
    async run(t) {
      const a = await t.store();
      await a.state.openSession("s", { repoFingerprint: "fp" });
      const root = join(t.dir(), ".tldrs");
      mkdirSync(root);
      symlinkSync(a.dbPath, join(root, "tldrs_state.db"));
      const b = await t.store({ root });
      const err = await rejects(() => b.state.listSessions(), "ECORRUPT", "read through a symlink");
      ok(/symbolic link/.test(err.message), `says why: ${err.message}`);
    },
  },

  // ---- lock ----
  {
    name: "lock: a lock left by a dead process on this host is broken at once (by age where liveness is unknown)",
    async run(t) {
      const root = join(t.dir(), ".tldrs");
      const s = await t.store({ root, lock: { staleMs: 600_000, timeoutMs: 10_000 } });
      await s.state.openSession("before", { repoFingerprint: "fp" });
      writeLock(s, DEAD_PID, platform.hostname());
      if (canSignal()) {
        await s.state.openSession("after", { repoFingerprint: "fp" });
      } else {
        // Deno without --allow-run cannot tell a dead pid from a live one: it waits, then the age limit frees it.
        const short = await t.store({ root, lock: { staleMs: 600_000, timeoutMs: 200 } });
        await rejects(() => short.state.openSession("after", { repoFingerprint: "fp" }), "ELOCKTIMEOUT", "unknown liveness");
        // An old lock under a stale limit long enough for the new holder's own write: with a
        // limit of 50 ms the new holder itself went past it on a loaded machine and (rightly)
        // refused to commit.
        writeLock(s, DEAD_PID, platform.hostname(), 60_000);
        const aged = await t.store({ root, lock: { staleMs: 30_000, timeoutMs: 10_000 } });
        await aged.state.openSession("after", { repoFingerprint: "fp" });
      }
      equal(await sessionCount(s), 2, "the write went through");
      ok(!existsSync(`${s.dbPath}.lock`), "lock gone");
    },
  },
  {
    name: "lock: a live holder is waited for, never broken (even if the runtime may not signal it)",
    async run(t) {
      // pid 1 is alive and not ours: Node and Bun get EPERM or success from kill(1, 0);
      // Deno without --allow-run is refused the check, which must count as alive.
      const s = await t.store({ root: join(t.dir(), ".tldrs"), lock: { staleMs: 600_000, timeoutMs: 200 } });
      await s.state.openSession("before", { repoFingerprint: "fp" });
      for (const pid of [1, platform.pid]) {
        writeLock(s, pid, platform.hostname());
        const err = await rejects(() => s.state.openSession("blocked", { repoFingerprint: "fp" }), "ELOCKTIMEOUT", `holder pid ${pid}`);
        ok(err.message.includes(`pid ${pid}`), `the error names the holder: ${err.message}`);
        ok(existsSync(`${s.dbPath}.lock`), "the lock is left alone");
        rmSync(`${s.dbPath}.lock`);
      }
      equal(await sessionCount(s), 1, "nothing written while blocked");
    },
  },
  {
    name: "lock: another host's lock is judged by age only",
    async run(t) {
      const s = await t.store({ root: join(t.dir(), ".tldrs"), lock: { staleMs: 60_000, timeoutMs: 200 } });
      writeLock(s, DEAD_PID, "some-other-host");
      await rejects(() => s.state.openSession("x", { repoFingerprint: "fp" }), "ELOCKTIMEOUT", "fresh foreign lock");
      writeLock(s, DEAD_PID, "some-other-host", 120_000);
      await s.state.openSession("x", { repoFingerprint: "fp" });
      equal(await sessionCount(s), 1, "an old foreign lock is broken");
    },
  },

  // ---- platform: where runtimes differ ----
  {
    name: "platform: process liveness (self alive, impossible pid dead)",
    async run() {
      equal(platform.isProcessAlive(platform.pid), true, "self");
      ok(["node", "deno", "bun"].includes(platform.runtime), `runtime name: ${platform.runtime}`);
      // Deno without --allow-run cannot tell: it must say alive, never dead.
      equal(platform.isProcessAlive(DEAD_PID), !canSignal(), "a pid no process has");
    },
  },
  {
    name: "platform: openRead refuses a symlink (ELOOP); createExclusive refuses a dangling one (EEXIST)",
    async run(t) {
      const dir = t.dir();
      writeFileSync(join(dir, "target"), "x");
      symlinkSync(join(dir, "target"), join(dir, "link"));
      symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
      await rejects(() => platform.openRead(join(dir, "link")), "ELOOP", "openRead of a symlink");
      await rejects(() => platform.openRead(join(dir, "missing")), "ENOENT", "openRead of a missing file");
      await rejects(() => platform.createExclusive(join(dir, "dangling")), "EEXIST", "createExclusive over a dangling symlink");
      equal(existsSync(join(dir, "nowhere")), false, "the symlink's target was not created");
      await rejects(() => platform.createExclusive(join(dir, "target")), "EEXIST", "createExclusive over a file");
      equal((await platform.stat(join(dir, "link"))).kind, "symlink", "stat does not follow");
      const f = await platform.createExclusive(join(dir, "new"), 0o600);
      await f.write(enc.encode("abc"));
      await f.sync();
      await f.close();
      const st = await platform.stat(join(dir, "new"));
      equal([st.kind, st.size, st.mode], ["file", 3, 0o600], "created file");
      const r = await platform.openRead(join(dir, "new"));
      const buf = new Uint8Array(8);
      equal(await r.read(buf, 1), 2, "read at a position");
      equal(buf.subarray(0, 2), enc.encode("bc"), "bytes read");
      equal((await r.stat()).ino, st.ino, "fstat matches lstat");
      await r.close();
    },
  },
  {
    name: "platform: link creates atomically (EEXIST if taken); rename replaces and keeps errno codes",
    async run(t) {
      const dir = t.dir();
      writeFileSync(join(dir, "a"), "a");
      writeFileSync(join(dir, "b"), "b");
      await platform.link(join(dir, "a"), join(dir, "l"));
      equal((await platform.stat(join(dir, "l"))).ino, (await platform.stat(join(dir, "a"))).ino, "same inode");
      await rejects(() => platform.link(join(dir, "b"), join(dir, "l")), "EEXIST", "link over a file");
      await rejects(() => platform.link(join(dir, "missing"), join(dir, "l2")), "ENOENT", "link of a missing file");
      const inoB = (await platform.stat(join(dir, "b"))).ino;
      await platform.rename(join(dir, "b"), join(dir, "a"));
      equal([readFileSync(join(dir, "a"), "utf8"), (await platform.stat(join(dir, "a"))).ino], ["b", inoB], "rename replaced");
      await rejects(() => platform.rename(join(dir, "missing"), join(dir, "x")), "ENOENT", "rename of a missing file");
      await rejects(() => platform.rename(join(dir, "a"), join(dir, "nodir", "x")), "ENOENT", "rename into a missing folder");
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "sub", "f"), "");
      await rejects(() => platform.rename(join(dir, "a"), join(dir, "sub")), "EISDIR", "rename of a file over a folder");
    },
  },
  {
    name: "platform: unlink refuses folders (empty or not) and removes a symlink, not its target",
    async run(t) {
      const dir = t.dir();
      mkdirSync(join(dir, "empty"));
      mkdirSync(join(dir, "full"));
      writeFileSync(join(dir, "full", "x"), "");
      symlinkSync(join(dir, "full"), join(dir, "dirlink"));
      for (const name of ["empty", "full"]) {
        let err: unknown;
        try {
          await platform.unlink(join(dir, name));
        } catch (e) {
          err = e;
        }
        ok(["EISDIR", "EPERM"].includes(String(code(err))), `unlink of folder ${name}: got ${String(code(err))}`);
        ok(lstatSync(join(dir, name)).isDirectory(), `folder ${name} still there`);
      }
      await platform.unlink(join(dir, "dirlink"));
      equal([existsSync(join(dir, "dirlink")), existsSync(join(dir, "full", "x"))], [false, true], "symlink gone, target kept");
      await rejects(() => platform.unlink(join(dir, "missing")), "ENOENT", "unlink of a missing file");
    },
  },
  {
    name: "platform: folders (mkdir, readdir, rmdir, syncDir) and errno codes",
    async run(t) {
      const dir = t.dir();
      await platform.mkdir(join(dir, "a", "b"), 0o700);
      await platform.mkdir(join(dir, "a", "b"));
      equal((await platform.stat(join(dir, "a", "b"))).mode, 0o700, "mode");
      writeFileSync(join(dir, "a", "f"), "");
      equal((await platform.readdir(join(dir, "a"))).sort(), ["b", "f"], "readdir");
      await platform.syncDir(join(dir, "a"));
      await rejects(() => platform.syncDir(join(dir, "missing")), "ENOENT", "syncDir of a missing folder");
      await rejects(() => platform.readdir(join(dir, "a", "f")), "ENOTDIR", "readdir of a file");
      await rejects(() => platform.readdir(join(dir, "missing")), "ENOENT", "readdir of a missing folder");
      await rejects(() => platform.mkdir(join(dir, "a", "f")), "EEXIST", "mkdir over a file");
      await rejects(() => platform.rmdir(join(dir, "a")), "ENOTEMPTY", "rmdir of a full folder");
      await rejects(() => platform.rmdir(join(dir, "a", "f")), "ENOTDIR", "rmdir of a file");
      await rejects(() => platform.readFile(join(dir, "missing")), "ENOENT", "readFile of a missing file");
      await rejects(() => platform.readFile(join(dir, "a")), "EISDIR", "readFile of a folder");
      await platform.chmod(join(dir, "a", "f"), 0o640);
      equal((await platform.stat(join(dir, "a", "f"))).mode, 0o640, "chmod");
      await platform.rmdir(join(dir, "a", "b"));
      equal(existsSync(join(dir, "a", "b")), false, "rmdir");
    },
  },
  {
    name: "platform: stat identity (mtime equal while unchanged, inode new after a replace), clock, hash",
    async run(t) {
      const dir = t.dir();
      const f = join(dir, "f");
      writeFileSync(f, "1");
      const a = await platform.stat(f);
      const b = await platform.stat(f);
      equal(b, a, "an unchanged file stats the same");
      ok(Number.isFinite(a.mtimeMs) && Math.abs(a.mtimeMs - Date.now()) < 60_000, `mtimeMs is epoch ms: ${a.mtimeMs}`);
      writeFileSync(join(dir, "g"), "22");
      await platform.rename(join(dir, "g"), f);
      const c = await platform.stat(f);
      ok(c.size !== a.size || c.ino !== a.ino, "a replaced file differs in size or inode");
      ok(Math.abs(platform.now() - Date.now()) < 1000, "now() is wall clock");
      equal(platform.randomBytes(16).length, 16, "randomBytes");
      const h = platform.createHasher();
      h.update(enc.encode("hel"));
      h.update(enc.encode("lo"));
      equal(h.digestHex(), HELLO, "hasher");
      equal(platform.resolve("/a/b", "../c"), "/a/c", "resolve");
    },
  },
  {
    name: "errors: TldrsError keeps code, ref and JSON form",
    async run(t) {
      const s = await t.store();
      let err: unknown;
      try {
        await s.vhs.get("vhs://nope");
      } catch (e) {
        err = e;
      }
      ok(isTldrsError(err, "EINVALIDREF"), "isTldrsError");
      equal((err as unknown as { toJSON(): { code: string } }).toJSON().code, "EINVALIDREF", "toJSON");
      ok(err instanceof Error, "an Error");
      throws(() => parseRef("nope"), "EINVALIDREF", "parseRef");
    },
  },
];

cases.push(...engineCases);

/** False only in a Deno process without --allow-run (it may not signal other processes). */
function canSignal(): boolean {
  const deno = (globalThis as { Deno?: { permissions: { querySync(d: { name: string }): { state: string } } } }).Deno;
  return deno === undefined || deno.permissions.querySync({ name: "run" }).state === "granted";
}
