// Fault injection at every file-system call of one write transaction, over the in-memory
// platform and over the node platform on a temp folder: each call fails in turn with ENOSPC
// and with EIO, and the process "crashes" after each call in turn.
import { readFile, utimes } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { TldrsError, errnoCode } from "../../src/errors.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { CrashError, createFaultyPlatform, type CallRecord, type FaultyPlatform } from "../../src/platform/faulty.ts";
import { createMemoryPlatform } from "../../src/platform/memory.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import type { Platform } from "../../src/platform/port.ts";
import { tempDir } from "../helpers/tmp.ts";
import { DEAD_PID } from "./helpers.ts";
import { insertSession as insert } from "./helpers.ts";

const DB = "tldrs_state.db";
/** Past the leftover sweep's grace (1 h): a later process, long after the crash. */
const LATER_MS = 2 * 60 * 60 * 1000;

interface Kind {
  name: string;
  /** The "process" under test; its pid's liveness is switchable (a crash kills it). */
  base: Platform;
  setAlive(alive: boolean): void;
  root: string;
  /** Moves leftover files into the past, as if the recovering process came much later. */
  later(dir: string): Promise<void>;
}

function memoryKind(): Kind {
  const pid = 4242;
  const alive = new Set([pid]);
  const base = createMemoryPlatform({ pid, alivePids: alive, readUrl: async (url) => new Uint8Array(await readFile(url)) });
  return {
    name: "memory",
    base,
    setAlive: (a) => void (a ? alive.add(pid) : alive.delete(pid)),
    root: "/work",
    later: async () => base.sleep(LATER_MS), // the memory clock is virtual
  };
}

function nodeKind(): Kind {
  const real = createNodePlatform();
  let alive = true;
  const fakePid = DEAD_PID + 1;
  const base: Platform = { ...real, pid: fakePid, isProcessAlive: (p) => (p === fakePid ? alive : real.isProcessAlive(p)) };
  return {
    name: "node",
    base,
    setAlive: (a) => void (alive = a),
    root: tempDir("tldrs-faults-"),
    async later(dir) {
      const past = new Date(Date.now() - LATER_MS);
      for (const name of await real.readdir(dir)) if (name !== DB) await utimes(`${dir}/${name}`, past, past);
    },
  };
}

const LOCK_OPTIONS = { timeoutMs: 2_000, staleMs: 60_000 };

async function rowsOf(platform: Platform, path: string): Promise<string[] | null> {
  try {
    await platform.stat(path);
  } catch {
    return null;
  }
  const db = await StateDb.open(platform, path, { lock: LOCK_OPTIONS });
  try {
    const [check, ids] = await db.read((d) => [
      d.get("PRAGMA integrity_check")![0],
      d.all("SELECT session_id FROM sessions ORDER BY 1").map((r) => String(r[0])),
    ]);
    expect(check).toBe("ok");
    return ids;
  } finally {
    await db.close();
  }
}


interface Case {
  kind: Kind;
  faulty: FaultyPlatform;
  dir: string;
  path: string;
  db: StateDb;
  before: { bytes: Uint8Array; ino: number } | null;
  beforeRows: string[];
}

let caseNo = 0;
/** A fresh folder; "update" has a committed previous file, "create" starts a new store. */
async function prepare(kind: Kind, faulty: FaultyPlatform, scenario: "update" | "create"): Promise<Case> {
  kind.setAlive(true);
  const dir = `${kind.root}/case-${++caseNo}`;
  await kind.base.mkdir(dir);
  const path = `${dir}/${DB}`;
  faulty.setPlan({});
  const db = await StateDb.open(faulty, path, { lock: LOCK_OPTIONS });
  let before = null;
  let beforeRows: string[] = [];
  if (scenario === "update") {
    await db.write(insert("r1"));
    before = { bytes: await kind.base.readFile(path), ino: (await kind.base.stat(path)).ino };
    beforeRows = ["r1"];
  }
  return { kind, faulty, dir, path, db, before, beforeRows };
}

async function fileState(c: Case): Promise<{ bytes: Uint8Array; ino: number } | null> {
  try {
    return { bytes: await c.kind.base.readFile(c.path), ino: (await c.kind.base.stat(c.path)).ino };
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return null;
    throw err;
  }
}

