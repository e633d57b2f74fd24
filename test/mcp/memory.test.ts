// A long session: 2,000 tool calls to one server; its resident memory is reported and must
// stay flat (a generous bound on growth after a warm-up; never a bound on time).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { call, connect } from "./helpers.ts";
import { writeProject } from "./helpers.ts";

// The heap settles late on a loaded machine: 200 calls in, it still grew ~12 MiB per 200 calls
// to 1,000 and then stayed flat to 4,000 (138 MiB), so the first half is the warm-up.
const CALLS = 2000;
const WARM_UP = 1000;
/** Growth allowed between the warm-up and the end: far above what a leak of one call per call would stay under. */
const MAX_GROWTH_MIB = 48;

function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe.skipIf(process.platform !== "linux")("tldrs mcp memory over a long session (reads /proc)", () => {
  it(`stays flat over ${CALLS} calls`, async () => {
    const dir = tempDir("tldrs-mcp-mem-");
    writeProject(dir);
    const s = await connect(dir);
    try {
      const ref = await call(s, "vhs_put", { text: "x".repeat(200_000) });
      const samples: Array<[number, number]> = [];
      for (let i = 0; i < CALLS; i++) {
        switch (i % 5) {
          case 0:
            await call(s, "context", { entry: "main", session_id: `s${i % 50}` });
            break;
          case 1:
            await call(s, "vhs_put", { text: `call ${i}\n`.repeat(100) });
            break;
          case 2:
            await call(s, "vhs_get", { ref, offset: i * 100, length: 4096 });
            break;
          case 3:
            await call(s, "session_stats", { session_id: `s${(i - 3) % 50}` });
            break;
          default:
            await s.client.callTool({ name: "vhs_info", arguments: { ref: "not a ref" } });
        }
        if ((i + 1) % 200 === 0) samples.push([i + 1, residentMiB(s.pid)]);
      }
      const atWarmUp = samples.find(([n]) => n === WARM_UP)![1];
      const end = samples[samples.length - 1]![1];
      console.log(`tldrs mcp resident memory (MiB) after N calls: ${samples.map(([n, m]) => `${n}: ${m.toFixed(1)}`).join(", ")}; growth after the warm-up ${(end - atWarmUp).toFixed(1)} MiB`);
      expect(end - atWarmUp).toBeLessThan(MAX_GROWTH_MIB);
      expect(s.stderr()).toBe("");
    } finally {
      await s.close();
    }
  });
});
