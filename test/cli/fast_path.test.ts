// The fast path (src/cli/fast_path.ts) against yargs, the parser of record: on a table of
// command lines, good and bad, whatever the fast path accepts it reads exactly as yargs does,
// and main() prints the same and exits the same with it on or off.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Args } from "../../src/cli/command.ts";
import { fastParse } from "../../src/cli/fast_path.ts";
import { captureIo } from "../../src/cli/io.ts";
import { main, parseWithYargs, useTypedNumbers } from "../../src/cli/main.ts";
import { tempDirForFile } from "../helpers/tmp.ts";

/** A folder with a file to put, a project folder and a small Python project for context. */
function fixture(): string {
  const dir = tempDirForFile();
  mkdirSync(join(dir, "proj"));
  writeFileSync(join(dir, "a.txt"), "hello fast path\n");
  mkdirSync(join(dir, "pkg"));
  writeFileSync(join(dir, "pkg", "app.py"), "def helper(x):\n    return x + 1\n\n\ndef main():\n    return helper(2)\n");
  return dir;
}
const cwd = fixture();
/** a.txt's hash (stored by the first form), and one that is never stored. */
const STORED = "77f7cb5048eda4bce7c0b31e1a9dadabb074eb39afede1762fb403a42bd37330";
const HASH = "5d5b5f0e4b3c4a0f6b2a1c9d8e7f60514233241506f7e8d9cab0b1c2d3e4f5a6";

/** Command lines: the plain forms the fast path takes, and the unusual and bad ones it must leave to yargs. */
const FORMS: string[][] = [
  ["vhs", "put", "a.txt"],
  ["vhs", "put", "-"],
  ["vhs", "put"],
  ["vhs", "put", "a.txt", "--json"],
  ["vhs", "put", "a.txt", "--no-json"],
  ["vhs", "put", "a.txt", "--json=true"],
  ["vhs", "put", "a.txt", "--json=yes"],
  ["vhs", "put", "a.txt", "--compress"],
  ["vhs", "put", "--no-compress", "a.txt"],
  ["vhs", "put", "a.txt", "--compress=true"],
  ["vhs", "put", "a.txt", "--compress=yes"],
  ["vhs", "put", "a.txt", "--compress", "true"],
  ["vhs", "put", "a.txt", "--compress", "false"],
  ["vhs", "put", "a.txt", "--no-compress=false"],
  ["vhs", "put", "a.txt", "--compress-min-bytes", "10"],
  ["vhs", "put", "a.txt", "--compress-min-bytes=10"],
  ["vhs", "put", "a.txt", "--compress-min-bytes", "abc"],
  ["vhs", "put", "a.txt", "--compress-min-bytes", "-5"],
  ["vhs", "put", "a.txt", "--compress-min-bytes"],
  ["vhs", "put", "a.txt", "--compress-min-bytes", "1e3"],
  ["vhs", "put", "a.txt", "--compressMinBytes", "5"],
  ["vhs", "put", "a.txt", "--compress-min-bytes", "5", "--compress-min-bytes", "6"],
  ["vhs", "put", "a.txt", "--push"],
  ["vhs", "put", "a.txt", "--project", "proj"],
  ["vhs", "put", "a.txt", "--project=proj"],
  ["vhs", "put", "a.txt", "--project"],
  ["vhs", "put", "a.txt", "--project", ""],
  ["vhs", "put", "a.txt", "--project", "missing-folder"],
  ["vhs", "put", "a.txt", "--project", "proj", "--project", "proj"],
  ["--project", "proj", "vhs", "put", "a.txt"],
  ["vhs", "put", "a.txt", "--engine", "sqljs"],
  ["vhs", "put", "a.txt", "--engine=bogus"],
  ["vhs", "put", "a.txt", "--engine", "sqljs", "--engine", "native"],
  ["vhs", "put", "a.txt", "--remote", "bogus"],
  ["vhs", "put", "a.txt", "--remote="],
  ["vhs", "put", "a.txt", "--bogus"],
  ["vhs", "put", "a.txt", "-x"],
  ["vhs", "put", "a.txt", "extra"],
  ["vhs", "put", "--", "a.txt"],
  ["vhs", "put", "a.txt", "--"],
  ["vhs", "put", ""],
  ["vhs", "put", "missing.txt"],
  ["vhs", "put", "--help"],
  ["vhs", "put", "-h"],
  ["vhs", "put", "a.txt", "--no-push=1"],
  ["vhs", "cat", `vhs://${STORED}`],
  ["vhs", "cat", STORED, "--project", "proj"],
  ["vhs", "has", `vhs://${STORED}`, "--json"],
  ["vhs", "info", STORED],
  ["context", "main", "--include", `vhs://${STORED}`, "--format", "json"],
  ["vhs", "cat", `vhs://${HASH}`],
  ["vhs", "cat", HASH],
  ["vhs", "cat"],
  ["vhs", "cat", HASH, "extra"],
  ["vhs", "cat", HASH, "--json"],
  ["vhs", "cat", "vhs://nope"],
  ["vhs", "cat", "--ref", HASH],
  ["vhs", "cat", "--help"],
  ["vhs", "has", HASH],
  ["vhs", "has", HASH, "--json"],
  ["vhs", "has", "nope"],
  ["vhs", "has", HASH, "--project", "proj"],
  ["vhs", "has", "-", "--json"],
  ["vhs", "has", "--help"],
  ["vhs", "info", HASH],
  ["vhs", "info", HASH, "--json"],
  ["vhs", "info"],
  ["vhs", "info", HASH, "--jsonl"],
  ["vhs", "info", "--help"],
  ["vhs", "nope"],
  ["context", "main"],
  ["context", "main", "--depth", "1"],
  ["context", "main", "--depth=x"],
  ["context", "main", "--depth", "1", "--depth", "2"],
  ["context", "main", "--include", `vhs://${HASH}`],
  ["context", "main", "--include", `vhs://${HASH}`, "--include", HASH],
  ["context", "main", "--include", HASH, "extra"],
  ["context", "--include", HASH, "main"],
  ["context", "main", "--include=" + HASH, "extra"],
  ["context", "main", "-z", "L1"],
  ["context", "main", "--zoom", "L1"],
  ["context", "main", "--zoom", "L1", "-z", "L2"],
  ["context", "main", "--format", "json", "--json"],
  ["context", "main", "--format", "text", "--json"],
  ["context", "main", "--format=ultracompact"],
  ["context", "main", "--no-delta"],
  ["context", "main", "--delta", "--session-id", "s1"],
  ["context", "main", "--session-id", ""],
  ["context", "main", "--include-body", "--no-cache", "--budget", "0"],
  ["context", "main", "--includeBody"],
  ["context", "main", "--with-docs=false"],
  ["context", "main", "--preset", "compact", "--strip-comments"],
  ["context", "main", "--lang", "python", "--max-lines", "3", "--max-bytes", "900"],
  ["context", "main", "--output", "vhs"],
  ["context"],
  ["context", "main", "--help"],
  ["context", "main", "--version"],
];

