import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryPlatform } from "../../src/platform/memory.ts";
import type { Platform } from "../../src/platform/port.ts";
import { repoFingerprint } from "../../src/state/fingerprint.ts";
import { tempDir } from "../helpers/tmp.ts";
import { git, HAS_GIT, NO_GIT, nodePlatform } from "./helpers.ts";

const fingerprint = (dir: string) => repoFingerprint(nodePlatform, dir);
const headOf = (dir: string) => `git:${git(dir, "rev-parse", "HEAD").slice(0, 12)}`;

/** A repository with `commits` commits on main, in a fresh temp folder. */
function makeRepo(commits = 1): string {
  const dir = tempDir();
  git(dir, "init", "-q");
  for (let i = 0; i < commits; i++) {
    writeFileSync(join(dir, "file.txt"), `version ${i}\n`);
    git(dir, "add", "file.txt");
    git(dir, "commit", "-q", "-m", `commit ${i}`);
  }
  return dir;
}

describe.skipIf(!HAS_GIT)(`repoFingerprint on real repositories (${HAS_GIT ? "git found" : NO_GIT})`, () => {
  it("reads a loose ref", async () => {
    const repo = makeRepo();
    expect(await fingerprint(repo)).toBe(headOf(repo));
    expect(await fingerprint(repo)).toMatch(/^git:[0-9a-f]{12}$/);
  });

  it("follows a new commit", async () => {
    const repo = makeRepo();
    const before = await fingerprint(repo);
    writeFileSync(join(repo, "file.txt"), "changed\n");
    git(repo, "commit", "-q", "-am", "next");
    expect(await fingerprint(repo)).toBe(headOf(repo));
    expect(await fingerprint(repo)).not.toBe(before);
  });

  it("reads packed refs", async () => {
    const repo = makeRepo(2);
    git(repo, "tag", "-a", "v1", "-m", "annotated: its peeled line starts with ^");
    git(repo, "branch", "other");
    git(repo, "pack-refs", "--all");
    expect(() => statSync(join(repo, ".git", "refs", "heads", "main"))).toThrow(/ENOENT/);
    expect(await fingerprint(repo)).toBe(headOf(repo));
  });

  it("reads a detached HEAD", async () => {
    const repo = makeRepo(3);
    git(repo, "checkout", "-q", "--detach", "HEAD~1");
    expect(await fingerprint(repo)).toBe(headOf(repo));
    expect(await fingerprint(repo)).toBe(`git:${git(repo, "rev-parse", "main~1").slice(0, 12)}`);
  });

  it("reads a linked worktree: .git file, its own HEAD, refs in the common dir", async () => {
    const repo = makeRepo();
    const wt = join(tempDir(), "wt");
    git(repo, "worktree", "add", "-q", "-b", "feature", wt);
    writeFileSync(join(wt, "file.txt"), "feature work\n");
    git(wt, "commit", "-q", "-am", "on feature");
    expect(statSync(join(wt, ".git")).isFile()).toBe(true);
    expect(await fingerprint(wt)).toBe(headOf(wt));
    expect(await fingerprint(repo)).toBe(headOf(repo));
    expect(await fingerprint(wt)).not.toBe(await fingerprint(repo));
    git(repo, "pack-refs", "--all"); // now the worktree's branch is only in the common packed-refs
    expect(await fingerprint(wt)).toBe(headOf(wt));
  });

  it("reads a .git file with a relative gitdir (a submodule, or git worktree --relative-paths)", async () => {
    const outer = tempDir();
    const work = join(outer, "work");
    mkdirSync(work);
    git(work, "init", "-q");
    writeFileSync(join(work, "f"), "x");
    git(work, "add", "f");
    git(work, "commit", "-q", "-m", "one");
    renameSync(join(work, ".git"), join(outer, "moved.git"));
    writeFileSync(join(work, ".git"), "gitdir: ../moved.git\n");
    expect(await fingerprint(work)).toBe(headOf(work));
  });

  it("follows a symbolic ref to a symbolic ref", async () => {
    const repo = makeRepo();
    git(repo, "symbolic-ref", "refs/heads/alias", "refs/heads/main");
    git(repo, "symbolic-ref", "HEAD", "refs/heads/alias");
    expect(await fingerprint(repo)).toBe(headOf(repo));
  });

  it("falls back to the folder mtime on an unborn branch, as `git rev-parse HEAD` fails there", async () => {
    const repo = tempDir();
    git(repo, "init", "-q");
    expect(await fingerprint(repo)).toBe(`mtime:${Math.floor(statSync(repo).mtimeMs / 1000)}`);
  });
});

describe("repoFingerprint without git", () => {
  it("is mtime:<whole seconds> of the folder when there is no .git", async () => {
    const dir = tempDir();
    expect(await fingerprint(dir)).toBe(`mtime:${Math.floor(statSync(dir).mtimeMs / 1000)}`);
  });

  it("is unknown for a folder that does not exist", async () => {
    const dir = tempDir();
    rmSync(dir, { recursive: true });
    expect(await fingerprint(dir)).toBe("unknown");
  });

  it("falls back on a .git file that names no gitdir", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".git"), "not a gitdir line\n");
    expect(await fingerprint(dir)).toMatch(/^mtime:\d+$/);
  });

  it("refuses to follow HEAD outside refs/", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref: ../../etc/passwd\n");
    expect(await fingerprint(dir)).toMatch(/^mtime:\d+$/);
  });
});

describe("repoFingerprint in the core, on the in-memory platform", () => {
  async function write(p: Platform, path: string, text: string): Promise<void> {
    await p.mkdir(path.slice(0, path.lastIndexOf("/")));
    const f = await p.createExclusive(path);
    await f.write(new TextEncoder().encode(text));
    await f.close();
  }

  it("reads a sha256 repository's 64-hex ids from packed-refs and a worktree's commondir", async () => {
    const p = createMemoryPlatform();
    const id = "0123456789abcdef".repeat(4);
    await write(p, "/repo/.git/HEAD", "ref: refs/heads/main\n");
    await write(p, "/repo/.git/packed-refs", `# pack-refs with: peeled fully-peeled sorted\n${id} refs/heads/main\n^${"f".repeat(64)}\n`);
    await write(p, "/repo/.git/worktrees/wt/HEAD", "ref: refs/heads/main\n");
    await write(p, "/repo/.git/worktrees/wt/commondir", "../..\n");
    await write(p, "/wt/.git", "gitdir: /repo/.git/worktrees/wt\n");
    expect(await repoFingerprint(p, "/repo")).toBe("git:0123456789ab");
    expect(await repoFingerprint(p, "/wt")).toBe("git:0123456789ab");
  });
});
