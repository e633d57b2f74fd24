/**
 * Conformance cases about the engines (appended to suite.ts's list): which engine runs and why,
 * both engines on one store, the load-time defences against bad files, and life beside a live
 * Python connection. They run wherever the suite runs: sql.js on Node 20 under vitest; on Deno,
 * Bun and Node 22/24/26 with TLDRS_ENGINE=native and =sqljs (runtimes.test.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { openStore, type Store } from "../../src/node.ts";
import { equal, ok, rejects } from "./assert.ts";
import type { CaseContext, ConformanceCase } from "./suite.ts";
import { stateDbOf } from "../../src/store.ts";

const MARKERS = [".gitignore", "CACHEDIR.TAG"];

const DB = "tldrs_state.db";
const PY_STORE = fileURLToPath(new URL("../engine/children/py_store.py", import.meta.url));
const hasPython = spawnSync("python3", ["-c", "import sqlite3"], { stdio: "ignore" }).status === 0;
const hasMkfifo = spawnSync("mkfifo", ["--version"], { stdio: "ignore" }).status === 0;

/** A database of ours with `rows` sessions (several pages), written by this run's engine. */
async function validImage(t: CaseContext, rows: number): Promise<Uint8Array> {
  const s = await t.store();
  await stateDbOf(s).write((d) => {
    for (let i = 0; i < rows; i++) d.run("INSERT INTO sessions VALUES (?, 'a', 'b', ?, NULL)", [`s${i}`, "x".repeat(200)]);
  });
  await s.close();
  return new Uint8Array(readFileSync(s.dbPath));
}

/** A database of ours changed by `sql` (run through the engine: tldrs's checks run on load, not on write). */
async function craftedImage(t: CaseContext, sql: string): Promise<Uint8Array> {
  const s = await t.store();
  await s.state.openSession("s", { repoFingerprint: "fp" });
  await stateDbOf(s).write((d) => d.exec(sql));
  await s.close();
  return new Uint8Array(readFileSync(s.dbPath));
}

interface Snapshot {
  bytes: Uint8Array;
  ino: number;
  mtimeMs: number;
}

function snapshot(path: string): Snapshot {
  const st = statSync(path);
  return { bytes: new Uint8Array(readFileSync(path)), ino: st.ino, mtimeMs: st.mtimeMs };
}

/** Read and write of a store over `bytes` are refused with `code`; the file and its folder untouched. */
async function expectRefused(t: CaseContext, bytes: Uint8Array, code: string, message: RegExp, what: string, ops: Array<"read" | "write"> = ["read", "write"]): Promise<Store> {
  const root = join(t.dir(), ".tldrs");
  mkdirSync(root);
  const path = join(root, DB);
  writeFileSync(path, bytes);
  const before = snapshot(path);
  const s = await t.store({ root, lock: { timeoutMs: 2_000 } });
  for (const op of ops) {
    const err = await rejects(() => (op === "read" ? s.state.listSessions() : s.state.openSession("new", { repoFingerprint: "fp" })), code, `${what}: ${op}`);
    ok(err.message.includes(`"${path}"`) && message.test(err.message), `${what}: ${op}: the message names the file and says why: ${err.message}`);
    const after = snapshot(path);
    equal([after.ino, after.mtimeMs, after.bytes.length], [before.ino, before.mtimeMs, before.bytes.length], `${what}: ${op}: file untouched`);
    ok(after.bytes.every((b, i) => b === before.bytes[i]), `${what}: ${op}: bytes untouched`);
    // Only the store folder's markers (.gitignore, CACHEDIR.TAG) may appear: nothing of the database.
    equal(readdirSync(root).filter((n) => !MARKERS.includes(n)), [DB], `${what}: ${op}: nothing created beside it`);
  }
  return s;
}

/** A Python store process (test/engine/children/py_store.py) that holds its connection until told. */
function pyHold(cmd: string, path: string, arg: string): { ready: Promise<void>; release: () => Promise<void> } {
  const child = spawn("python3", [PY_STORE, cmd, path, arg], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("ready\n")) resolve();
    });
    void exited.then(() => reject(new Error(`py_store.py ${cmd} exited before it was ready: ${out}`)));
  });
  return {
    ready,
    release: async () => {
      child.stdin.end("\n");
      equal(await exited, 0, "py_store.py exit code");
    },
  };
}

const names = (sessions: { sessionId: string }[]) => sessions.map((x) => x.sessionId).sort();

