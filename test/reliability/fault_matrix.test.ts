// Faults at every step of every store operation. Each operation runs once in a fault-free
// run to list the file-system calls it makes; then once per call and per mode: that call
// fails with ENOSPC, EIO or EACCES, or the process "crashes" right after it (the call takes
// effect, every later one throws). Afterwards:
//   - a failed operation reports a TldrsError that says what went wrong, leaves no temp file
//     (but the one a failed unlink could not remove), and the same store works again;
//   - another process, much later, opens the store: everything acknowledged before is there
//     with its bytes, the operation itself is all-or-nothing (and all, if it returned),
//     verify({ repair }) repairs, a second verify finds nothing, no temp file is left, and
//     integrity_check is ok.
// The write transaction alone is covered call by call in test/engine/faults.test.ts; this
// file covers the store operations above it. In-memory platform: the real disk's own
// failures are in disk_full.test.ts, real kills in soak.test.ts.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TldrsError, isTldrsError } from "../../src/errors.ts";
import { createFaultyPlatform, type CallRecord, type FaultyPlatform } from "../../src/platform/faulty.ts";
import type { Platform } from "../../src/platform/port.ts";
import { openStoreWith, type Store } from "../../src/store.ts";
import { bytesOf, chunked, copyTree, isRestingFile, listFiles, memoryPlatform, sameBytes } from "./helpers.ts";
import { isCrash, writeFileVia } from "../helpers/platform_files.ts";
import { stateDbOf } from "../../src/store.ts";

const ROOT = "/proj/.tldrs";
const OLD = "2020-01-01T00:00:00.000000+00:00";
const LATER_MS = 2 * 60 * 60 * 1000;
const LOCK = { timeoutMs: 5_000, staleMs: 30_000 };

