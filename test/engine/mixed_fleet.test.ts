// Mixed fleets on one store, with real processes: the Python store's habits (py_fleet.py: WAL,
// a connection per operation), native tldrs writers and readers (Node 24, node:sqlite) and sql.js
// tldrs writers (this Node, 20). What must hold:
// - native + Python writing at once: exact counts, nothing lost, integrity ok (SQLite's locks);
// - sql.js beside live native writers and readers: it waits or refuses with a clear error, and
//   loses or damages nothing (the lockfile excludes writers; a native reader steps aside for a
//   sql.js writer, which may rename, and the sql.js writer waits for a native connection);
// - sql.js beside a live Python writer is NOT safe (Python takes no tldrs lock and JavaScript
//   cannot take SQLite's): RELIABILITY.md says so; it is not run here.
// No assertion on time: every run goes to its end, however loaded the machine.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installedNodes } from "../helpers/node_builds.ts";
import { tempDir } from "../helpers/tmp.ts";
import { childScript, hasPython, pythonIntegrity, startChild, type Child } from "./helpers.ts";

const RUNS = 5;
const OPS = 300;

function node24(): string | undefined {
  return installedNodes().find((n) => n.major === 24)?.executable;
}

/** What a fleet writer printed: acknowledged indexes, refusals by code, and its engine line. */
function outcome(child: Child): { acked: Set<number>; refused: Array<{ i: number; code: string; message: string }>; done: string | undefined } {
  const acked = new Set<number>();
  const refused: Array<{ i: number; code: string; message: string }> = [];
  for (const line of child.lines) {
    const ack = /^ack (\d+)$/.exec(line);
    if (ack) acked.add(Number(ack[1]));
    const no = /^refused (\d+) (\S+) (.*)$/.exec(line);
    if (no) refused.push({ i: Number(no[1]), code: no[2]!, message: no[3]! });
  }
  return { acked, refused, done: child.lines.find((l) => l.startsWith("done"))?.slice(5) };
}

