// `tldrs mcp` driven by the SDK's own client over stdio: every tool, the delta across calls,
// bad calls, and two servers on one store.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/node.ts";
import { cli } from "../cli/cli_helpers.ts";
import { tempDir } from "../helpers/tmp.ts";
import { call, connect, textOf, writeProject, type McpSession } from "./helpers.ts";

const open: McpSession[] = [];
async function start(project: string): Promise<McpSession> {
  const s = await connect(project);
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function project(): string {
  const dir = tempDir("tldrs-mcp-");
  writeProject(dir);
  return dir;
}

describe("tldrs mcp with the SDK's client", () => {
  it("lists five tools, each with a description for agents and a snake_case JSON schema", async () => {
    const s = await start(project());
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["context", "vhs_put", "vhs_get", "vhs_info", "session_stats"]);
    for (const t of tools) {
      expect(t.description!.length, t.name).toBeGreaterThan(150);
      expect(t.description, `${t.name} says what it costs`).toMatch(/tokens/);
      expect(t.inputSchema.type).toBe("object");
      for (const name of Object.keys(t.inputSchema.properties ?? {})) expect(name, t.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName["context"]!.inputSchema.required).toEqual(["entry"]);
    expect(Object.keys(byName["context"]!.inputSchema.properties!)).toEqual(expect.arrayContaining(["entry", "session_id", "depth", "budget", "format", "include"]));
    expect(Object.keys(byName["vhs_get"]!.inputSchema.properties!)).toEqual(["ref", "offset", "length", "start_line", "end_line"]);
    expect(byName["vhs_get"]!.annotations?.readOnlyHint).toBe(true);
    expect(byName["vhs_put"]!.annotations?.readOnlyHint).toBe(false);
    expect(s.clientErrors).toEqual([]);
  });

  it("context: a second call in the same session returns UNCHANGED for what was delivered, an edit only the edited symbol", async () => {
    const dir = project();
    const s = await start(dir);
    // The default: the entry's code and the signatures of its callees, which stay "changed" until their code is sent.
    const sketch = await call(s, "context", { entry: "main", session_id: "first-look" });
    expect(sketch).toContain("## pkg/app.py:helper (lines 4-5) [depth 1]\ndef helper(x)\n");
    expect(sketch).not.toContain("return util(x) + 1");
    const first = await call(s, "context", { entry: "main", include_body: true });
    expect(first).toMatch(/^# Delta: 0 unchanged, 3 changed\n/);
    expect(first).toContain("return util(x) + 1");
    const second = await call(s, "context", { entry: "main", include_body: true });
    expect(second).toMatch(/^# Delta: 3 unchanged, 0 changed\n/);
    expect(second).toContain("def helper(x)  [UNCHANGED]");
    expect(second).not.toContain("return util(x) + 1");

    writeFileSync(join(dir, "pkg/util.py"), "def util(x):\n    return x * 3\n");
    const third = await call(s, "context", { entry: "main", include_body: true });
    expect(third).toMatch(/^# Delta: 2 unchanged, 1 changed\n/);
    expect(third).toContain("return x * 3");

    // Another session has been sent nothing; delta=false resends (and still records).
    expect(await call(s, "context", { entry: "main", session_id: "agent-2", zoom: "L4" })).toMatch(/^# Delta: 0 unchanged, 3 changed/);
    expect(await call(s, "context", { entry: "main", session_id: "agent-2", zoom: "L4" })).toMatch(/^# Delta: 3 unchanged/);
    expect(await call(s, "context", { entry: "main", delta: false, format: "ultracompact", include_body: true })).toContain("return util(x) + 1");

    const stats = JSON.parse(await call(s, "session_stats", {})) as Record<string, unknown>;
    expect(stats).toMatchObject({ deliveries: 3, context_calls: 3, unchanged_hits: 5 });
    expect(stats["tokens_saved"]).toBeGreaterThan(0);
    expect(stats["session_id"]).toBe((await cli(["session", "default"], { cwd: dir })).stdout.trim());
    expect(JSON.parse(await call(s, "session_stats", { session_id: "agent-2" }))).toMatchObject({ deliveries: 3, context_calls: 2, unchanged_hits: 3 });
    expect(JSON.parse(await call(s, "session_stats", { session_id: "first-look" }))).toMatchObject({ deliveries: 3, context_calls: 1, unchanged_hits: 0 });
  });

  it("context: output=vhs stores it (read back whole with vhs_get), include appends a blob, budget cuts", async () => {
    const s = await start(project());
    const stored = await call(s, "context", { entry: "main", output: "vhs", session_id: "v" });
    const ref = /vhs:\/\/[0-9a-f]{64}/.exec(stored)![0];
    expect(stored).toContain("# Summary:");
    const whole = await call(s, "vhs_get", { ref });
    expect(whole).toContain("return helper(2)");
    const note = await call(s, "vhs_put", { text: "an included note\n" });
    expect(await call(s, "context", { entry: "util", include: [note], delta: false })).toContain(`# Included ${note}\nan included note\n`);
    const cut = await s.client.callTool({ name: "context", arguments: { entry: "main", budget: 80, session_id: "b", include_body: true } });
    expect(textOf(cut)).toMatch(/^# Cut to fit --budget 80; cost in tokens; ask for one: tldrs context PATH:NAME\n# pkg\/(app|util)\.py: /m);
    expect(textOf(cut)).toContain("def main():");
  });

  it("vhs_put of text and of a project file, vhs_info, vhs_get in pieces by bytes and by lines", async () => {
    const dir = project();
    const s = await start(dir);
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i + 1} ${"x".repeat(i % 40)}`);
    const text = lines.join("\n") + "\n";
    const ref = await call(s, "vhs_put", { text, compress: true }); // read back in pieces from a zlib blob
    expect(ref).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
    expect(await call(s, "vhs_put", { path: "notes.txt" })).toBe(await call(s, "vhs_put", { text: "notes of the project\n" }));
    const info = JSON.parse(await call(s, "vhs_info", { ref })) as Record<string, unknown>;
    expect(info).toMatchObject({ ref, size: Buffer.byteLength(text), compression: "zlib" });

    // By bytes: follow the notes to the end; the pieces make the blob.
    let got = "";
    let offset = 0;
    for (let calls = 0; calls < 100; calls++) {
      const r = await s.client.callTool({ name: "vhs_get", arguments: { ref, offset } });
      const [piece, note] = (r.content as Array<{ text: string }>).map((c) => c.text);
      got += piece;
      const next = note ? /offset (\d+) for the rest/.exec(note) : null;
      if (!next) break;
      offset = Number(next[1]);
    }
    expect(got).toBe(text);
    // By lines.
    expect(await call(s, "vhs_get", { ref, start_line: 2, end_line: 3 })).toBe(`${lines[1]}\n${lines[2]}\n`);
    const tail = await s.client.callTool({ name: "vhs_get", arguments: { ref, start_line: 4999 } });
    expect(textOf(tail)).toBe(`${lines[4998]}\n${lines[4999]}\n\n(lines 4999-5000 of 5000)`);
    const head = await s.client.callTool({ name: "vhs_get", arguments: { ref, start_line: 1 } });
    expect((head.content as Array<{ text: string }>)[1]!.text).toMatch(/^\(lines 1-\d+ of 5000 \(at most 16384 bytes a call\); call vhs_get with start_line \d+ for more\)$/);
  });

  it("a bad call is a tool error worded as the CLI words it, and the next call works", async () => {
    const dir = project();
    const s = await start(dir);
    const good = await call(s, "vhs_put", { text: "kept" });
    const cliSays = async (args: string[]) => (await cli(args, { cwd: dir })).stderr.split("\n")[0]!.replace(/^tldrs: /, "");
    const cases: Array<[string, Record<string, unknown>, string | RegExp]> = [
      ["vhs_get", { ref: "vhs://nope" }, await cliSays(["vhs", "cat", "vhs://nope"])],
      ["vhs_info", { ref: `vhs://${"ab".repeat(32)}` }, /^Blob "vhs:\/\/(ab){32}" not found: the store has no record of it$/],
      ["context", { entry: "no_such_function" }, await cliSays(["context", "no_such_function"])],
      ["session_stats", { session_id: "nobody" }, await cliSays(["session", "show", "nobody"])],
      ["context", { entry: "main", depth: "deep" }, 'depth must be a whole number of 0 or more, got "deep"'],
      ["context", { entry: "main", format: "xml" }, 'format must be one of text, ultracompact, json, got "xml"'],
      ["context", { entry: "main", sesion_id: "typo" }, /^unknown argument "sesion_id" \(context takes entry, session_id, /],
      ["context", {}, 'missing argument "entry"'],
      ["context", { entry: "main", include: ["../../etc/passwd"] }, /^Invalid ref "..\/..\/etc\/passwd"/],
      ["vhs_put", { path: "../outside.txt" }, 'cannot store "../outside.txt": ".." is not allowed; name the file by its path inside the project'],
      ["vhs_put", { path: "/etc/hostname" }, `cannot store "/etc/hostname": it is outside the project "${dir}"`],
      ["vhs_put", { path: "pkg" }, 'cannot store "pkg": is a folder; name a file'],
      ["vhs_put", { path: "missing.txt" }, 'cannot store "missing.txt": no such file'],
      ["vhs_put", { text: "a", path: "notes.txt" }, "vhs_put takes text or path, exactly one of them"],
      ["vhs_put", {}, "vhs_put takes text or path, exactly one of them"],
      ["vhs_get", { ref: good, offset: 1, start_line: 2 }, "vhs_get takes offset/length or start_line/end_line, not both"],
      ["vhs_get", { ref: good, length: 10_000_000 }, "length must be at most 262144, got 10000000"],
      ["vhs_get", { ref: good, offset: 99 }, "offset must be at most the blob's size (4 bytes), got 99"],
      ["vhs_get", { ref: good, start_line: 0 }, "start_line must be a whole number of 1 or more, got 0"],
    ];
    for (const [name, args, expected] of cases) {
      const r = await s.client.callTool({ name, arguments: args });
      const label = `${name} ${JSON.stringify(args)}`;
      expect(r.isError, label).toBe(true);
      expect(textOf(r).split("\n"), label).toHaveLength(1);
      if (typeof expected === "string") expect(textOf(r), label).toBe(expected);
      else expect(textOf(r), label).toMatch(expected);
      expect(await call(s, "vhs_get", { ref: good }), `the call after ${label}`).toBe("kept");
    }
    // The CLI's own words, not a paraphrase: the first four came from the CLI itself.
    expect(cases[0]![2]).toMatch(/^Invalid ref "vhs:\/\/nope"/);
    expect(cases[2]![2]).toMatch(/^Cannot find entry "no_such_function"/);
    expect(cases[3]![2]).toBe('cannot show session "nobody": not found');
    expect(s.stderr()).toBe("");
  });

  it("two servers on one store at once lose nothing", async () => {
    const dir = project();
    const [a, b] = await Promise.all([start(dir), start(dir)]);
    const work = async (s: McpSession, who: string) => {
      const refs: string[] = [];
      for (let i = 0; i < 15; i++) {
        refs.push(await call(s, "vhs_put", { text: `${who} ${i}\n` }));
        if (i % 5 === 0) await call(s, "context", { entry: "main", session_id: `${who}-${i}` });
      }
      return refs;
    };
    const [refsA, refsB] = await Promise.all([work(a, "a"), work(b, "b")]);
    await Promise.all([a.close(), b.close()]);
    const store = await openStore({ project: dir });
    try {
      for (const [who, refs] of [["a", refsA], ["b", refsB]] as const) {
        for (const [i, ref] of refs.entries()) expect(await store.vhs.getText(ref)).toBe(`${who} ${i}\n`);
        for (const i of [0, 5, 10]) expect((await store.state.sessionStats(`${who}-${i}`)).deliveryCount).toBe(3);
      }
      expect((await store.vhs.stats()).count).toBe(30);
    } finally {
      await store.close();
    }
  });
});