/** The args after main() puts the typed text of number options in place. */
function withTypedNumbers(args: Args, argv: string[], numbers: readonly string[]): Args {
  const out = { ...args };
  useTypedNumbers(out, argv, numbers);
  return out;
}

/** Times and the fixture's folder change from one run to the next; nothing else may. */
function stable(text: string, dir: string): string {
  return text.split(dir).join("<dir>").replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)/g, "<time>");
}

describe("the fast path of the hot commands", () => {
  it("reads every form it accepts as yargs does, and leaves the others to yargs", async () => {
    let accepted = 0;
    for (const argv of FORMS) {
      const fast = await fastParse(argv);
      if (!fast) continue;
      accepted++;
      const slow = await parseWithYargs(argv);
      expect("selected" in slow, `${JSON.stringify(argv)}: yargs chose no command`).toBe(true);
      if (!("selected" in slow)) continue;
      expect(fast.spec.name, JSON.stringify(argv)).toBe(slow.selected.spec.name);
      expect(withTypedNumbers(fast.args, argv, fast.numbers), JSON.stringify(argv)).toEqual(withTypedNumbers(slow.selected.args, argv, slow.selected.numbers));
      expect(new Set(fast.numbers), JSON.stringify(argv)).toEqual(new Set(slow.selected.numbers));
      expect(slow.selected.switches, JSON.stringify(argv)).toEqual(expect.arrayContaining(fast.switches));
    }
    // The plain forms above do take the fast path (else this test would compare nothing).
    expect(accepted).toBeGreaterThanOrEqual(40);
    for (const argv of [["vhs", "put", "--help"], ["vhs", "put", "a.txt", "--"], ["vhs", "put", "a.txt", "--bogus"], ["context"], ["vhs", "cat"], ["context", "main", "-z", "L1"]]) {
      expect(await fastParse(argv), JSON.stringify(argv)).toBeUndefined();
    }
  });

  it("main() prints and exits the same with the fast path on and off", async () => {
    // Each parser on its own copy of the fixture: the stores (and sessions) change alike.
    const dirs = { fast: fixture(), slow: fixture() };
    for (const argv of FORMS) {
      const run = async (fastPath: boolean) => {
        const dir = fastPath ? dirs.fast : dirs.slow;
        const io = captureIo({ cwd: dir, env: {}, stdin: "from stdin\n" });
        const code = await main(argv, io, { fastPath });
        return { code, stdout: stable(io.stdoutText(), dir), stderr: stable(io.stderrText(), dir) };
      };
      const slow = await run(false);
      const fast = await run(true);
      expect(fast, JSON.stringify(argv)).toEqual(slow);
    }
  });

  it("--help of each hot command is yargs's, complete", async () => {
    for (const argv of [["vhs", "put", "--help"], ["vhs", "cat", "--help"], ["vhs", "has", "--help"], ["vhs", "info", "--help"], ["context", "--help"]]) {
      const io = captureIo({ cwd, env: {} });
      expect(await main(argv, io), JSON.stringify(argv)).toBe(0);
      const parsed = await parseWithYargs(argv);
      expect("output" in parsed && parsed.output.trimEnd()).toBe(io.stdoutText().trimEnd());
      expect(io.stdoutText()).toContain(`tldrs ${argv.slice(0, -1).join(" ")}`);
      expect(io.stdoutText()).toContain("--project");
      expect(io.stdoutText()).toContain("--engine");
    }
  });
});
