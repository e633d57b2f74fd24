// The conventions a user of other CLIs (and of the Python tldrs) expects: -v, --json
// everywhere output is JSON, --jsonl for lists, --no- forms of every switch, types in
// --help, shell completion, and errors that name the argument as it was typed.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cli } from "./cli_helpers.ts";
import { tempDir } from "../helpers/tmp.ts";

async function storeWithBlob(): Promise<{ cwd: string; ref: string }> {
  const cwd = tempDir();
  const ref = (await cli(["vhs", "put", "-"], { cwd, stdin: "hello" })).stdout.trim();
  await cli(["session", "default"], { cwd });
  return { cwd, ref };
}

describe("CLI conventions", () => {
  it("-v prints the version, as --version does", async () => {
    const cwd = tempDir();
    const long = await cli(["--version"], { cwd });
    const short = await cli(["-v"], { cwd });
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
    expect(short.stdout).toMatch(/^\d+\.\d+\.\d+\nengine: .+\n$/);
  });

  it("--json is accepted where the output is JSON already, after the command or before it, and changes nothing", async () => {
    const { cwd, ref } = await storeWithBlob();
    const id = (await cli(["session", "default"], { cwd })).stdout.trim();
    for (const args of [["vhs", "stats"], ["vhs", "info", ref], ["vhs", "ls"], ["vhs", "gc", "--dry-run"], ["vhs", "verify"], ["session", "ls"], ["session", "show", id], ["session", "cleanup", "--ttl-seconds", "100000"]]) {
      const plain = await cli(args, { cwd });
      const after = await cli([...args, "--json"], { cwd });
      const before = await cli(["--json", ...args], { cwd });
      expect(after.stderr, args.join(" ")).toBe("");
      expect(after.code, args.join(" ")).toBe(0);
      expect(before.code, args.join(" ")).toBe(0);
      const strip = (t: string) => t.replace(/"(last_accessed|created_at)": "[^"]*"/g, "");
      expect(strip(after.stdout), args.join(" ")).toBe(strip(plain.stdout));
      expect(strip(before.stdout), args.join(" ")).toBe(strip(plain.stdout));
      JSON.parse(after.stdout);
    }
  });

  it("--json turns text output into JSON: vhs put, vhs has, session default, doctor", async () => {
    const { cwd, ref } = await storeWithBlob();
    expect(JSON.parse((await cli(["vhs", "put", "-", "--json"], { cwd, stdin: "hello" })).stdout)).toEqual({ ref });
    const has = await cli(["vhs", "has", ref, "--json"], { cwd });
    expect([has.code, JSON.parse(has.stdout)]).toEqual([0, { stored: true }]);
    const hasNot = await cli(["vhs", "has", "0".repeat(64), "--json"], { cwd });
    expect([hasNot.code, JSON.parse(hasNot.stdout)]).toEqual([1, { stored: false }]);
    const id = (await cli(["session", "default"], { cwd })).stdout.trim();
    expect(JSON.parse((await cli(["session", "default", "--json"], { cwd })).stdout)).toEqual({ session_id: id });
    expect(JSON.parse((await cli(["doctor", "--json"], { cwd })).stdout)).toHaveProperty("findings");
    expect((await cli(["doctor", "--no-json"], { cwd })).stdout).not.toMatch(/^\{/);
  });

  it("--json where the output cannot be JSON is a usage error that says so", async () => {
    const { cwd, ref } = await storeWithBlob();
    for (const args of [["vhs", "cat", ref, "--json"], ["vhs", "get", ref, "--json"], ["completion", "bash", "--json"]]) {
      const r = await cli(args, { cwd });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^tldrs: --json does not apply: tldrs .* does not print JSON\n/);
      expect(r.stdout).toBe("");
    }
  });

  it("--jsonl prints one JSON object a line wherever a list is printed (vhs ls, session ls); --no-jsonl a JSON array", async () => {
    const { cwd } = await storeWithBlob();
    await cli(["vhs", "put", "-"], { cwd, stdin: "second" });
    await cli(["context", "x", "--session-id", "other"], { cwd }); // opens no session (no entry), fine either way
    for (const list of [["vhs", "ls"], ["session", "ls"]]) {
      const array = JSON.parse((await cli(list, { cwd })).stdout) as unknown[];
      const lines = (await cli([...list, "--jsonl"], { cwd })).stdout.trimEnd().split("\n");
      expect(lines.map((l) => JSON.parse(l)), list.join(" ")).toEqual(array);
      expect(JSON.parse((await cli([...list, "--jsonl", "--no-jsonl"], { cwd })).stdout)).toEqual(array);
    }
  });

  it("every switch has a working --no- form", async () => {
    const { cwd, ref } = await storeWithBlob();
    // --no-dry-run deletes (the last form given wins); --dry-run alone deletes nothing
    const dry = JSON.parse((await cli(["vhs", "gc", "--max-size-mb", "0", "--no-dry-run", "--dry-run"], { cwd })).stdout);
    expect(dry.deleted).toBe(1);
    expect((await cli(["vhs", "has", ref], { cwd })).code).toBe(0);
    const wet = JSON.parse((await cli(["vhs", "gc", "--max-size-mb", "0", "--dry-run", "--no-dry-run"], { cwd })).stdout);
    expect(wet.deleted).toBe(1);
    expect((await cli(["vhs", "has", ref], { cwd })).code).toBe(1);
    // --no-push needs no remote; --no-repair repairs nothing; --no-all with refs pushes nothing more
    expect((await cli(["vhs", "put", "-", "--no-push"], { cwd, stdin: "x" })).code).toBe(0);
    expect((await cli(["vhs", "verify", "--no-repair"], { cwd })).code).toBe(0);
    expect((await cli(["vhs", "push", "--no-all"], { cwd })).stderr).toMatch(/missing REFS/);
    // an unknown --no- form is named as typed
    const r = await cli(["vhs", "ls", "--no-colour"], { cwd });
    expect([r.code, r.stderr.split("\n")[0]]).toEqual([2, 'tldrs: unknown option "--no-colour"']);
  });

  it("--help labels numbers [number] and switches [boolean]; numbers are still read strictly", async () => {
    const cwd = tempDir();
    const help = async (...args: string[]) => (await cli([...args, "--help"], { cwd })).stdout;
    /** The option's help entry: its line and the lines it wraps onto. */
    const optionLine = (text: string, flag: string) => {
      const lines = text.split("\n");
      const at = lines.findIndex((l) => l.trimStart().startsWith(flag));
      if (at < 0) return "";
      let end = at + 1;
      while (end < lines.length && lines[end]!.trim() !== "" && !lines[end]!.trimStart().startsWith("-")) end++;
      return lines.slice(at, end).join(" ").trimEnd();
    };
    const numbers: Array<[string[], string]> = [
      [["vhs", "ls"], "--limit"],
      [["vhs", "gc"], "--max-age-days"],
      [["vhs", "gc"], "--max-size-mb"],
      [["vhs", "gc"], "--keep-last"],
      [["vhs", "put"], "--compress-min-bytes"],
      [["session", "cleanup"], "--ttl-seconds"],
      [["context"], "--depth"],
      [["context"], "--budget"],
      [["context"], "--max-lines"],
      [["context"], "--max-bytes"],
    ];
    for (const [cmd, flag] of numbers) expect(optionLine(await help(...cmd), flag), `${cmd.join(" ")} ${flag}`).toMatch(/\[number\]$/);
    expect(optionLine(await help("vhs", "gc"), "--dry-run")).toMatch(/\[boolean\]$/);
    for (const [args, text] of [
      [["vhs", "ls", "--limit", "1e3"], '"1e3"'],
      [["vhs", "ls", "--limit=0x10"], '"0x10"'],
      [["vhs", "ls", "--limit"], '""'],
      [["vhs", "gc", "--max-age-days", "Infinity"], '"Infinity"'],
      [["vhs", "ls", "--no-limit"], '"--no-limit"'],
    ] as Array<[string[], string]>) {
      const r = await cli(args, { cwd });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(`must be a`);
      expect(r.stderr, args.join(" ")).toContain(text);
    }
    expect((await cli(["vhs", "ls", "--limit", "2"], { cwd })).code).toBe(0);
  });

  it("an unknown option is named once, as typed, with the nearest known one; a stray word is named as such", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "a.py"), "def main():\n    pass\n");
    const cases: Array<[string[], string]> = [
      [["context", "main", "--with-doc"], 'tldrs: unknown option "--with-doc" (did you mean --with-docs?)'],
      [["context", "main", "--withDoc"], 'tldrs: unknown option "--withDoc" (did you mean --with-docs?)'],
      [["vhs", "stats", "--bogus"], 'tldrs: unknown option "--bogus"'],
      [["vhs", "ls", "--limt", "3"], 'tldrs: unknown option "--limt" (did you mean --limit?)'],
      [["vhs", "stats", "extra"], 'tldrs: unexpected argument "extra"'],
      [["vhs", "stats", "--jsn"], 'tldrs: unknown option "--jsn" (did you mean --json?)'],
    ];
    for (const [args, line] of cases) {
      const r = await cli(args, { cwd });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0], args.join(" ")).toBe(line);
      expect(r.stderr.split("\n")).toHaveLength(3); // the message, the --help pointer, the final newline
    }
  });
});

