// A cold CLI loads only what its command needs: the hot commands (vhs put, cat, has, info and
// context) run with yargs not installed at all, and on a runtime with its own SQLite (Node 22
// and later, Deno, Bun) the default engine runs without sql.js installed either: its .wasm is
// never read there. Usage errors and --help still need yargs and say so when it is missing.
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { installedNodes } from "../helpers/node_builds.ts";
import { tempDir } from "../helpers/tmp.ts";
import { bunExecutable, childEnv, DENO_CLI_PERMISSIONS, denoExecutable, describeRun, runCommand } from "../runtimes/helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The built package with node_modules holding every dependency but `without`. */
function packageWithout(without: readonly string[]): string {
  const copy = tempDir();
  for (const part of ["dist", "wasm", "package.json"]) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  mkdirSync(join(copy, "node_modules"));
  for (const dep of readdirSync(join(ROOT, "node_modules"))) {
    if (!without.includes(dep) && !dep.startsWith(".")) symlinkSync(join(ROOT, "node_modules", dep), join(copy, "node_modules", dep));
  }
  return join(copy, "dist", "cli", "bin.js");
}

function project(): string {
  const cwd = tempDir();
  mkdirSync(join(cwd, "pkg"));
  writeFileSync(join(cwd, "pkg", "app.py"), "def helper():\n    return 1\n\n\ndef main():\n    return helper()\n");
  writeFileSync(join(cwd, "a.txt"), "cold start\n");
  return cwd;
}

/** put, cat, has, info and context, each a fresh process, all fine. */
async function hotCommands(run: (args: string[], cwd: string) => ReturnType<typeof runCommand>, label: string): Promise<void> {
  const cwd = project();
  const put = await run(["vhs", "put", "a.txt"], cwd);
  expect(put.code, describeRun(`${label} put`, put)).toBe(0);
  const ref = put.stdout.trim();
  expect(ref).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
  const cat = await run(["vhs", "cat", ref], cwd);
  expect(cat.stdout, describeRun(`${label} cat`, cat)).toBe("cold start\n");
  const has = await run(["vhs", "has", ref, "--json"], cwd);
  expect(JSON.parse(has.stdout), describeRun(`${label} has`, has)).toEqual({ stored: true });
  const info = await run(["vhs", "info", ref], cwd);
  expect(JSON.parse(info.stdout), describeRun(`${label} info`, info)).toMatchObject({ size: 11, compression: "" });
  const context = await run(["context", "main"], cwd);
  expect(context.stderr, describeRun(`${label} context`, context)).toBe("");
  expect(context.stdout).toContain("return helper()");
}

describe("a cold CLI loads only what the command needs", () => {
  it("the hot commands run without yargs installed; --help and usage errors need it", async () => {
    const bin = packageWithout(["yargs"]);
    await hotCommands((args, cwd) => runCommand(process.execPath, [bin, ...args], { cwd, env: childEnv() }), "node");
    const help = await runCommand(process.execPath, [bin, "vhs", "put", "--help"], { cwd: tempDir(), env: childEnv() });
    expect(help.code).not.toBe(0);
    expect(help.stderr).toContain("yargs");
  });

  it("on runtimes with their own SQLite, the default engine needs no sql.js", async () => {
    const bin = packageWithout(["yargs", "sql.js"]);
    const runtimes: Array<[string, (args: string[], cwd: string) => ReturnType<typeof runCommand>]> = [
      ["deno", (args, cwd) => runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_CLI_PERMISSIONS, bin, ...args], { cwd, env: childEnv() })],
      ["bun", (args, cwd) => runCommand(bunExecutable(), [bin, ...args], { cwd, env: childEnv() })],
      ...installedNodes().map((n): [string, (args: string[], cwd: string) => ReturnType<typeof runCommand>] => [`node ${n.version}`, (args, cwd) => runCommand(n.executable, [bin, ...args], { cwd, env: childEnv() })]),
    ];
    for (const [label, run] of runtimes) await hotCommands(run, label);
    // And here (Node 20, no node:sqlite) sql.js is what runs: without it, a clear error.
    if (!process.versions.node.startsWith("20.")) return;
    const put = await runCommand(process.execPath, [bin, "vhs", "put", "-"], { cwd: tempDir(), env: childEnv(), input: "x" });
    expect(put.code).toBe(1);
    expect(put.stderr).toMatch(/^tldrs: Cannot find the SQLite engine/);
  });
});
