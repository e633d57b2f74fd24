import { lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { createMemoryPlatform } from "../../src/platform/memory.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import type { Platform } from "../../src/platform/port.ts";
import { openStoreWith } from "../../src/store.ts";
import { repoFingerprint } from "../../src/state/fingerprint.ts";
import { tempDir } from "../helpers/tmp.ts";
import { nodePlatform, openProjectStore, runTogether } from "./helpers.ts";

const ID_LINE = /^[0-9a-f]{16}\n$/;

describe("defaultSession", () => {
  it("creates a 16-hex id once, then returns it, with the session opened", async () => {
    const project = tempDir();
    const store = await openProjectStore(project);
    const first = await store.state.defaultSession({ defaultLanguage: "python" });
    const file = join(project, ".tldrs", "default_session_id");
    expect(readFileSync(file, "utf8")).toMatch(ID_LINE);
    expect(readFileSync(file, "utf8").trim()).toBe(first.sessionId);
    expect(first).toMatchObject({ created: true, defaultLanguage: "python", repoFingerprint: await repoFingerprint(nodePlatform, project), drift: null });
    const again = await store.state.defaultSession();
    expect(again).toMatchObject({ sessionId: first.sessionId, created: false });
    // No temp file left behind.
    expect(readdirSync(join(project, ".tldrs")).filter((n) => n.startsWith("default_session_id"))).toEqual(["default_session_id"]);
    await store.close();
  });

  it("is the same id in another process", async () => {
    const project = tempDir();
    const store = await openProjectStore(project);
    const { sessionId } = await store.state.defaultSession();
    await store.close();
    const [child] = await runTogether("default_session.mjs", () => [project], 1);
    expect(child!.stderr).toBe("");
    expect(child!.stdout).toContain(`id=${sessionId}\n`);
  });

  it("gives 4 racing processes one id", async () => {
    const project = tempDir();
    const results = await runTogether("default_session.mjs", () => [project], 4);
    const ids = results.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return /id=([0-9a-f]{16})/.exec(r.stdout)?.[1];
    });
    expect(new Set(ids).size).toBe(1);
    expect(readFileSync(join(project, ".tldrs", "default_session_id"), "utf8").trim()).toBe(ids[0]);
    const store = await openProjectStore(project);
    expect((await store.state.listSessions()).map((s) => s.sessionId)).toEqual([ids[0]]);
    await store.close();
  });

  it("loses a race cleanly: reads the winner's id and removes its own temp file", async () => {
    const project = tempDir();
    const winner = "00000000deadbeef";
    const platform: Platform = {
      ...createNodePlatform(),
      async link(from, to) {
        // Another process links its file in between our read and our link.
        if (to.endsWith("default_session_id")) writeFileSync(to, `${winner}\n`);
        return nodePlatform.link(from, to);
      },
    };
    const store = await openStoreWith(platform, { project });
    expect((await store.state.defaultSession()).sessionId).toBe(winner);
    expect(readdirSync(join(project, ".tldrs")).filter((n) => n.startsWith("default_session_id"))).toEqual(["default_session_id"]);
    await store.close();
  });

  it("writes in place on a file system without hard links", async () => {
    const project = tempDir();
    const platform: Platform = {
      ...createNodePlatform(),
      link: async () => {
        throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
      },
    };
    const store = await openStoreWith(platform, { project });
    const { sessionId } = await store.state.defaultSession();
    expect(readFileSync(join(project, ".tldrs", "default_session_id"), "utf8")).toBe(`${sessionId}\n`);
    expect(readdirSync(join(project, ".tldrs")).filter((n) => n.startsWith("default_session_id"))).toEqual(["default_session_id"]);
    await store.close();
  });

  it("uses an id the Python store wrote (no newline, not hex)", async () => {
    const project = tempDir();
    mkdirSync(join(project, ".tldrs"));
    writeFileSync(join(project, ".tldrs", "default_session_id"), "my-session_1");
    const store = await openProjectStore(project);
    expect((await store.state.defaultSession()).sessionId).toBe("my-session_1");
    expect(readFileSync(join(project, ".tldrs", "default_session_id"), "utf8")).toBe("my-session_1");
    await store.close();
  });

  it("replaces an empty file (it names no session) after re-reading it for a while", async () => {
    const project = tempDir();
    mkdirSync(join(project, ".tldrs"));
    writeFileSync(join(project, ".tldrs", "default_session_id"), "  \n");
    const store = await openProjectStore(project);
    const { sessionId } = await store.state.defaultSession();
    expect(sessionId).toMatch(/^[0-9a-f]{16}$/);
    expect(readFileSync(join(project, ".tldrs", "default_session_id"), "utf8")).toBe(`${sessionId}\n`);
    await store.close();
  });

  it.each([
    ["two lines", "abc\ndef\n"],
    ["spaces", "my session"],
    ["binary", "\u0000\u0001\u0002"],
    ["too long", "x".repeat(200)],
  ])("refuses a file holding %s, naming it, and leaves it alone", async (_what, content) => {
    const project = tempDir();
    mkdirSync(join(project, ".tldrs"));
    const file = join(project, ".tldrs", "default_session_id");
    writeFileSync(file, content);
    const store = await openProjectStore(project);
    const err = await store.state.defaultSession().catch((e: unknown) => e);
    expect(isTldrsError(err, "ECORRUPT")).toBe(true);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain("delete it");
    expect(readFileSync(file, "utf8")).toBe(content);
    await store.close();
  });

  it("refuses a symbolic link", async () => {
    const project = tempDir();
    mkdirSync(join(project, ".tldrs"));
    writeFileSync(join(project, "elsewhere"), "0123456789abcdef");
    symlinkSync(join(project, "elsewhere"), join(project, ".tldrs", "default_session_id"));
    const store = await openProjectStore(project);
    await expect(store.state.defaultSession()).rejects.toThrow(/symbolic link/);
    expect(lstatSync(join(project, ".tldrs", "default_session_id")).isSymbolicLink()).toBe(true);
    await store.close();
  });

  it("records the fingerprint of options.projectRoot", async () => {
    const store = await openStoreWith(nodePlatform, { root: join(tempDir(), "store") });
    const project = tempDir();
    const { repoFingerprint: fp } = await store.state.defaultSession({ projectRoot: project });
    expect(fp).toBe(await repoFingerprint(nodePlatform, project));
    await store.close();
  });

  it("works in the core on the in-memory platform", async () => {
    const platform = createMemoryPlatform({ readUrl: async (url) => new Uint8Array(readFileSync(url)) });
    await platform.mkdir("/project");
    const store = await openStoreWith(platform, { project: "/project" });
    const a = await store.state.defaultSession();
    const b = await store.state.defaultSession();
    expect(b.sessionId).toBe(a.sessionId);
    expect(a.repoFingerprint).toMatch(/^mtime:\d+$/);
    await store.close();
  });
});
