import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isIgnored, parseGitignore } from "../../src/context/gitignore.ts";
import { walkProject } from "../../src/context/walk.ts";
import { context, ids, noStore, platform, project, rejection } from "./helpers.ts";

async function walked(dir: string): Promise<string[]> {
  return (await walkProject(platform, dir)).files.map((f) => f.rel);
}

describe("gitignore patterns", () => {
  const cases: [string, string, boolean, boolean][] = [
    // pattern, path, isDir, ignored
    ["*.log", "a.log", false, true],
    ["*.log", "deep/er/a.log", false, true],
    ["*.log", "a.logx", false, false],
    ["/root.py", "root.py", false, true],
    ["/root.py", "sub/root.py", false, false],
    ["build/", "build", true, true],
    ["build/", "build", false, false],
    ["build/", "x/build", true, true],
    ["doc/frotz", "doc/frotz", false, true],
    ["doc/frotz", "a/doc/frotz", false, false],
    ["**/foo", "foo", false, true],
    ["**/foo", "a/b/foo", false, true],
    ["a/**/b", "a/b", false, true],
    ["a/**/b", "a/x/y/b", false, true],
    ["abc/**", "abc/x/y.py", false, true],
    ["abc/**", "abcd/x.py", false, false],
    ["fo?.py", "foo.py", false, true],
    ["fo?.py", "fo/.py", false, false],
    ["[ab].py", "a.py", false, true],
    ["[!ab].py", "a.py", false, false],
    ["[!ab].py", "c.py", false, true],
    ["\\#hash.py", "#hash.py", false, true],
    ["gen_*", "src/gen_x.ts", false, true],
  ];
  for (const [pattern, path, isDir, expected] of cases) {
    it(`${pattern} ${expected ? "ignores" : "keeps"} ${path}${isDir ? "/" : ""}`, () => {
      expect(isIgnored(parseGitignore(pattern, ""), path, isDir)).toBe(expected);
    });
  }

  it("negation: the last match wins; comments and blank lines are skipped", () => {
    const rules = parseGitignore("# comment\n\n*.py\n!keep.py\n", "");
    expect(isIgnored(rules, "x.py", false)).toBe(true);
    expect(isIgnored(rules, "keep.py", false)).toBe(false);
    expect(isIgnored(rules, "sub/keep.py", false)).toBe(false);
  });

  it("a nested .gitignore applies below its folder only", () => {
    const rules = parseGitignore("/local.py\n*.gen.ts\n", "pkg");
    expect(isIgnored(rules, "pkg/local.py", false)).toBe(true);
    expect(isIgnored(rules, "local.py", false)).toBe(false);
    expect(isIgnored(rules, "pkg/a/local.py", false)).toBe(false);
    expect(isIgnored(rules, "pkg/a/x.gen.ts", false)).toBe(true);
    expect(isIgnored(rules, "other/x.gen.ts", false)).toBe(false);
  });
});

describe("project walk", () => {
  it("skips node_modules, VCS and build folders, dot-folders and .tldrs", async () => {
    const dir = project({
      "src/app.py": "def app():\n    return lib()\n",
      "node_modules/pkg/index.js": "function app() {}\n",
      "src/node_modules/x/y.ts": "export function app() {}\n",
      ".git/hooks/pre-commit.py": "def app(): pass\n",
      ".tldrs/cache/x.py": "def app(): pass\n",
      ".venv/lib/site.py": "def app(): pass\n",
      "venv/lib/site.py": "def app(): pass\n",
      "dist/app.js": "function app() {}\n",
      "build/app.js": "function app() {}\n",
      "out/app.js": "function app() {}\n",
      "target/app.rs": "fn app() {}\n",
      "src/__pycache__/app.py": "def app(): pass\n",
      "README.md": "# app\n",
      "src/app.min.js": "function app(){}\n",
    });
    expect(await walked(dir)).toEqual(["src/app.py"]);
    expect(await ids(dir, "app", { depth: 0 })).toEqual(["src/app.py:app"]);
  });

  it("follows .gitignore files at every level, with negation and .git/info/exclude", async () => {
    const dir = project({
      ".gitignore": "generated/\n*.tmp.py\n/top_only.py\n!keep.tmp.py\n",
      ".git/info/exclude": "excluded.py\n",
      "main.py": "def main(): pass\n",
      "top_only.py": "def t(): pass\n",
      "sub/top_only.py": "def t(): pass\n",
      "generated/gen.py": "def g(): pass\n",
      "a.tmp.py": "def a(): pass\n",
      "keep.tmp.py": "def k(): pass\n",
      "excluded.py": "def e(): pass\n",
      "pkg/.gitignore": "local_*.py\n",
      "pkg/local_x.py": "def lx(): pass\n",
      "pkg/mod.py": "def m(): pass\n",
      "other/local_x.py": "def lx(): pass\n",
    });
    expect(await walked(dir)).toEqual(["keep.tmp.py", "main.py", "other/local_x.py", "pkg/mod.py", "sub/top_only.py"]);
  });

  it("never follows symlinks, to files or to folders", async () => {
    const dir = project({ "src/real.py": "def real(): pass\n" });
    const outside = project({ "lib.py": "def outside(): pass\n" });
    symlinkSync(join(outside, "lib.py"), join(dir, "src/link.py"));
    symlinkSync(outside, join(dir, "linked_dir"));
    expect(await walked(dir)).toEqual(["src/real.py"]);
    expect((await rejection(context(dir, "outside", {}, noStore))).code).toBe("ENOTFOUND");
  });

  it("skips files over the size limit, with a warning", async () => {
    const big = `def big():\n    return 1\n${"# filler\n".repeat(130_000)}`;
    const dir = project({ "small.py": "def small():\n    return big()\n", "big.py": big });
    const r = await context(dir, "small", {}, noStore);
    expect(r.stdout).not.toContain("big.py");
    expect(r.warnings.join("\n")).toMatch(/skipped 1 file.*big\.py/);
  });

  it("a missing project folder is ENOTFOUND naming it", async () => {
    const dir = project({});
    mkdirSync(join(dir, "empty"));
    const err = await rejection(context(join(dir, "nope"), "main", {}, noStore));
    expect(err.code).toBe("ENOTFOUND");
    expect(err.message).toContain(join(dir, "nope"));
  });
});