export const engineCases: ConformanceCase[] = [
  {
    name: "engine: store.engine says which engine runs and why; an explicit engine beats TLDRS_ENGINE; a bad value is an argument error",
    async run(t) {
      const s = await t.store();
      const env = process.env["TLDRS_ENGINE"];
      ok(s.engine.name === "native" || s.engine.name === "sqljs", `engine name: ${s.engine.name}`);
      ok(s.engine.description === `${s.engine.name === "native" ? `native (${s.engine.module}, SQLite ${s.engine.version})` : `sql.js ${s.engine.version}`}: ${s.engine.reason}`, `description: ${s.engine.description}`);
      if (env === "native" || env === "sqljs") {
        equal(s.engine.name, env, "the engine TLDRS_ENGINE asks for");
        equal(s.engine.reason, env === "native" ? "chosen by TLDRS_ENGINE" : "chosen by TLDRS_ENGINE", "reason");
      }
      const sqljs = await t.store({ engine: "sqljs" });
      equal([sqljs.engine.name, sqljs.engine.module, sqljs.engine.reason], ["sqljs", "sql.js", "chosen by options.engine"], "explicit sqljs");
      await rejects(() => openStore({ root: join(t.dir(), ".tldrs"), engine: "fast" as never }), "ERR_INVALID_ARG", "an unknown engine");
      const native = await openStore({ root: join(t.dir(), ".tldrs"), engine: "native" }).catch((e: unknown) => e as Error & { code?: unknown });
      if ("engine" in native) {
        equal([native.engine.name, native.engine.reason], ["native", "chosen by options.engine"], "explicit native");
        ok(/^(node|bun):sqlite$/.test(native.engine.module), `module: ${native.engine.module}`);
        await native.close();
      } else {
        equal(native.code, "EENGINE", "native where the runtime has none");
        ok(/^The native engine was asked for \(chosen by options\.engine\) but is not available: /.test(native.message), native.message);
      }
    },
  },
  {
    name: "engine: both engines on one store, each sees the other's writes at once",
    async run(t) {
      const root = join(t.dir(), ".tldrs");
      const native = await openStore({ root, engine: "native" }).catch(() => null);
      if (!native) return; // this runtime has only sql.js
      const sqljs = await t.store({ root, engine: "sqljs" });
      try {
        for (let i = 0; i < 20; i++) {
          const [w, r] = i % 2 === 0 ? [native, sqljs] : [sqljs, native];
          await w.state.openSession(`s${i}`, { repoFingerprint: "fp" });
          equal((await r.state.listSessions()).length, i + 1, `sessions seen after write ${i}`);
        }
        const ref = await sqljs.vhs.put("from sql.js");
        equal(await native.vhs.getText(ref), "from sql.js", "a blob put by sql.js, read by native");
      } finally {
        await native.close();
      }
      ok(!existsSync(`${sqljs.dbPath}-wal`) && !existsSync(`${sqljs.dbPath}-shm`), "no -wal or -shm once the native store is closed");
    },
  },
  {
    name: "files: a file that is not a whole SQLite database is refused on read and write, untouched (random, empty, short, truncated)",
    async run(t) {
      const img = await validImage(t, 200);
      const pageSize = ((img[16]! << 8) | img[17]!) === 1 ? 65536 : (img[16]! << 8) | img[17]!;
      const random = new Uint8Array(8192).map((_, i) => (i * 7919 + 13) & 0xff);
      const variants: Array<[string, Uint8Array, RegExp]> = [
        ["random bytes", random, /not a SQLite database/],
        ["a zero-byte file", new Uint8Array(0), /empty \(zero bytes\)/],
        ["a file shorter than the header", img.slice(0, 60), /shorter than a SQLite header/],
        ["cut in the middle of a page", img.slice(0, Math.floor(img.length / 2) + 100), /truncated/],
        ["cut at a page boundary", img.slice(0, pageSize * Math.floor(img.length / pageSize / 2)), /truncated/],
      ];
      for (const [what, bytes, message] of variants) await expectRefused(t, bytes, "ECORRUPT", message, what);
    },
  },
  {
    name: "files: a trigger, a view under a table name, a table lacking a column, a damaged page: refused on read and write, untouched",
    async run(t) {
      const variants: Array<[string, Uint8Array, RegExp]> = [
        ["a trigger", await craftedImage(t, "CREATE TRIGGER wipe AFTER INSERT ON sessions BEGIN DELETE FROM objects; END"), /trigger/],
        ["a view named objects", await craftedImage(t, "DROP TABLE objects; CREATE VIEW objects AS SELECT 1 AS hash"), /"objects" is a view/],
        ["objects lacking columns", await craftedImage(t, "DROP TABLE objects; CREATE TABLE objects (hash TEXT PRIMARY KEY)"), /lacks the column/],
      ];
      const img = await validImage(t, 300);
      const damaged = img.slice();
      const pageSize = (img[16]! << 8) | img[17]!;
      for (let i = 3 * pageSize; i < 4 * pageSize; i++) damaged[i] = (i * 31) & 0xff; // a b-tree page of garbage
      variants.push(["a page of garbage", damaged, /corrupt/]);
      for (const [what, bytes, message] of variants) await expectRefused(t, bytes, "ECORRUPT", message, what);
    },
  },
  {
    name: "files: a newer schema version is read but never written (ENEWERSCHEMA), untouched",
    async run(t) {
      // With a row changed too: sql.js flushes a transaction only if it changed rows or the schema.
      const img = await craftedImage(t, "PRAGMA user_version = 2; UPDATE sessions SET repo_fingerprint = 'fp2'");
      const s = await expectRefused(t, img, "ENEWERSCHEMA", /schema version 2, newer than this tldrs knows \(1\)/, "newer schema", ["write"]);
      equal(names(await s.state.listSessions()), ["s"], "reads work");
    },
  },
  {
    name: "files: a folder or a FIFO at the database name is refused, never opened or replaced",
    async run(t) {
      const root = join(t.dir(), ".tldrs");
      mkdirSync(join(root, DB), { recursive: true });
      const s = await t.store({ root });
      for (const op of ["read", "write"]) {
        const err = await rejects(() => (op === "read" ? s.state.listSessions() : s.state.openSession("x", { repoFingerprint: "fp" })), "ECORRUPT", `folder: ${op}`);
        ok(/not a regular file/.test(err.message), err.message);
      }
      ok(lstatSync(join(root, DB)).isDirectory(), "the folder is still there");
      if (!hasMkfifo) return;
      const fifoRoot = join(t.dir(), ".tldrs");
      mkdirSync(fifoRoot);
      equal(spawnSync("mkfifo", [join(fifoRoot, DB)]).status, 0, "mkfifo");
      const f = await t.store({ root: fifoRoot });
      for (const op of ["read", "write"]) {
        await rejects(() => (op === "read" ? f.state.listSessions() : f.state.openSession("x", { repoFingerprint: "fp" })), "ECORRUPT", `fifo: ${op}`);
      }
      ok(lstatSync(join(fifoRoot, DB)).isFIFO(), "the FIFO is still there");
    },
  },
  {
    name: "interop: beside a live Python connection with rows in its -wal, native reads and writes them, sql.js waits then refuses; nothing is lost",
    async run(t) {
      if (!hasPython) return;
      const root = join(t.dir(), ".tldrs");
      const s = await t.store({ root, lock: { timeoutMs: 300 } });
      await s.state.openSession("ts-1", { repoFingerprint: "fp" });
      const held = pyHold("hold", s.dbPath, "py-held");
      await held.ready;
      try {
        ok(statSync(`${s.dbPath}-wal`).size > 0, "Python's rows sit in the -wal");
        if (s.engine.name === "native") {
          equal(names(await s.state.listSessions()), ["py-held", "ts-1"], "native reads Python's uncheckpointed rows");
          await s.state.openSession("ts-2", { repoFingerprint: "fp" });
        } else {
          const err = await rejects(() => s.state.openSession("ts-2", { repoFingerprint: "fp" }), "EFOREIGNWAL", "sql.js write beside a live connection");
          ok(/refusing to write/.test(err.message), err.message);
          await rejects(() => s.state.listSessions(), "EFOREIGNWAL", "sql.js read of rows outside the file");
        }
      } finally {
        await held.release();
      }
      // Python closed; a native engine's own connection may still be open (it closes when idle).
      if (s.engine.name === "sqljs") ok(!existsSync(`${s.dbPath}-wal`), "Python closed: checkpointed");
      await s.state.openSession("ts-3", { repoFingerprint: "fp" });
      const expected = s.engine.name === "native" ? ["py-held", "ts-1", "ts-2", "ts-3"] : ["py-held", "ts-1", "ts-3"];
      equal(names(await s.state.listSessions()), expected, "every row of both sides");
      const py = spawnSync("python3", [PY_STORE, "read", s.dbPath], { encoding: "utf8" });
      const view = JSON.parse(py.stdout) as { sessions: string[]; integrity: string };
      equal([view.sessions, view.integrity], [expected, "ok"], "Python sees them too, integrity ok");
      rmSync(root, { recursive: true, force: true });
    },
  },
];