describe("shell completion", () => {
  const words = async (...typed: string[]) => (await cli(["__complete", "--", ...typed], { cwd: tempDir() })).stdout.split("\n").filter((l) => l !== "");

  it("tldrs completion bash|zsh prints a script; --print-completion (the Python CLI's flag) too; another shell is a usage error", async () => {
    const cwd = tempDir();
    const bash = await cli(["completion", "bash"], { cwd });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -o default -F _tldrs_complete tldrs");
    const zsh = await cli(["completion", "zsh"], { cwd });
    expect(zsh.stdout.startsWith("#compdef tldrs\n")).toBe(true);
    expect((await cli(["completion"], { cwd, env: { SHELL: "/usr/bin/zsh" } })).stdout).toBe(zsh.stdout);
    expect((await cli(["completion"], { cwd, env: { SHELL: "/bin/bash" } })).stdout).toBe(bash.stdout);
    expect((await cli(["--print-completion", "zsh"], { cwd })).stdout).toBe(zsh.stdout);
    const fish = await cli(["completion", "fish"], { cwd });
    expect([fish.code, fish.stderr.split("\n")[0]]).toEqual([2, 'tldrs: SHELL must be bash or zsh, got "fish"']);
    expect((await cli(["--help"], { cwd })).stdout).toContain("completion");
    expect((await cli(["--help"], { cwd })).stdout).not.toContain("__complete");
  });

  it("offers commands, subcommands, options (switches with --no-), and fixed values", async () => {
    expect(await words("")).toEqual(["vhs", "session", "context", "doctor", "mcp", "completion"]);
    expect(await words("vhs", "p")).toEqual(["put", "push", "pull"]);
    expect(await words("--project", "/tmp", "vhs", "g")).toEqual(["get", "gc"]);
    expect(await words("vhs", "gc", "--d")).toEqual(["--dry-run"]);
    expect(await words("vhs", "gc", "--no-d")).toEqual(["--no-dry-run"]);
    expect(await words("vhs", "ls", "--limit", "")).toEqual([]);
    expect(await words("context", "main", "--format", "")).toEqual(["text", "ultracompact", "json"]);
    expect(await words("context", "main", "--zoom", "L")).toEqual(["L0", "L1", "L2", "L3", "L4"]);
    expect(await words("completion", "")).toEqual(["bash", "zsh"]);
    const ctx = await words("context", "main", "--");
    expect(ctx).toEqual(expect.arrayContaining(["--budget", "--include-body", "--no-include-body", "--with-docs", "--zoom", "--json", "--no-cache"]));
    expect(ctx.some((w) => w.includes("="))).toBe(false); // never --flag=value forms
  });

  const bash = spawnSync("bash", ["--version"]).status === 0;
  it.skipIf(!bash)("the bash script completes through the installed binary (needs bash)", () => {
    const bin = tempDir();
    mkdirSync(join(bin, "bin"));
    writeFileSync(join(bin, "bin", "tldrs"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, "bin", "tldrs"), 0o755);
    const script = 'eval "$(tldrs completion bash)"; COMP_WORDS=(tldrs vhs p); COMP_CWORD=2; _tldrs_complete; printf "%s\\n" "${COMPREPLY[@]}"';
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, PATH: `${join(bin, "bin")}:${process.env["PATH"]}` } });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["put", "push", "pull"]);
  });

  const zsh = spawnSync("zsh", ["--version"]).status === 0;
  it.skipIf(!zsh)("the zsh script parses (needs zsh)", async () => {
    const file = join(tempDir(), "_tldrs");
    writeFileSync(file, (await cli(["completion", "zsh"], { cwd: tempDir() })).stdout);
    expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
  });
});
