// The store folder's .gitignore and CACHEDIR.TAG (src/store_marks.ts): written when the folder
// is made, by any command and by the library, never outside it, never over a user's file.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openStoreWith } from "../../src/store.ts";
import { CACHEDIR_TAG_TEXT, GITIGNORE_TEXT } from "../../src/store_marks.ts";
import { cli } from "../cli/cli_helpers.ts";
import { tempDir } from "../helpers/tmp.ts";

const platform = createNodePlatform();
const SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55";

function expectMarked(root: string): void {
  expect(readFileSync(join(root, ".gitignore"), "utf8")).toBe(GITIGNORE_TEXT);
  expect(readFileSync(join(root, ".gitignore"), "utf8").split("\n")).toContain("*");
  const tag = readFileSync(join(root, "CACHEDIR.TAG"), "utf8");
  expect(tag).toBe(CACHEDIR_TAG_TEXT);
  expect(tag.slice(0, SIGNATURE.length)).toBe(SIGNATURE); // the spec's test: the first 43 bytes
}

function project(): string {
  const dir = tempDir("tldrs-marks-");
  writeFileSync(join(dir, "app.py"), "def main():\n    return 1\n");
  return dir;
}

describe("store folder markers", () => {
  const creators: Array<[string, string[], string?]> = [
    ["vhs put", ["vhs", "put", "-"], "some bytes"],
    ["session default", ["session", "default"]],
    ["context (the symbol cache only)", ["context", "main"]],
    ["context --delta", ["context", "main", "--delta"]],
  ];
  it.each(creators)("%s makes .tldrs/ with a .gitignore and a CACHEDIR.TAG, and nothing outside it", async (_name, args, stdin) => {
    const cwd = project();
    const before = readdirSync(cwd).sort();
    const r = await cli(args, { cwd, ...(stdin !== undefined ? { stdin } : {}) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectMarked(join(cwd, ".tldrs"));
    expect(readdirSync(cwd).sort()).toEqual([...before, ".tldrs"].sort());
  });

  it("the library marks the folder on its first write (a blob, a session), not on open", async () => {
    for (const write of [(s: Awaited<ReturnType<typeof openStoreWith>>) => s.vhs.put("x"), (s: Awaited<ReturnType<typeof openStoreWith>>) => s.state.openSession("a", { repoFingerprint: "fp" })]) {
      const dir = tempDir("tldrs-marks-");
      const store = await openStoreWith(platform, { project: dir });
      expect(existsSync(join(dir, ".tldrs"))).toBe(false);
      await write(store);
      await store.close();
      expectMarked(join(dir, ".tldrs"));
    }
  });

  it("an existing .tldrs without markers (an older store) gets them; a marker the user edited is kept", async () => {
    const dir = tempDir("tldrs-marks-");
    mkdirSync(join(dir, ".tldrs"));
    writeFileSync(join(dir, ".tldrs", ".gitignore"), "# mine\nblobs/\n");
    expect((await cli(["vhs", "put", "-"], { cwd: dir, stdin: "x" })).code).toBe(0);
    expect(readFileSync(join(dir, ".tldrs", ".gitignore"), "utf8")).toBe("# mine\nblobs/\n");
    expect(readFileSync(join(dir, ".tldrs", "CACHEDIR.TAG"), "utf8")).toBe(CACHEDIR_TAG_TEXT);
  });

  it("TLDRS_VHS_HOME: a folder tldrs creates is marked; an existing folder of another name is not", async () => {
    const dir = tempDir("tldrs-marks-");
    const fresh = join(dir, "store-here");
    expect((await cli(["vhs", "put", "-"], { cwd: dir, stdin: "x", env: { TLDRS_VHS_HOME: fresh } })).code).toBe(0);
    expectMarked(fresh);
    const mine = join(dir, "my-files");
    mkdirSync(mine);
    writeFileSync(join(mine, "notes.txt"), "mine\n");
    expect((await cli(["vhs", "put", "-"], { cwd: dir, stdin: "x", env: { TLDRS_VHS_HOME: mine } })).code).toBe(0);
    expect(existsSync(join(mine, ".gitignore"))).toBe(false);
    expect(existsSync(join(mine, "CACHEDIR.TAG"))).toBe(false);
  });

  const git = spawnSync("git", ["--version"]).status === 0;
  it.skipIf(!git)("git status shows nothing of the store (needs git)", async () => {
    const cwd = project();
    const run = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t.invalid", ...args], { cwd, encoding: "utf8" });
    expect(run("init", "-q").status).toBe(0);
    expect(run("add", "app.py").status).toBe(0);
    expect(run("commit", "-qm", "init").status).toBe(0);
    expect((await cli(["vhs", "put", "-"], { cwd, stdin: "x" })).code).toBe(0);
    expect((await cli(["context", "main", "--delta"], { cwd })).code).toBe(0);
    expect(run("status", "--porcelain", "--untracked-files=all").stdout).toBe("");
  });
});
