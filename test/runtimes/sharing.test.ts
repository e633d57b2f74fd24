// One store, three runtimes: Node, Deno and Bun processes (worker.mjs on the built package)
// writing at the same time, reading each other's data, and breaking each other's dead locks.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { RUNTIMES, RuntimeWorker, type RuntimeName } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const WRITES_EACH = 100;
/** Liveness, not age, must free these locks: a live holder would be waited for 10 minutes. */
const LOCK = { staleMs: 600_000, timeoutMs: 30_000 };

let workers: Record<RuntimeName, RuntimeWorker>;

function digest(text: string): { size: number; sha256: string } {
  const bytes = Buffer.from(text);
  return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

beforeAll(async () => {
  workers = { node: RuntimeWorker.start("node"), deno: RuntimeWorker.start("deno"), bun: RuntimeWorker.start("bun") };
  // Wait until each has loaded the package, so the concurrent test starts together.
  const dir = tempDir();
  for (const w of Object.values(workers)) expect(await w.call("open", { root: join(dir, w.runtime) })).toBe(w.runtime);
});

afterAll(async () => {
  await Promise.all(Object.values(workers ?? {}).map((w) => w.stop()));
});

describe("one store shared by node, deno and bun", () => {
  it(`keeps every one of 3 x ${WRITES_EACH} concurrent write transactions`, async () => {
    const root = join(tempDir(), ".tldrs");
    for (const w of Object.values(workers)) await w.call("open", { root, lock: { timeoutMs: 120_000 } });
    await workers.node.call("init", { root });
    const spans = await Promise.all(RUNTIMES.map((r) => workers[r].call<{ started: number; ended: number }>("rows", { root, tag: r, count: WRITES_EACH }, 120_000)));
    const together = Math.min(...spans.map((s) => s.ended)) - Math.max(...spans.map((s) => s.started));
    console.log(`3 x ${WRITES_EACH} write transactions; all three runtimes were writing together for ${together} ms`);

    const expected = { sessions: { node: WRITES_EACH, deno: WRITES_EACH, bun: WRITES_EACH }, counter: 3 * WRITES_EACH };
    for (const r of RUNTIMES) expect(await workers[r].call("count", { root }), `as ${r} reads it`).toEqual(expected);
    const store = await openStore({ root });
    try {
      expect(await stateDbOf(store).read((db) => db.get("PRAGMA integrity_check")?.[0])).toBe("ok");
      expect((await store.state.listSessions()).length).toBe(3 * WRITES_EACH);
    } finally {
      await store.close();
    }
  });

  it("reads in each runtime what the others wrote (blobs, compressed blobs, sessions, deltas)", async () => {
    const root = join(tempDir(), ".tldrs");
    const written: Record<string, { small: string; big: string; text: string }> = {};
    for (const r of RUNTIMES) {
      const w = workers[r];
      const text = `written by ${r}\n`;
      const small = await w.call<string>("put", { root, text });
      const big = await w.call<string>("put", { root, text, repeat: 20_000, compress: true }); // 300+ KiB, zlib
      await w.call("record", {
        root,
        session: `s-${r}`,
        deliveries: [
          { symbolId: "a.py:f", etag: `f-${r}`, representation: "full", codeSnapshot: "def f(): pass" },
          { symbolId: "a.py:g", etag: `g-${r}`, representation: "vhs_ref", vhsRef: big },
          { symbolId: "a.py:h", etag: `h-${r}`, representation: "signature_only" },
        ],
      });
      written[r] = { small, big, text };
    }
    for (const reader of RUNTIMES) {
      for (const writer of RUNTIMES) {
        const { small, big, text } = written[writer]!;
        expect(await workers[reader].call("get", { root, ref: small }), `${reader} reads ${writer}'s blob`).toEqual(digest(text));
        expect(await workers[reader].call("get", { root, ref: big }), `${reader} reads ${writer}'s compressed blob`).toEqual(digest(text.repeat(20_000)));
        expect(await workers[reader].call("delta", { root, session: `s-${writer}`, etags: { "a.py:f": `f-${writer}`, "a.py:g": `g-${writer}`, "a.py:h": `h-${writer}`, "a.py:i": "new" } }), `${reader} checks ${writer}'s session`).toEqual({
          unchanged: ["a.py:f", "a.py:g"],
          changed: ["a.py:h", "a.py:i"],
          rehydrate: { "a.py:g": big },
        });
      }
    }
    const store = await openStore({ root });
    try {
      expect((await store.vhs.info(written["deno"]!.big))?.compression).toBe("zlib");
      expect((await store.vhs.stats()).count).toBe(6);
      expect((await store.vhs.verify()).ok).toBe(6);
    } finally {
      await store.close();
    }
  });

  const pairs: Array<[RuntimeName, RuntimeName]> = [
    ["deno", "node"],
    ["bun", "node"],
    ["node", "deno"],
    ["node", "bun"],
    ["deno", "bun"],
    ["bun", "deno"],
  ];
  it(`breaks the lock of a writer killed with SIGKILL mid-transaction: ${pairs.map(([h, b]) => `${h} -> ${b}`).join(", ")}`, async () => {
    const dir = tempDir();
    await Promise.all(
      pairs.map(async ([holderRuntime, breakerRuntime]) => {
        const what = `${holderRuntime} holder, ${breakerRuntime} breaker`;
        const root = join(dir, `${holderRuntime}-${breakerRuntime}`);
        const breaker = workers[breakerRuntime];
        await breaker.call("open", { root, lock: LOCK });
        await breaker.call("init", { root });
        await breaker.call("rows", { root, tag: "before", count: 1 });

        // A native holder killed mid-transaction leaves its -wal, which a sql.js breaker (Node 20)
        // waits for and refuses (the next native connection recovers it: interop and soak tests):
        // here both sides of a Node pair run sql.js, so the lock itself is what is tested.
        const holder = RuntimeWorker.start(holderRuntime, undefined, breakerRuntime === "node" ? { TLDRS_ENGINE: "sqljs" } : {});
        try {
          const held = await holder.call<{ pid: number; runtime: string }>("hold", { root });
          const record = JSON.parse(readFileSync(join(root, "tldrs_state.db.lock"), "utf8")) as { pid: number; runtime: string };
          expect({ pid: record.pid, runtime: record.runtime }, what).toEqual({ pid: holder.pid, runtime: holderRuntime });
          expect(held.pid, what).toBe(holder.pid);
        } finally {
          holder.kill("SIGKILL");
        }
        expect((await holder.exited).signal, what).toBe("SIGKILL");

        await breaker.call("rows", { root, tag: "after", count: 1 });
        expect(await breaker.call("count", { root }), what).toEqual({ sessions: { before: 1, after: 1 }, counter: 2 });
        expect(existsSync(join(root, "tldrs_state.db.lock")), what).toBe(false);
      }),
    );
  });
});
