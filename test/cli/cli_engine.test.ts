// --engine, TLDRS_ENGINE, and what --version and doctor say about the engine: in-process on this
// Node (20: no node:sqlite), spawned on Node 22/24/26, Deno and Bun (all with a native SQLite).
import { describe, expect, it } from "vitest";
import { installedNodes, missingNodes } from "../helpers/node_builds.ts";
import { tempDir } from "../helpers/tmp.ts";
import { bunExecutable, denoExecutable, DENO_PERMISSIONS, describeRun, runCommand } from "../runtimes/helpers.ts";
import { BIN, cli } from "./cli_helpers.ts";

const NO_NATIVE = /Node v20\.\d+\.\d+ has no node:sqlite \(Node 22\.13 and later have it\)/;

describe("--engine and TLDRS_ENGINE (Node 20, no node:sqlite)", () => {
  it("auto runs sql.js and says why; --version names the engine", async () => {
    const cwd = tempDir();
    const v = await cli(["--version"], { cwd });
    expect(v.code).toBe(0);
    const [version, engine] = v.stdout.trim().split("\n");
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(engine).toMatch(/^engine: sql\.js \d+\.\d+\.\d+: /);
    expect(engine).toMatch(NO_NATIVE);
    expect((await cli(["--engine", "sqljs", "--version"], { cwd })).stdout).toMatch(/engine: sql\.js [\d.]+: chosen by --engine\n$/);
    expect((await cli(["--version"], { cwd, env: { TLDRS_ENGINE: "sqljs" } })).stdout).toMatch(/engine: sql\.js [\d.]+: chosen by TLDRS_ENGINE\n$/);
  });

  it("an unknown value is a usage error (exit 2) naming it, from the flag or from the env", async () => {
    const cwd = tempDir();
    const flag = await cli(["--engine", "sqlite", "vhs", "ls"], { cwd });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^tldrs: Invalid argument "--engine": expected one of "auto", "sqljs", "native", got "sqlite"\n/);
    const env = await cli(["vhs", "ls"], { cwd, env: { TLDRS_ENGINE: "fast" } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/^tldrs: Invalid argument "TLDRS_ENGINE": expected one of "auto", "sqljs", "native", got "fast"\n/);
    expect((await cli(["--engine", "x", "--version"], { cwd })).code).toBe(2);
    expect((await cli(["--engine", "auto", "--engine", "sqljs", "vhs", "ls"], { cwd })).code).toBe(2);
  });

  it("native where the runtime has none is a clear error (exit 1), never a silent fallback; the flag beats the env", async () => {
    const cwd = tempDir();
    const r = await cli(["vhs", "put", "-"], { cwd, stdin: "x", env: { TLDRS_ENGINE: "native" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tldrs: The native engine was asked for \(chosen by TLDRS_ENGINE\) but is not available: Node v20[^\n]*; use engine "auto" or "sqljs"\n$/);
    expect(r.stdout).toBe("");
    const flagged = await cli(["--engine", "native", "vhs", "ls"], { cwd });
    expect(flagged.code).toBe(1);
    expect(flagged.stderr).toMatch(/chosen by --engine/);
    const wins = await cli(["--engine", "sqljs", "vhs", "put", "-"], { cwd, stdin: "y", env: { TLDRS_ENGINE: "native" } });
    expect(wins.code, wins.stderr).toBe(0);
    expect(wins.stdout).toMatch(/^vhs:\/\/[0-9a-f]{64}\n$/);
  });

  it("doctor reports the engine and why", async () => {
    const cwd = tempDir();
    const r = await cli(["doctor"], { cwd });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/\[ok {2}\] engine: sql\.js [\d.]+ \(glue and binary checked\) from .*: Node v20/);
  });
});

describe("--engine on runtimes with a native SQLite", () => {
  it("Node 22, 24, 26: native by default, sql.js on request, both on one store; stderr clean (no ExperimentalWarning)", async (t) => {
    const missing = missingNodes();
    if (missing) t.skip(missing);
    for (const node of installedNodes()) {
      const cwd = tempDir();
      const what = `node ${node.version}`;
      const version = await runCommand(node.executable, [BIN, "--version"], { cwd });
      expect(version.stdout, describeRun(what, version)).toMatch(/\nengine: native \(node:sqlite, SQLite 3\.\d+\.\d+\): the runtime has it\n$/);
      expect(version.stderr).toBe("");
      const put = await runCommand(node.executable, [BIN, "vhs", "put", "-"], { cwd, input: "native\n" });
      expect(put.code, describeRun(what, put)).toBe(0);
      expect(put.stderr).toBe("");
      const viaSqljs = await runCommand(node.executable, [BIN, "--engine", "sqljs", "vhs", "cat", put.stdout.trim()], { cwd });
      expect(viaSqljs.stdout, describeRun(what, viaSqljs)).toBe("native\n");
      const put2 = await runCommand(node.executable, [BIN, "--engine", "sqljs", "vhs", "put", "-"], { cwd, input: "sqljs\n" });
      const back = await runCommand(node.executable, [BIN, "vhs", "cat", put2.stdout.trim()], { cwd });
      expect(back.stdout, describeRun(what, back)).toBe("sqljs\n");
      const doctor = await runCommand(node.executable, [BIN, "doctor"], { cwd });
      expect(doctor.code, describeRun(what, doctor)).toBe(0);
      expect(doctor.stdout).toMatch(/\[ok {2}\] engine: native \(node:sqlite, SQLite [\d.]+\): the runtime has it\n/);
      expect(doctor.stdout).toMatch(/\[ok {2}\] sql\.js: sql\.js [\d.]+ \(glue and binary checked\) from .*, for --engine sqljs\n/);
      expect(doctor.stderr).toBe("");
    }
  });

  it("Deno and Bun: --version names their SQLite", async () => {
    const cwd = tempDir();
    const [deno, bun] = await Promise.all([
      runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_PERMISSIONS, BIN, "--version"], { cwd }),
      runCommand(bunExecutable(), [BIN, "--version"], { cwd }),
    ]);
    expect(deno.stdout, describeRun("deno", deno)).toMatch(/\nengine: native \(node:sqlite, SQLite 3\.\d+\.\d+\): the runtime has it\n$/);
    expect(bun.stdout, describeRun("bun", bun)).toMatch(/\nengine: native \(bun:sqlite, SQLite 3\.\d+\.\d+\): the runtime has it\n$/);
  });
});