const A = bytesOf(300, 1);
const B = bytesOf(3_000, 2); // stored zlib (small blobs keep the 2,000-odd recoveries fast)
const C = bytesOf(500, 3); // marked old: gc's victim
const D = bytesOf(700, 4); // delete's victim
const E = bytesOf(256, 5); // a file without its row: verify adopts it
const F = bytesOf(333, 6); // a row without its file: verify drops it
const X1 = bytesOf(120, 7);
const X2 = bytesOf(6_000, 8); // streamed: written raw, then compressed into a second temp file
const X3 = noiseOf(3_000); // asked to be compressed, does not shrink: the compressed temp is dropped, the raw one kept
const SRC = bytesOf(5_000, 9);
/** Bytes zlib cannot shrink: a sha256 chain. */
function noiseOf(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let block = createHash("sha256").update("noise").digest();
  for (let at = 0; at < n; at += 32) {
    out.set(block.subarray(0, Math.min(32, n - at)), at);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}
const hashOf = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const refOf = (b: Uint8Array) => `vhs://${hashOf(b)}`;
const blobFile = (b: Uint8Array) => {
  const h = hashOf(b);
  return `${ROOT}/blobs/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`;
};


/** The state every case starts from, built once per variant and copied into each case. */
async function buildTemplate(withDefaultSession: boolean): Promise<{ platform: Platform; defaultId: string | null }> {
  const platform = memoryPlatform(100, new Set([100]));
  await platform.mkdir("/proj");
  await platform.mkdir("/out");
  await writeFileVia(platform, "/src.bin", SRC);
  const store = await openStoreWith(platform, { root: ROOT });
  for (const b of [A, C, D, F]) await store.vhs.put(b);
  await store.vhs.put(B, { compress: true });
  await stateDbOf(store).write((d) => d.run("UPDATE objects SET last_accessed = ? WHERE hash = ?", [OLD, hashOf(C)]));
  await store.state.openSession("S", { repoFingerprint: "fp" });
  await store.state.recordDeliveries("S", [
    { symbolId: "f1", etag: "e1", representation: "full", codeSnapshot: "def f1(): pass" },
    { symbolId: "g", etag: "e2", representation: "vhs_ref", vhsRef: refOf(A) },
  ]);
  await store.state.openSession("O", { repoFingerprint: "fp" });
  await store.state.recordDeliveries("O", [{ symbolId: "o1", etag: "e3", representation: "full" }]);
  await stateDbOf(store).write((d) => {
    d.run("UPDATE sessions SET last_accessed = ? WHERE session_id = 'O'", [OLD]);
    d.run("UPDATE deliveries SET last_accessed = ? WHERE session_id = 'O'", [OLD]);
  });
  const defaultId = withDefaultSession ? (await store.state.defaultSession({ projectRoot: "/proj" })).sessionId : null;
  await store.close();
  await platform.unlink(blobFile(F));
  await platform.mkdir(blobFile(E).replace(/\/[0-9a-f]{64}$/, ""));
  await writeFileVia(platform, blobFile(E), E);
  await writeFileVia(platform, `${ROOT}/tmp/upload-100-00deadbeef00beef`, bytesOf(50, 10)); // a dead upload
  return { platform, defaultId };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Op {
  name: string;
  withDefaultSession?: boolean;
  run(store: Store): Promise<unknown>;
  /** On the recovered store: what the operation left, given whether it returned. */
  check(store: Store, base: Platform, outcome: Outcome, defaultId: string | null): Promise<void>;
  /** What the operation may change among the template's data. */
  changes?: Array<"C" | "D" | "S" | "O">;
}

/** "absent" or "intact": a blob that is there must have exactly its bytes. */
async function blobState(store: Store, bytes: Uint8Array, what: string): Promise<"absent" | "intact"> {
  const got = await store.vhs.get(refOf(bytes)).catch((err: unknown) => {
    if (isTldrsError(err, "ENOTFOUND")) return null;
    throw err;
  });
  if (got === null) return "absent";
  expect(sameBytes(got, bytes), `${what}: present with other bytes`).toBe(true);
  return "intact";
}

async function deliveriesOf(store: Store): Promise<Map<string, string>> {
  return stateDbOf(store).read((d) => new Map(d.all("SELECT session_id || '/' || symbol_id, etag FROM deliveries").map((r) => [String(r[0]), String(r[1])])));
}

async function sessionIds(store: Store): Promise<string[]> {
  return (await store.state.listSessions()).map((s) => s.sessionId).sort();
}

async function fileBytes(p: Platform, path: string): Promise<Uint8Array | null> {
  try {
    return await p.readFile(path);
  } catch {
    return null;
  }
}

const putCheck = (bytes: Uint8Array) => async (store: Store, _b: Platform, o: Outcome) => {
  const state = await blobState(store, bytes, "new blob");
  if (o.ok) {
    expect(state, "acknowledged put").toBe("intact");
    expect(o.value).toBe(refOf(bytes));
  }
};

const OPS: Op[] = [
  { name: "vhs put (bytes, raw)", run: (s) => s.vhs.put(X1), check: putCheck(X1) },
  { name: "vhs put (stream, zlib)", run: (s) => s.vhs.put(chunked(X2, 1_000), { compressMinBytes: 4_000 }), check: putCheck(X2) },
  { name: "vhs put (compress: true, kept raw)", run: (s) => s.vhs.put(X3, { compress: true }), check: putCheck(X3) },
  { name: "vhs put (same content again)", run: (s) => s.vhs.put(A, { compress: true }), check: putCheck(A) },
  { name: "vhs putFile", run: (s) => s.vhs.putFile("/src.bin"), check: putCheck(SRC) },
  {
    name: "vhs get",
    run: (s) => s.vhs.get(refOf(B)),
    async check(_s, _b, o) {
      if (o.ok) expect(sameBytes(o.value as Uint8Array, B)).toBe(true);
    },
  },
  {
    name: "vhs getToFile",
    run: (s) => s.vhs.getToFile(refOf(B), "/out/b.bin"),
    async check(_s, base, o) {
      const out = await fileBytes(base, "/out/b.bin");
      if (o.ok) expect(out && sameBytes(out, B), "acknowledged getToFile wrote the bytes").toBe(true);
      else if (out) expect(sameBytes(out, B), "a failed getToFile left a partial file").toBe(true);
    },
  },
  {
    name: "vhs delete",
    changes: ["D"],
    run: (s) => s.vhs.delete(refOf(D)),
    async check(store, _b, o) {
      const state = await blobState(store, D, "deleted blob");
      if (o.ok) {
        expect(o.value).toBe(true);
        expect(state, "acknowledged delete").toBe("absent");
      }
    },
  },
  {
    name: "vhs gc",
    changes: ["C"],
    run: (s) => s.vhs.gc({ maxAgeDays: 1 }),
    async check(store, _b, o) {
      const state = await blobState(store, C, "old blob");
      if (o.ok) {
        expect((o.value as { deleted: Array<{ hash: string }> }).deleted.map((v) => v.hash)).toEqual([hashOf(C)]);
        expect(state, "acknowledged gc").toBe("absent");
      }
    },
  },
  {
    name: "vhs verify --repair",
    run: (s) => s.vhs.verify({ repair: true }),
    async check(store, _b, o) {
      if (!o.ok) return;
      const rows = await stateDbOf(store).read((d) => d.all("SELECT hash FROM objects").map((r) => String(r[0])));
      expect(rows, "acknowledged repair adopted the orphan").toContain(hashOf(E));
      expect(rows, "acknowledged repair dropped the dead row").not.toContain(hashOf(F));
    },
  },
  {
    name: "state recordDeliveries",
    changes: ["S"],
    run: (s) =>
      s.state.recordDeliveries("S", [
        { symbolId: "f1", etag: "e9", representation: "full", codeSnapshot: "def f1(): return 9" },
        { symbolId: "h", etag: "e9", representation: "full" },
        { symbolId: "i", etag: "e9", representation: "signature_only" },
      ]),
    async check(store, _b, o) {
      const d = await deliveriesOf(store);
      const now = [d.get("S/f1"), d.get("S/h"), d.get("S/i")];
      const before = ["e1", undefined, undefined];
      const after = ["e9", "e9", "e9"];
      if (o.ok) expect(now, "acknowledged deliveries").toEqual(after);
      else expect([before, after], "deliveries all or nothing").toContainEqual(now);
      expect(d.get("S/g")).toBe("e2");
    },
  },
  {
    name: "state cleanupExpired",
    changes: ["O"],
    run: (s) => s.state.cleanupExpired({ ttlSeconds: 30 * 86_400 }), // only the session marked old
    async check(store, _b, o) {
      const hasSession = (await sessionIds(store)).includes("O");
      const hasDelivery = (await deliveriesOf(store)).has("O/o1");
      expect(hasSession, "cleanup all or nothing").toBe(hasDelivery);
      if (o.ok) {
        expect(o.value).toEqual({ sessions: 1, deliveries: 1 });
        expect(hasSession, "acknowledged cleanup").toBe(false);
      }
    },
  },
  {
    name: "state defaultSession (first use)",
    run: (s) => s.state.defaultSession({ projectRoot: "/proj" }),
    async check(store, base, o) {
      const file = await fileBytes(base, `${ROOT}/default_session_id`);
      if (file) expect(new TextDecoder().decode(file)).toMatch(/^[0-9a-f]{16}\n$/);
      if (o.ok) {
        const id = (o.value as { sessionId: string }).sessionId;
        expect(file && new TextDecoder().decode(file).trim(), "acknowledged id is the one on disk").toBe(id);
        expect(await sessionIds(store)).toContain(id);
      }
    },
  },
  {
    name: "state defaultSession (existing)",
    withDefaultSession: true,
    run: (s) => s.state.defaultSession({ projectRoot: "/proj" }),
    async check(store, base, o, defaultId) {
      const file = await fileBytes(base, `${ROOT}/default_session_id`);
      expect(file && new TextDecoder().decode(file).trim(), "the id file is never replaced").toBe(defaultId);
      if (o.ok) expect((o.value as { sessionId: string }).sessionId).toBe(defaultId);
      expect(await sessionIds(store)).toContain(defaultId);
    },
  },
  {
    name: "vhs get, then close (pending access times written)",
    async run(s) {
      await s.vhs.get(refOf(A));
      await s.close();
    },
    async check() {},
  },
];

/**
 * What every case keeps, whatever the operation did: the template's acknowledged data. With
 * `rowsOnly`, blobs are checked by their rows (after a verify that read every file).
 */
async function checkTemplateData(store: Store, op: Op, where: string, rowsOnly = false): Promise<void> {
  const kept = [A, B, ...(op.changes?.includes("C") ? [] : [C]), ...(op.changes?.includes("D") ? [] : [D])];
  if (rowsOnly) {
    const rows = await stateDbOf(store).read((d) => new Set(d.all("SELECT hash FROM objects").map((r) => String(r[0]))));
    for (const b of kept) expect(rows.has(hashOf(b)), `${where}: row of ${hashOf(b)}`).toBe(true);
  } else {
    for (const b of kept) expect(await blobState(store, b, `${where}: ${hashOf(b)}`)).toBe("intact");
  }
  const d = await deliveriesOf(store);
  expect(d.get("S/g"), where).toBe("e2");
  if (!op.changes?.includes("S")) expect(d.get("S/f1"), where).toBe("e1");
  if (!op.changes?.includes("O")) expect(d.get("O/o1"), where).toBe("e3");
  expect(await sessionIds(store), where).toEqual(expect.arrayContaining(op.changes?.includes("O") ? ["S"] : ["O", "S"]));
}

/** A file name with its random part blanked: the same kind of file in another run. */
function kindOf(path: string): string {
  return path.replace(/^.*\//, "").replace(/[0-9a-f]{8,}/g, "X");
}


interface Case {
  base: Platform;
  alive: Set<number>;
  faulty: FaultyPlatform;
  store: Store;
  defaultId: string | null;
}

async function prepare(op: Op, templates: Map<boolean, { platform: Platform; defaultId: string | null }>): Promise<Case> {
  const t = templates.get(op.withDefaultSession === true)!;
  const alive = new Set([200]);
  const base = memoryPlatform(200, alive);
  await copyTree(t.platform, base);
  await base.sleep(LATER_MS); // the dead upload is now past its grace period
  const faulty = createFaultyPlatform(base);
  const store = await openStoreWith(faulty, { root: ROOT, lock: LOCK });
  return { base, alive, faulty, store, defaultId: t.defaultId };
}

async function runOnce(c: Case, op: Op): Promise<Outcome> {
  return op.run(c.store).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Another process, later: opens the store, checks what must hold, repairs, checks again. */
async function recover(c: Case, op: Op, outcome: Outcome, where: string): Promise<void> {
  c.alive.add(300);
  const other = { ...c.base, pid: 300 };
  await c.base.sleep(LATER_MS);
  const store = await openStoreWith(other, { root: ROOT, lock: LOCK });
  try {
    await checkTemplateData(store, op, where);
    await op.check(store, c.base, outcome, c.defaultId);
    await store.vhs.verify({ repair: true });
    // What a later process does to the store, and with it the housekeeping that removes the
    // leftovers of the dead one: a write (database temp files), gc and verify (uploads), the
    // default session (its own temp file).
    await store.state.defaultSession({ projectRoot: "/proj" });
    const second = await store.vhs.verify();
    expect(second, `${where}: verify after repair`).toMatchObject({ missingFiles: [], orphans: [], wrongSizes: [], corrupt: [], staleUploads: [], strays: [] });
    expect(second.ok, `${where}: verify after repair`).toBe(second.checked);
    await checkTemplateData(store, op, where, true); // the second verify read every file

    expect(await stateDbOf(store).read((d) => String(d.get("PRAGMA integrity_check")![0])), where).toBe("ok");
    const files = await listFiles(c.base, ROOT);
    expect(files.filter((f) => !isRestingFile(f)), `${where}: files left after recovery`).toEqual([]);
  } finally {
    await store.close();
  }
}

const MODES = ["ENOSPC", "EIO", "EACCES", "crash"] as const;

async function runCase(op: Op, templates: Map<boolean, { platform: Platform; defaultId: string | null }>, call: CallRecord, mode: (typeof MODES)[number]): Promise<"ok" | "failed"> {
  const where = `${op.name}: ${mode === "crash" ? "crash after" : mode + " at"} call ${call.seq} (${call.op} ${call.path})`;
  const c = await prepare(op, templates);
  c.faulty.resetCount();
  c.faulty.setPlan(mode === "crash" ? { crashAfter: call.seq } : { failAt: { call: call.seq, code: mode } });
  const outcome = await runOnce(c, op);
  if (mode === "crash") {
    if (!outcome.ok) expect(isCrash(outcome.error), `${where}: not a crash: ${String(outcome.error)}`).toBe(true);
    c.alive.delete(200); // the process died: its lock is stale, its files are leftovers
    await recover(c, op, outcome, where);
    await c.store.close().catch(() => undefined);
    return outcome.ok ? "ok" : "failed";
  }

  c.faulty.setPlan({});
  if (!outcome.ok) {
    const err = outcome.error;
    expect(isTldrsError(err), `${where}: ${String((err as Error)?.stack ?? err)}`).toBe(true);
    const message = (err as TldrsError).message;
    expect(message, where).toMatch(mode === "ENOSPC" ? /disk is full|ENOSPC/ : mode === "EACCES" ? /permission denied|EACCES/ : /EIO/);
    expect(message, where).toMatch(/"\/|"vhs:\/\//); // names the file or the blob
  }
  // Right after the failure: no temp file, but the one whose unlink failed (or the lock,
  // whose release is retried by this process's next write).
  const failedUnlink = call.op === "unlink" ? kindOf(call.path) : null;
  const allowed = (f: string) =>
    isRestingFile(f) || f === "tmp/upload-100-00deadbeef00beef" || kindOf(`/${f}`) === failedUnlink || (f === "tldrs_state.db.lock" && call.path.includes(".lock"));
  expect((await listFiles(c.base, ROOT)).filter((f) => !allowed(f)), `${where}: files left by the failure`).toEqual([]);
  const outFiles = (await listFiles(c.base, "/out")).filter((f) => f !== "b.bin" && kindOf(`/${f}`) !== failedUnlink);
  expect(outFiles, `${where}: temp files beside the getToFile target`).toEqual([]);
  // The same process goes on: the operation succeeds when retried; memory and disk agree.
  if (op.name.includes("close")) {
    if (!outcome.ok) await c.store.close(); // else op.run closed it (a second close() throws)
  } else {
    const retry = await runOnce(c, op);
    expect(retry.ok, `${where}: retry failed: ${retry.ok ? "" : String((retry.error as Error)?.message)}`).toBe(true);
    const mine = await deliveriesOf(c.store);
    await c.store.close();
    const fresh = await openStoreWith({ ...c.base, pid: 201 }, { root: ROOT, lock: LOCK });
    expect(await deliveriesOf(fresh), `${where}: memory and disk disagree`).toEqual(mine);
    await fresh.close();
  }
  await recover(c, op, outcome, where);
  return outcome.ok ? "ok" : "failed";
}

describe("faults at every step of every store operation", () => {
  it("each file-system call of each operation fails (ENOSPC, EIO, EACCES) or crashes in turn; nothing acknowledged is lost", async () => {
    const templates = new Map([
      [false, await buildTemplate(false)],
      [true, await buildTemplate(true)],
    ]);
    const failures: string[] = [];
    const summary: string[] = [];
    let points = 0;
    let cases = 0;
    for (const op of OPS) {
      // The calls of a fault-free run.
      const c = await prepare(op, templates);
      c.faulty.resetCount();
      const clean = await runOnce(c, op);
      expect(clean.ok, `${op.name} without faults: ${clean.ok ? "" : String((clean.error as Error)?.stack)}`).toBe(true);
      const calls = c.faulty.calls.slice();
      if (!op.name.includes("close")) await c.store.close();
      const t0 = Date.now();
      points += calls.length;
      const tally = { ok: 0, failed: 0 };
      for (const call of calls) {
        for (const mode of MODES) {
          cases++;
          try {
            tally[await runCase(op, templates, call, mode)]++;
          } catch (err) {
            failures.push(String((err as Error).message).split("\n")[0]!);
          }
        }
      }
      summary.push(`${op.name}: ${calls.length} calls, ${tally.failed} reported failure, ${tally.ok} absorbed or after the commit point (${Date.now() - t0} ms)`);
    }
    console.info(`fault matrix: ${OPS.length} operations, ${points} injection points x ${MODES.length} modes = ${cases} cases\n  ${summary.join("\n  ")}`);
    expect(failures.slice(0, 40)).toEqual([]);
    expect(cases).toBe(points * MODES.length);
  });
});