/** The calls of one write in this scenario, from a run without faults. */
async function enumerate(kind: Kind, faulty: FaultyPlatform, scenario: "update" | "create"): Promise<CallRecord[]> {
  const c = await prepare(kind, faulty, scenario);
  faulty.resetCount();
  await c.db.write(insert("r2"));
  const calls = faulty.calls.slice();
  await c.db.close();
  return calls;
}

/** A name with its random part blanked: the same kind of file in another run. */
function kindOf(name: string): string {
  return name.replace(/^.*\//, "").replace(/\.[0-9a-f]{16,32}\./, ".X.");
}

interface Tally {
  points: number;
  cases: number;
  rejected: number;
  /** Calls whose injected failure the write absorbed (it committed anyway). */
  absorbed: Map<number, string>;
}

async function runFailure(kind: Kind, faulty: FaultyPlatform, scenario: "update" | "create", call: CallRecord, renameSeq: number, code: string, tally: Tally): Promise<void> {
  const c = await prepare(kind, faulty, scenario);
  faulty.resetCount();
  faulty.setPlan({ failAt: { call: call.seq, code } });
  const outcome = await c.db.write(insert("r2")).then(() => "ok" as const, (e: unknown) => e);
  faulty.setPlan({});
  const where = `${kind.name}/${scenario}: ${code} at call ${call.seq} (${call.op} ${call.path})`;
  const names = (await kind.base.readdir(c.dir)).sort();
  let expectedRows: string[];
  if (outcome === "ok") {
    // Absorbed: a failed cleanup (unlink of a temp or of the lock) or a fallback; the commit holds.
    tally.absorbed.set(call.seq, `${call.seq} ${call.op} ${kindOf(call.path)}`);
    expectedRows = [...c.beforeRows, "r2"];
    expect(await rowsOf(kind.base, c.path), where).toEqual(expectedRows);
    // Left behind only what the failed call itself could not delete: the temp it was
    // unlinking, or the lock when its release failed (retried at the next write).
    const allowed = new Set([DB]);
    if (call.op === "unlink") allowed.add(kindOf(call.path));
    if (call.seq > renameSeq && kindOf(call.path) === `${DB}.lock`) allowed.add(`${DB}.lock`);
    for (const name of names) expect(allowed.has(kindOf(name)), `${where}: leftover ${name}`).toBe(true);
  } else {
    tally.rejected++;
    expect(outcome, where).toBeInstanceOf(TldrsError);
    const err = outcome as TldrsError;
    expect(err.message, where).toMatch(new RegExp(`${c.path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}|${code}`));
    expect(err.message.length, where).toBeGreaterThan(20);
    // The previous file is untouched (same bytes, same inode), no temp file, no lock.
    const now = await fileState(c);
    if (c.before === null) expect(now, where).toBeNull();
    else {
      expect(now?.ino, where).toBe(c.before.ino);
      expect(Buffer.from(now!.bytes).equals(Buffer.from(c.before.bytes)), `${where}: previous file changed`).toBe(true);
    }
    expect(names, where).toEqual(c.before === null ? [] : [DB]);
    expectedRows = c.beforeRows;
  }
  // The same StateDb writes again; memory and disk agree.
  await c.db.write(insert("r3"));
  expectedRows = [...expectedRows, "r3"];
  expect(await c.db.read((d) => d.all("SELECT session_id FROM sessions ORDER BY 1").map((r) => String(r[0]))), where).toEqual(expectedRows);
  expect(await rowsOf(kind.base, c.path), where).toEqual(expectedRows);
  await expect(kind.base.stat(`${c.path}.lock`), `${where}: lock left`).rejects.toMatchObject({ code: "ENOENT" });
  await c.db.close();
  tally.cases++;
}

async function runCrash(kind: Kind, faulty: FaultyPlatform, scenario: "update" | "create", call: CallRecord, renameSeq: number, tally: Tally): Promise<void> {
  const c = await prepare(kind, faulty, scenario);
  faulty.resetCount();
  faulty.setPlan({ crashAfter: call.seq });
  const outcome = await c.db.write(insert("r2")).then(() => "ok" as const, (e: unknown) => e);
  const where = `${kind.name}/${scenario}: crash after call ${call.seq} (${call.op} ${call.path})`;
  if (outcome === "ok") {
    // JavaScript goes on after a simulated death: the engine may swallow the crash in
    // cleanup after the commit (unlink of the undo link, release of the lock), never before.
    expect(call.seq, where).toBeGreaterThanOrEqual(renameSeq);
  } else {
    const crash = outcome instanceof CrashError || (outcome as Error).cause instanceof CrashError;
    expect(crash, `${where}: ${String(outcome)}`).toBe(true);
  }
  faulty.setPlan({});
  kind.setAlive(false); // the process died

  // What is on disk is the previous committed state, or, once the rename happened, the new one.
  const committed = call.seq >= renameSeq;
  const now = await fileState(c);
  if (!committed) {
    if (c.before === null) expect(now, where).toBeNull();
    else expect(Buffer.from(now!.bytes).equals(Buffer.from(c.before.bytes)), `${where}: previous file changed`).toBe(true);
  }
  const expectedRows = committed ? [...c.beforeRows, "r2"] : c.beforeRows;
  if (now !== null) expect(await rowsOf(kind.base, c.path), where).toEqual(expectedRows);

  // A later process recovers: breaks the dead lock, sweeps leftovers, writes.
  await kind.later(c.dir);
  const next = await StateDb.open(kind.base, c.path, { lock: LOCK_OPTIONS });
  await next.write(insert("r3"));
  await next.close();
  kind.setAlive(true);
  expect((await kind.base.readdir(c.dir)).sort(), where).toEqual([DB]);
  expect(await rowsOf(kind.base, c.path), where).toEqual([...expectedRows, "r3"]);
  await c.db.close(); // only now: the dead process's object must not touch the files before recovery
  tally.cases++;
}

describe.each([
  ["memory", memoryKind],
  ["node", nodeKind],
] as const)("fault injection on the %s platform", (_name, makeKind) => {
  for (const scenario of ["update", "create"] as const) {
    it(`${scenario}: every call of one write fails (ENOSPC, EIO) or crashes, and the store stays consistent`, async () => {
      const kind = makeKind();
      const faulty = createFaultyPlatform(kind.base);
      const calls = await enumerate(kind, faulty, scenario);
      const renameSeq = calls.find((c) => c.op === "rename" && c.path.includes(".tmp -> "))!.seq;
      expect(renameSeq).toBeGreaterThan(0);
      const tally: Tally = { points: calls.length, cases: 0, rejected: 0, absorbed: new Map() };
      // The flush steps: temp create, write, fsync, close, chmod (keeping an existing file's
      // mode; a new file is created 0644 under the umask), lock check (the lock name still holds
      // the file this writer created: one stat), no -wal or -journal
      // beside the file, the file still the one loaded (none, for a new store), link previous,
      // rename, folder fsync.
      const tempSeq = calls.find((x) => x.op === "create" && /\.[0-9a-f]{16}\.tmp$/.test(x.path))!.seq;
      const flushSteps = calls.filter((c) => c.seq >= tempSeq && c.seq <= renameSeq + 1);
      const chmod = scenario === "update" ? ["chmod"] : [];
      const identity = scenario === "update" ? ["open", "fstat", "read", "close"] : ["open"];
      expect(flushSteps.map((c) => c.op)).toEqual(["create", "write", "fsync", "close", ...chmod, "stat", "stat", "stat", ...identity, "link", "rename", "syncDir"]);
      // Every case runs; the failures are listed together at the end.
      const failures: string[] = [];
      const attempt = async (run: () => Promise<void>) => {
        try {
          await run();
        } catch (err) {
          failures.push(String((err as Error).message).split("\n")[0]!);
        }
      };
      for (const call of calls) {
        for (const code of ["ENOSPC", "EIO"]) await attempt(() => runFailure(kind, faulty, scenario, call, renameSeq, code, tally));
        await attempt(() => runCrash(kind, faulty, scenario, call, renameSeq, tally));
      }
      expect(failures).toEqual([]);
      // A failed flush step is never absorbed: it fails the write, the previous file stays.
      for (const step of flushSteps) expect(tally.absorbed.has(step.seq), `absorbed flush step ${step.op}`).toBe(false);
      expect(tally.cases).toBe(calls.length * 3);
      console.info(
        `${kind.name}/${scenario}: ${tally.points} injection points x (ENOSPC, EIO, crash after) = ${tally.cases} cases; ` +
          `${tally.rejected} failed cleanly; absorbed (write committed): ${[...tally.absorbed.values()].join("; ") || "none"}`,
      );
    });
  }
});
