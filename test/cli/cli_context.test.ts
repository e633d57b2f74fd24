import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
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

describe("tldrs context: the new flags and what it writes", () => {
  it("--json is --format json (and conflicts with another --format); -z is --zoom; --zoom takes l1 as L1", async () => {
    const cwd = project();
    const json = await cli(["context", "main", "--json"], { cwd });
    expect(JSON.parse(json.stdout)).toMatchObject({ entry: "main" });
    const both = await cli(["context", "main", "--json", "--format", "text"], { cwd });
    expect([both.code, both.stderr.split("\n")[0]]).toEqual([2, "tldrs: --json asks for --format json, not --format text"]);
    const z = await cli(["context", "main", "-z", "l0"], { cwd });
    expect(z.stdout).toBe(`# Context: pkg/app.py:main depth=2 symbols=2 files=1\n\n## pkg/app.py:main (lines 5-6) [entry]\n\n## pkg/app.py:helper (lines 1-2) [depth 1]\n`);
    expect((await cli(["context", "main", "--zoom", "L4"], { cwd })).stdout).toContain("return x + 1");
    const clash = await cli(["context", "main", "--zoom", "L1", "--include-body"], { cwd });
    expect([clash.code, clash.stderr.split("\n")[0]]).toEqual([2, "tldrs: --include-body asks for code, --zoom L1 for less: give one of them"]);
  });

  it("without a session it writes only the symbol cache (and the store folder's markers); --no-cache writes nothing", async () => {
    const cwd = project();
    expect((await cli(["context", "main", "--no-cache"], { cwd })).code).toBe(0);
    expect(existsSync(join(cwd, ".tldrs"))).toBe(false);
    expect((await cli(["context", "main"], { cwd })).code).toBe(0);
    expect(readdirSync(join(cwd, ".tldrs")).sort()).toEqual([".gitignore", "CACHEDIR.TAG", "cache"]);
    expect(readdirSync(join(cwd, ".tldrs", "cache"))).toEqual(["context-symbols.json"]);
  });

  it("a progress line while indexing on a terminal (files found, read, parsed), erased at the end; nothing on a pipe or in CI", async () => {
    const cwd = project();
    for (let i = 0; i < 150; i++) writeFileSync(join(cwd, "pkg", `m${i}.py`), `def f${i}(x):\n    return x + ${i}\n`);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    try {
      let done = false;
      const run = cli(["context", "main", "--no-cache"], { cwd, tty: true }).finally(() => (done = true));
      // Fake time moves a quarter second per turn of the real event loop: the indexing (real I/O
      // and parses that yield every 32 files) spans many turns, so the line is drawn meanwhile.
      while (!done) {
        await vi.advanceTimersByTimeAsync(250);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const r = await run;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/\r\u001b\[2K\u001b\[1mindexing\u001b\[22m \d+\.\d s {2}(scanning: \d+ source files found|reading \d+ of 152 files|\d+ of 152 files indexed, \d+ parsed)/);
      expect(r.stderr.endsWith("\r\u001b[2K")).toBe(true);
      expect(r.stdout).toContain("## pkg/app.py:main");
    } finally {
      vi.useRealTimers();
    }
    for (const options of [{ tty: false, env: {} }, { tty: true, env: { CI: "true" } }]) {
      const r = await cli(["context", "main", "--no-cache"], { cwd, ...options });
      expect(r.stderr).toBe("");
    }
  });
});
