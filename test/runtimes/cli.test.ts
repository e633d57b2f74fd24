// The CLI (dist/cli/bin.js) run by Node, Deno and Bun on one store: what each puts, each gets.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { DENO_CLI_PERMISSIONS, RUNTIMES, ROOT, describeRun, runOn, type RuntimeName } from "./helpers.ts";

const BIN = join(ROOT, "dist/cli/bin.js");

function tldrs(runtime: RuntimeName, args: string[], project: string, input?: string) {
  return runOn(runtime, BIN, [...args, "--project", project], { cwd: project, denoPermissions: DENO_CLI_PERMISSIONS, ...(input !== undefined ? { input } : {}) });
}

describe("tldrs CLI on node, deno and bun", () => {
  it("vhs put and get from each runtime on the same store", async () => {
    const project = tempDir();
    const contents: Record<RuntimeName, string> = {
      node: "put by node\n",
      deno: "put by deno, from stdin\n",
      bun: `put by bun, compressed\n${"bun ".repeat(1000)}\n`,
    };
    writeFileSync(join(project, "node.txt"), contents.node);
    writeFileSync(join(project, "bun.txt"), contents.bun);
    // Puts one after another: the first creates the store; the three write their own blob.
    const refs = {} as Record<RuntimeName, string>;
    for (const [runtime, args, input] of [
      ["node", ["vhs", "put", "node.txt"], undefined],
      ["deno", ["vhs", "put", "-"], contents.deno],
      ["bun", ["vhs", "put", "bun.txt", "--compress"], undefined],
    ] as const) {
      const r = await tldrs(runtime, [...args], project, input);
      expect(r.code, describeRun(`${runtime} vhs put`, r)).toBe(0);
      expect(r.stderr, `${runtime} vhs put`).toBe("");
      expect(r.stdout).toMatch(/^vhs:\/\/[0-9a-f]{64}\n$/);
      refs[runtime] = r.stdout.trim();
    }
    // Each runtime gets the two others' blobs, all at once (their access-time writes contend for the lock).
    const gets = RUNTIMES.flatMap((reader) => RUNTIMES.filter((w) => w !== reader).map((writer) => ({ reader, writer })));
    const results = await Promise.all(
      gets.map(({ reader, writer }) =>
        reader === "deno" && writer === "bun" ? tldrs(reader, ["vhs", "get", refs[writer], "--out", join(project, "out.txt")], project) : tldrs(reader, ["vhs", "get", refs[writer]], project),
      ),
    );
    gets.forEach(({ reader, writer }, i) => {
      const r = results[i]!;
      expect(r.code, describeRun(`${reader} vhs get of ${writer}'s blob`, r)).toBe(0);
      const got = reader === "deno" && writer === "bun" ? readFileSync(join(project, "out.txt"), "utf8") : r.stdout;
      expect(got, `${reader} vhs get of ${writer}'s blob`).toBe(contents[writer]);
    });
    const stats = await tldrs("deno", ["vhs", "stats"], project);
    expect(JSON.parse(stats.stdout), describeRun("deno vhs stats", stats)).toMatchObject({ count: 3 });
    const store = await openStore({ project });
    try {
      expect((await store.vhs.info(refs.bun))?.compression, "bun put --compress").toBe("zlib");
    } finally {
      await store.close();
    }
  });

  it("reports failures the same way on each runtime (stderr line, exit code)", async () => {
    const project = tempDir();
    const results = await Promise.all(RUNTIMES.map((r) => tldrs(r, ["vhs", "get", "vhs://nope"], project)));
    results.forEach((r, i) => {
      expect(r.code, describeRun(`${RUNTIMES[i]} bad ref`, r)).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^tldrs: Invalid ref "vhs:\/\/nope"/);
    });
  });
});
