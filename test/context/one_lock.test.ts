// `tldrs context --output vhs --session-id ... --include ...` is one logical operation: one lock,
// one flush of the sql.js image. Counted on the file calls the engine makes (a recording platform).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runContext } from "../../src/context/run_context.ts";
import { createFaultyPlatform, type FaultyPlatform } from "../../src/platform/faulty.ts";
import { openStoreInternal, openStoreWith } from "../../src/store.ts";
import { platform, project } from "./helpers.ts";

const FILES = { "app.py": "def entry(x):\n    return first(x) + second(x)\n\ndef first(x):\n    return x + 1\n\ndef second(x):\n    return x * 2\n" };

/** Locks taken (the lock file created in place) and database flushes (a temp renamed over it). */
function lockAndFlushCounts(recorder: FaultyPlatform, dir: string): { locks: number; flushes: number } {
  const db = join(dir, ".tldrs", "tldrs_state.db");
  return {
    locks: recorder.calls.filter((c) => c.op === "create" && c.path.endsWith(`${db}.lock`)).length,
    flushes: recorder.calls.filter((c) => c.op === "rename" && c.path.endsWith(` -> ${db}`)).length,
  };
}

async function run(dir: string, include: string, oneOperation: boolean): Promise<{ counts: { locks: number; flushes: number }; stdout: string }> {
  const recorder = createFaultyPlatform(platform); // records every file call; no faults planned
  const open = () => (oneOperation ? openStoreInternal(recorder, { project: dir }, { holdLockUntilClose: true }) : openStoreWith(recorder, { project: dir }));
  const result = await runContext(recorder, { entry: "entry", project: dir, cache: false, output: "vhs", sessionId: "s1", include: [include], includeBody: true }, open);
  return { counts: lockAndFlushCounts(recorder, dir), stdout: result.stdout };
}

describe("one lock and one flush per context call", () => {
  it("--output vhs --session-id --include: 1 lock and 1 flush (each write on its own took 3 of each)", async () => {
    const before = project(FILES);
    const after = project(FILES);
    const refs: string[] = [];
    for (const dir of [before, after]) {
      const s = await openStoreWith(platform, { project: dir });
      refs.push(await s.vhs.put("notes to include"));
      await s.close();
    }

    // Each verb in its own write: open the session, the output's blob row (with the included
    // blob's access time), the deliveries.
    const separate = await run(before, refs[0]!, false);
    expect(separate.counts).toEqual({ locks: 3, flushes: 3 });

    const one = await run(after, refs[1]!, true);
    expect(one.counts).toEqual({ locks: 1, flushes: 1 });
    expect(one.stdout).toBe(separate.stdout);
    expect(existsSync(join(after, ".tldrs", "tldrs_state.db.lock"))).toBe(false);

    // Everything reached the file: the session, the blob and its row, the deliveries, the access.
    const s = await openStoreWith(platform, { project: after });
    const ref = one.stdout.split("\n")[0]!;
    expect(await s.vhs.getText(ref)).toContain("def entry(x):");
    expect((await s.state.sessionStats("s1")).deliveryCount).toBe(3);
    expect((await s.state.getDelivery("s1", "app.py:entry"))?.vhsRef).toBe(ref);
    expect((await s.vhs.info(refs[1]!))!.lastAccessed > (await s.vhs.info(refs[1]!))!.createdAt).toBe(true);
    await s.close();

    // A second call in the same session: still one of each, and the delta sees the first.
    const again = await run(after, refs[1]!, true);
    expect(again.counts).toEqual({ locks: 1, flushes: 1 });
    expect(again.stdout).toContain("# Delta: 3 unchanged, 0 changed");
  });
});
