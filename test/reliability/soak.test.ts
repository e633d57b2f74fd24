// The short soak inside `npm test`: the same workers, chaos loop and checker as
// `npm run soak` (soak.ts), bounded by work done rather than by time, so that a loaded machine
// only makes it slower: it runs until the target counts are reached, then checks everything.
import { describe, expect, it } from "vitest";
import { formatSoak, runSoak } from "./soak.ts";

describe("soak under SIGKILL", () => {
  // Node 20 workers run sql.js, Deno and Bun workers the native engine: a mixed fleet of writers
  // killed at random, sql.js and native, on one store.
  it("4 workers (sql.js and native) killed at random moments: every acknowledged put and delivery holds, verify and integrity_check are clean", async () => {
    const target = { kills: 4, acknowledged: { put: 21, deliver: 6 } };
    const result = await runSoak({ until: target, killEveryMs: [200, 900], log: () => undefined });
    console.info(formatSoak(result));
    expect(result.violations).toEqual([]);
    expect(result.runtimes.filter((r) => r.endsWith("(sqljs)")).length).toBeGreaterThan(0);
    if (!result.notes.some((n) => n.includes("cannot run the package"))) expect(result.runtimes.filter((r) => r.endsWith("(native)")).length, result.runtimes.join(", ")).toBe(2);
    expect(result.kills).toBeGreaterThanOrEqual(target.kills);
    expect(result.operations["put"] ?? 0).toBeGreaterThanOrEqual(target.acknowledged.put);
    expect(result.operations["deliver"] ?? 0).toBeGreaterThanOrEqual(target.acknowledged.deliver);
    // Every acknowledged keep put is read back by the checker (keep puts are a share of all puts).
    expect(result.checks["acknowledged keep blobs read back"] ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