/** Symbol ids by session, and integrity, as Python's sqlite3 reads them (a plain connection: a mode=ro one would leave -wal and -shm behind). */
function pyRows(db: string): { bySession: Record<string, string[]>; integrity: string } {
  const r = spawnSync(
    "python3",
    ["-c", "import json,sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nrows={}\nfor s,y in c.execute('SELECT session_id, symbol_id FROM deliveries'):\n  rows.setdefault(s,[]).append(y)\nprint(json.dumps({'bySession':rows,'integrity':c.execute('PRAGMA integrity_check').fetchone()[0]}))\nc.close()", db],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { bySession: Record<string, string[]>; integrity: string };
}

const indexes = (ids: string[] | undefined, prefix: string) => new Set((ids ?? []).map((id) => Number(id.slice(prefix.length + 1))));

/** A store made by tldrs (sql.js, this Node): the schema exists before Python's first upsert. */
function newStore(): { root: string; db: string } {
  const root = join(tempDir(), ".tldrs");
  mkdirSync(root);
  const r = spawnSync(process.execPath, [childScript("fleet_writer.mjs"), root, "setup", "1", "sqljs"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`setup failed: ${r.stderr}`);
  return { root, db: join(root, "tldrs_state.db") };
}

describe.skipIf(!hasPython)("mixed fleet: native tldrs and the Python store", () => {
  it(`${RUNS} runs of ${OPS} writes on each side at once: exact counts, nothing lost, integrity ok`, async (t) => {
    const node = node24();
    if (!node) t.skip("node 24 is not installed (see the test set-up)");
    for (let run = 0; run < RUNS; run++) {
      const { root, db } = newStore();
      const py = startChild("python3", [childScript("py_fleet.py"), db, "python", String(OPS)]);
      const native = startChild(node!, [childScript("fleet_writer.mjs"), root, "native", String(OPS), "native"]);
      const [pyExit, nativeExit] = await Promise.all([py.exited, native.exited]);
      expect(pyExit.code, py.stderr()).toBe(0);
      expect(nativeExit.code, native.stderr()).toBe(0);
      const n = outcome(native);
      expect(n.done).toMatch(/^native \(node:sqlite/);
      expect(n.refused, `run ${run}: native refusals`).toEqual([]);
      expect(n.acked.size).toBe(OPS);
      expect(py.lines.filter((l) => l.startsWith("ack ")).length, `run ${run}: python acks`).toBe(OPS);
      expect(existsSync(`${db}-wal`), "both closed: the WAL is checkpointed away").toBe(false);

      const seen = pyRows(db);
      expect(seen.integrity, `run ${run}`).toBe("ok");
      expect(indexes(seen.bySession["python"], "python").size, `run ${run}: python rows`).toBe(OPS);
      expect(indexes(seen.bySession["native"], "native").size, `run ${run}: native rows`).toBe(OPS);
      expect(pythonIntegrity(db)).toBe("ok");
    }
  }, 900_000);
});

describe("mixed fleet: sql.js beside native writers and readers", () => {
  it("3 runs of a sql.js writer, a native writer and a native reader at once: every acknowledged write kept, refusals clear, integrity ok", async (t) => {
    const node = node24();
    if (!node) t.skip("node 24 is not installed (see the test set-up)");
    const count = 150;
    let sqljsAcked = 0;
    let sqljsRefused = 0;
    for (let run = 0; run < 3; run++) {
      const { root, db } = newStore();
      const stop = join(root, "..", "stop");
      const reader = startChild(node!, [childScript("fleet_reader.mjs"), root, stop]);
      const native = startChild(node!, [childScript("fleet_writer.mjs"), root, "native", String(count), "native"]);
      const sqljs = startChild(process.execPath, [childScript("fleet_writer.mjs"), root, "sqljs", String(count), "sqljs"]);
      const [nativeExit, sqljsExit] = await Promise.all([native.exited, sqljs.exited]);
      writeFileSync(stop, "");
      const readerExit = await reader.exited;
      for (const [c, e] of [[native, nativeExit], [sqljs, sqljsExit], [reader, readerExit]] as const) expect(e.code, c.stderr()).toBe(0);
      expect(reader.lines.at(-1)).toMatch(/^reads \d+ native/);

      const n = outcome(native);
      const s = outcome(sqljs);
      expect(s.done).toMatch(/^sql\.js/);
      expect(n.refused, `run ${run}: the native writer waits for the lock`).toEqual([]);
      // sql.js may refuse (a native connection stayed at work past the lock timeout), never otherwise.
      for (const r of s.refused) {
        expect(["EFOREIGNWAL", "ELOCKTIMEOUT"], `run ${run}: ${r.code} ${r.message}`).toContain(r.code);
        expect(r.message).toMatch(/native SQLite connection|lock/);
      }
      sqljsAcked += s.acked.size;
      sqljsRefused += s.refused.length;

      const seen = hasPython ? pyRows(db) : undefined;
      if (seen) {
        expect(seen.integrity).toBe("ok");
        expect(indexes(seen.bySession["native"], "native"), `run ${run}: native rows`).toEqual(n.acked);
        // Every acknowledged sql.js write is there; a refused one may be there too only if it was
        // in fact written (none is: a refusal happens before the rename).
        expect(indexes(seen.bySession["sqljs"], "sqljs"), `run ${run}: sql.js rows`).toEqual(s.acked);
      }
    }
    console.info(`sql.js beside native: ${sqljsAcked} writes acknowledged, ${sqljsRefused} refused clearly, none lost`);
    expect(sqljsAcked).toBeGreaterThan(0);
  }, 900_000);

  it("a native reader steps aside while a sql.js writer holds the lock (it may rename), not for a native one", async (t) => {
    const node = node24();
    if (!node) t.skip("node 24 is not installed (see the test set-up)");
    const { root, db } = newStore();
    // A native write first: the file is in WAL mode, where a reader's connection shares the -wal.
    const w = spawnSync(node!, [childScript("fleet_writer.mjs"), root, "native", "1", "native"], { encoding: "utf8" });
    expect(w.status, w.stderr).toBe(0);
    for (const [engine, expected] of [["sqljs", /^read error ELOCKTIMEOUT .*held by pid \d+ on host ".*" \(node, sql\.js engine\)/], ["native", /^read ok 0$/]] as const) {
      const holder = startChild(process.execPath, [childScript("hold_lock.mjs"), db, "lock", engine]);
      try {
        await holder.waitForLine((l) => l.startsWith("holding"));
        const r = spawnSync(node!, [childScript("fleet_reader.mjs"), root, "once", "300"], { encoding: "utf8" });
        expect(r.stdout.trim(), `holder ${engine}: ${r.stderr}`).toMatch(expected);
      } finally {
        holder.proc.kill("SIGKILL");
        await holder.exited;
      }
    }
    expect(existsSync(`${db}-wal`)).toBe(false);
  });
});
