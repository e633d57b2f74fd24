// The engine, state, VHS and interop tests, and the hostile-file and bad-input corpora, run a
// second time on the native engine: vitest itself on Node 24 (which has node:sqlite, so "auto"
// picks it for the node platform; the memory and fault-injecting platforms keep sql.js). On this
// Node (20) they run on sql.js with the rest of `npm test`. Tests whose subject is one engine say
// so (engine: "sqljs", or a branch on `engine.name`).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installedNodes, missingNodes } from "../helpers/node_builds.ts";
import { childEnv, describeRun, ROOT, runCommand } from "../runtimes/helpers.ts";

export const NATIVE_RUN = [
  "test/engine",
  "test/state",
  "test/vhs",
  "test/reliability/hostile.test.ts",
  "test/reliability/bad_input.test.ts",
  "test/context/session_vhs.test.ts",
];
/** Not the engine's business, this file itself, or a file that starts Node 24 children itself. */
const EXCLUDED = ["test/vhs/memory.test.ts", "test/engine/native_engine.test.ts", "test/engine/mixed_fleet.test.ts"];

describe("the engine, state, vhs and interop tests on the native engine", () => {
  it("pass under vitest on Node 24 (node:sqlite)", async (t) => {
    const missing = missingNodes();
    const node = installedNodes().find((n) => n.major === 24);
    if (!node) t.skip(missing ?? "node 24 is not installed");
    const args = [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "test/native.config.ts", ...NATIVE_RUN, ...EXCLUDED.flatMap((f) => ["--exclude", f])];
    const r = await runCommand(node!.executable, args, { env: childEnv({ NO_COLOR: "1", CI: "1" }) });
    const files = /Test Files\s+(.*)$/m.exec(r.stdout)?.[1] ?? "";
    const tests = /Tests\s+(.*)$/m.exec(r.stdout)?.[1] ?? "";
    console.info(`native engine (node ${node!.version}): test files ${files}; tests ${tests}`);
    expect(r.code, describeRun("vitest on node 24", { ...r, stdout: r.stdout.split("\n").filter((l) => /FAIL|×|Error|expected|Test Files|Tests/.test(l)).join("\n") })).toBe(0);
    expect(tests).toMatch(/^\d+ passed/);
    expect(tests).not.toMatch(/failed/);
  }, 900_000);
});
