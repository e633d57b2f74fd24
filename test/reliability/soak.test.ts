// The short soak inside `npm test`: the same workers, chaos loop and checker as
// `npm run soak` (soak.ts), for a few seconds.
import { describe, expect, it } from "vitest";
import { formatSoak, runSoak } from "./soak.ts";

describe("soak under SIGKILL", () => {
  it("4 workers killed at random moments: every acknowledged put and delivery holds, verify and integrity_check are clean", async () => {
    // The floors below are reached by construction (the soak goes on until they are, up to
    // 120 s): what is checked is the store, not how fast a loaded machine runs it.
    const result = await runSoak({ durationMs: 8_000, killEveryMs: [200, 900], atLeast: { operations: { put: 30, deliver: 6 }, maxMs: 120_000 }, log: () => undefined });
    console.info(formatSoak(result));
    expect(result.violations).toEqual([]);
    expect(result.kills).toBeGreaterThan(3);
    expect(result.operations["put"] ?? 0).toBeGreaterThan(20);
    expect(result.operations["deliver"] ?? 0).toBeGreaterThan(5);
    expect(result.checks["acknowledged keep blobs read back"] ?? 0).toBeGreaterThan(10);
  });
});
