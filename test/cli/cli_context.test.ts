import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { cli } from "./cli_helpers.ts";

function project(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "pkg"));
  writeFileSync(join(dir, "pkg", "app.py"), "def helper(x):\n    return x + 1\n\n\ndef main():\n    return helper(2)\n");
  return dir;
}

describe("tldrs context (in-process)", () => {
  it("prints the entry and its callees; delta marks them unchanged on the second call", async () => {
    const cwd = project();
    const first = await cli(["context", "main", "--delta", "--include-body"], { cwd });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^# Delta: 0 unchanged, 2 changed/);
    expect(first.stdout).toContain("return helper(2)");
    const second = await cli(["context", "main", "--delta", "--include-body"], { cwd });
    expect(second.stdout).toMatch(/^# Delta: 2 unchanged, 0 changed/);
    expect(second.stdout).toContain("[UNCHANGED]");
    expect(second.stdout).not.toContain("return x + 1");
    const off = await cli(["context", "main", "--delta", "--no-delta", "--include-body"], { cwd });
    expect(off.stdout).not.toContain("[UNCHANGED]");
  });

  it("--output vhs prints a ref readable by vhs cat; --format json parses", async () => {
    const cwd = project();
    const r = await cli(["context", "pkg/app.py:main", "--output", "vhs"], { cwd });
    expect(r.code).toBe(0);
    const [ref, summary] = r.stdout.split("\n");
    expect(ref).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
    expect(summary).toBe("# Summary: Entry pkg/app.py:main depth=2 functions=2 files=1");
    const cat = await cli(["vhs", "cat", ref!], { cwd });
    expect(cat.stdout).toContain("## pkg/app.py:helper (lines 1-2) [depth 1]\ndef helper(x)\n");
    const json = await cli(["context", "main", "--format", "json"], { cwd });
    expect(JSON.parse(json.stdout)).toBeTypeOf("object");
  });

  const bad: Array<[string, string[], number, RegExp]> = [
    ["missing entry", ["context", "nope"], 1, /nope/],
    ["bad format", ["context", "main", "--format", "xml"], 2, /--format must be one of/],
    ["bad output", ["context", "main", "--output", "file"], 2, /--output must be one of stdout, vhs, got "file"/],
    ["negative depth", ["context", "main", "--depth", "-1"], 2, /--depth/],
    ["negative budget", ["context", "main", "--budget", "-5"], 2, /--budget must be a whole number of 0 or more, got "-5"/],
    ["bad include", ["context", "main", "--include", "vhs://nothex"], 1, /vhs:\/\/nothex|invalid/i],
    ["missing include", ["context", "main", "--include", "0".repeat(64)], 1, /not found/i],
    ["no entry", ["context"], 2, /entry|Not enough/i],
  ];
  it.each(bad)("%s: exit %i, one line", async (_n, args, code, pattern) => {
    const cwd = project();
    const r = await cli(args, { cwd });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(/^tldrs: /);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
