// The conformance suite on Deno, Bun and the Node versions users run (22, 24, 26, installed by the
// test set-up): runner.ts runs the cases of suite.ts in each (vitest runs them on the machine's Node).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installedNodes, missingNodes } from "../helpers/node_builds.ts";
import { nodeCommand } from "../helpers/node_versions.ts";
import { DENO_PERMISSIONS, ROOT, describeRun, runCommand, runOn, type RunResult } from "../runtimes/helpers.ts";
import { cases } from "./suite.ts";

const RUNNER = join(ROOT, "test/conformance/runner.ts");
/** The cases where Deno's --allow-run changes what the platform can know. */
const LIVENESS_CASES = "^(lock|platform):";

function summary(r: RunResult, what: string): { runtime: string; passed: number; failed: number; total: number } {
  const m = /^conformance (\w+): (\d+) passed, (\d+) failed, (\d+) total$/m.exec(r.stdout);
  if (!m) throw new Error(describeRun(`${what}: no summary line`, r));
  console.log(`${m[0]}${what.includes("without") ? " (without --allow-run)" : ""}`);
  return { runtime: m[1]!, passed: Number(m[2]), failed: Number(m[3]), total: Number(m[4]) };
}

describe("conformance on deno and bun", () => {
  it("passes every case on deno (--allow-read --allow-write --allow-env --allow-sys --allow-run), on deno without --allow-run, and on bun", async () => {
    const [deno, denoNoRun, bun] = await Promise.all([
      runOn("deno", RUNNER),
      runOn("deno", RUNNER, [LIVENESS_CASES], { denoPermissions: DENO_PERMISSIONS.filter((p) => p !== "--allow-run") }),
      runOn("bun", RUNNER),
    ]);
    const runs = [
      { r: deno, what: "deno", runtime: "deno", total: cases.length },
      { r: denoNoRun, what: "deno without --allow-run", runtime: "deno", total: cases.filter((c) => new RegExp(LIVENESS_CASES).test(c.name)).length },
      { r: bun, what: "bun", runtime: "bun", total: cases.length },
    ];
    for (const { r, what, runtime, total } of runs) {
      const s = summary(r, what);
      expect(s.failed, describeRun(what, r)).toBe(0);
      expect(r.code, describeRun(what, r)).toBe(0);
      expect(s, what).toEqual({ runtime, passed: total, failed: 0, total });
    }
  });
});

describe("conformance on node 22, 24 and 26", () => {
  it("passes every case on each", async (t) => {
    const missing = missingNodes();
    if (missing) t.skip(missing);
    // One at a time: each spawns its own children, and the machine has two cores.
    for (const node of installedNodes()) {
      const r = await runCommand(...nodeCommand(node, RUNNER));
      const s = summary(r, `node ${node.version}`);
      expect(s, describeRun(`node ${node.version}`, r)).toEqual({ runtime: "node", passed: cases.length, failed: 0, total: cases.length });
      expect(r.code, describeRun(`node ${node.version}`, r)).toBe(0);
    }
  });
});
