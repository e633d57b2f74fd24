// The short soak inside `npm test`: the same workers, chaos loop and checker as
// `npm run soak` (soak.ts), for a few seconds.
import { describe, expect, it } from "vitest";
import { formatSoak, runSoak } from "./soak.ts";

describe("soak under SIGKILL", () => {
  it("4 workers killed at random moments: every acknowledged put and delivery holds, verify and integrity_check are clean", async () => {
    const result = await runSoak({ durationMs: 8_000, killEveryMs: [200, 900], log: () => undefined });
    console.info(formatSoak(result));
    expect(result.violations).toEqual([]);
    expect(result.kills).toBeGreaterThan(3);
    expect(result.operations["put"] ?? 0).toBeGreaterThan(20);
    expect(result.operations["deliver"] ?? 0).toBeGreaterThan(5);
    expect(result.checks["acknowledged keep blobs read back"] ?? 0).toBeGreaterThan(10);
  });
});
