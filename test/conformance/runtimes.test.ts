// The conformance suite on Deno, Bun and the Node versions users run (22, 24, 26, installed by the
// test set-up), on both engines: runner.ts runs the cases of suite.ts in each, with TLDRS_ENGINE
// choosing the engine (vitest runs them on the machine's Node 20, which has only sql.js).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installedNodes, missingNodes } from "../helpers/node_builds.ts";
import { nodeCommand } from "../helpers/node_versions.ts";
import { childEnv, DENO_PERMISSIONS, ROOT, describeRun, runCommand, runOn, type RunResult } from "../runtimes/helpers.ts";
import { cases } from "./suite.ts";

const RUNNER = join(ROOT, "test/conformance/runner.ts");
/** The cases where Deno's --allow-run changes what the platform can know. */
const LIVENESS_CASES = "^(lock|platform):";

type Engine = "native" | "sqljs";

function summary(r: RunResult, what: string): { runtime: string; engine: string; passed: number; failed: number; total: number } {
  const m = /^conformance (\w+) (\w+): (\d+) passed, (\d+) failed, (\d+) total$/m.exec(r.stdout);
  if (!m) throw new Error(describeRun(`${what}: no summary line`, r));
  console.log(`${m[0]}${what.includes("without") ? " (without --allow-run)" : ""}`);
  return { runtime: m[1]!, engine: m[2]!, passed: Number(m[3]), failed: Number(m[4]), total: Number(m[5]) };
}

const withEngine = (engine: Engine) => ({ env: childEnv({ TLDRS_ENGINE: engine }) });

function expectAllPassed(r: RunResult, what: string, runtime: string, engine: Engine, total: number): void {
  const s = summary(r, what);
  expect(s.failed, describeRun(what, r)).toBe(0);
  expect(r.code, describeRun(what, r)).toBe(0);
  expect(s, what).toEqual({ runtime, engine, passed: total, failed: 0, total });
}

describe("conformance on deno and bun, both engines", () => {
  it("passes every case on deno (--allow-read --allow-write --allow-env --allow-sys --allow-run), on deno without --allow-run, and on bun", async () => {
    const liveness = cases.filter((c) => new RegExp(LIVENESS_CASES).test(c.name)).length;
    for (const engine of ["native", "sqljs"] as const) {
      const [deno, denoNoRun, bun] = await Promise.all([
        runOn("deno", RUNNER, [], withEngine(engine)),
        runOn("deno", RUNNER, [LIVENESS_CASES], { ...withEngine(engine), denoPermissions: DENO_PERMISSIONS.filter((p) => p !== "--allow-run") }),
        runOn("bun", RUNNER, [], withEngine(engine)),
      ]);
      expectAllPassed(deno, `deno ${engine}`, "deno", engine, cases.length);
      expectAllPassed(denoNoRun, `deno ${engine} without --allow-run`, "deno", engine, liveness);
      expectAllPassed(bun, `bun ${engine}`, "bun", engine, cases.length);
    }
  });
});

describe("conformance on node 22, 24 and 26", () => {
  it("passes every case on each, on the native engine (and on sql.js on 24)", async (t) => {
    const missing = missingNodes();
    if (missing) t.skip(missing);
    // One at a time: each spawns its own children, and the machine has two cores.
    for (const node of installedNodes()) {
      for (const engine of node.major === 24 ? (["native", "sqljs"] as const) : (["native"] as const)) {
        const what = `node ${node.version} ${engine}`;
        const r = await runCommand(...nodeCommand(node, RUNNER), withEngine(engine));
        expectAllPassed(r, what, "node", engine, cases.length);
      }
    }
  });
});
