import { describe, expect, it } from "vitest";
import { lineCount, utf8Length } from "../../src/context/render.ts";
import { context, contextJson, noStore, project, rejection } from "./helpers.ts";

const FILES = {
  "app.py": [
    "def entry(x):",
    "    a = first(x)",
    "    b = second(a)",
    "    return third(b)",
    "",
    "def first(x):",
    '    """Doc with ``` backticks ```` inside."""',
    "    return x + 1",
    "",
    "def second(x):",
    "    return x * 2",
    "",
    "def third(x):",
    ...Array.from({ length: 30 }, (_, i) => `    # a long comment line number ${i} that makes third() the biggest symbol`),
    "    return x - 3",
    "",
  ].join("\n"),
  "lib/util.ts": "export function entry2(): number {\n  return 1;\n}\n",
};

describe("formats", () => {
  it("text: a title, then one ## header per symbol: the entry's calls and code, each callee's signature and doc line", async () => {
    const dir = project(FILES);
    const { stdout, warnings } = await context(dir, "entry", { format: "text" }, noStore);
    expect(warnings).toEqual([]);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("# Context: app.py:entry depth=2 symbols=4 files=1");
    expect(lines.filter((l) => l.startsWith("## "))).toEqual([
      "## app.py:entry (lines 1-4) [entry]",
      "## app.py:first (lines 6-8) [depth 1]",
      "## app.py:second (lines 10-11) [depth 1]",
      "## app.py:third (lines 13-44) [depth 1]",
    ]);
    expect(stdout).toContain("calls: first, second, third\ndef entry(x):\n    a = first(x)\n");
    expect(stdout).toContain("## app.py:first (lines 6-8) [depth 1]\ndef first(x)\n# Doc with ``` backticks ```` inside.\n");
    expect(stdout).not.toContain("return x + 1");
    expect(stdout.endsWith("## app.py:third (lines 13-44) [depth 1]\ndef third(x)\n")).toBe(true);
    // --include-body: every symbol's code, as the Python CLI's flag
    const body = (await context(dir, "entry", { includeBody: true }, noStore)).stdout;
    expect(body).toContain("## app.py:first (lines 6-8) [depth 1]\ndef first(x):\n");
    expect(body.endsWith("    return x - 3\n")).toBe(true);
  });

  it("ultracompact: path dictionary, one header line per symbol, code fenced (longer fence around backticks)", async () => {
    const dir = project(FILES);
    const { stdout } = await context(dir, "entry", { format: "ultracompact" }, noStore);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("P0=app.py");
    expect(lines[1]).toBe("");
    expect(lines[2]).toBe("P0:entry def entry(x) @1-4 [entry]");
    expect(lines[3]).toBe("  calls: P0:first, P0:second, P0:third");
    expect(lines[4]).toBe("```python");
    const headers = lines.filter((l) => /^P\d+:/.test(l));
    expect(headers).toEqual(["P0:entry def entry(x) @1-4 [entry]", "P0:first def first(x) @6-8 [d1]", "P0:second def second(x) @10-11 [d1]", "P0:third def third(x) @13-44 [d1]"]);
    expect(stdout).toContain("P0:first def first(x) @6-8 [d1]\n  # Doc with ``` backticks ```` inside.\n\n");
    // first() holds a run of 4 backticks: its fence has 5.
    const body = (await context(dir, "entry", { format: "ultracompact", includeBody: true }, noStore)).stdout;
    expect(body).toContain('`````python\ndef first(x):\n    """Doc with ``` backticks ```` inside."""\n    return x + 1\n`````\n');
  });

  it("json: parses back with every field, every symbol's code and whole doc (complete for programs: no default budget)", async () => {
    const dir = project(FILES);
    const doc = await contextJson(dir, "entry", { depth: 1 }, noStore);
    expect(doc).toMatchObject({ entry: "entry", entry_id: "app.py:entry", depth: 1, files: 1 });
    expect(doc.delta).toBeUndefined();
    expect(doc.omitted).toBeUndefined();
    expect(doc.symbols).toHaveLength(4);
    const first = doc.symbols[1]!;
    expect(first).toEqual({
      id: "app.py:first",
      file: "app.py",
      name: "first",
      qualified_name: "first",
      kind: "function",
      language: "python",
      signature: "def first(x)",
      lines: [6, 8],
      depth: 1,
      etag: expect.stringMatching(/^[0-9a-f]{64}$/),
      calls: [],
      unchanged: false,
      detail: "full",
      doc: "Doc with ``` backticks ```` inside.",
      code: 'def first(x):\n    """Doc with ``` backticks ```` inside."""\n    return x + 1',
    });
    expect(doc.symbols[0]!.calls).toEqual(["app.py:first", "app.py:second", "app.py:third"]);
    expect(doc.symbols.every((s) => s.code !== null)).toBe(true);
  });

  it("the etag is sha256 of signature, newline, code", async () => {
    const dir = project(FILES);
    const doc = await contextJson(dir, "second", { depth: 0 }, noStore);
    const s = doc.symbols[0]!;
    const { createHash } = await import("node:crypto");
    expect(s.etag).toBe(createHash("sha256").update(`${s.signature}\n${s.code}`).digest("hex"));
  });

  it("bad options are TypeError/RangeError naming the option", async () => {
    const dir = project(FILES);
    await expect(context(dir, "entry", { format: "xml" as never }, noStore)).rejects.toThrow(/"format"/);
    await expect(context(dir, "entry", { depth: -1 }, noStore)).rejects.toThrow(RangeError);
    await expect(context(dir, "entry", { depth: 1.5 }, noStore)).rejects.toThrow(/"depth"/);
    await expect(context(dir, "entry", { budget: -1 }, noStore)).rejects.toThrow(/"budget"/);
    await expect(context(dir, "entry", { budget: 2.5 }, noStore)).rejects.toThrow(/"budget"/);
    await expect(context(dir, "entry", { maxLines: -3 }, noStore)).rejects.toThrow(/"maxLines"/);
    await expect(context(dir, "entry", { zoom: "L5" as never }, noStore)).rejects.toThrow(/"zoom"/);
    await expect(context(dir, "entry", { zoom: "L1", includeBody: true }, noStore)).rejects.toThrow(/"includeBody"/);
    await expect(context(dir, "entry", { withDocs: "yes" as never }, noStore)).rejects.toThrow(/"withDocs"/);
    await expect(context(dir, "entry", { preset: "tiny" as never }, noStore)).rejects.toThrow(/"preset"/);
    await expect(context(dir, "", {}, noStore)).rejects.toThrow(TypeError);
    await expect(context(dir, "entry", { output: "file" as never }, noStore)).rejects.toThrow(/"output"/);
  });
});

describe("budgets", () => {
  async function full(dir: string, format: "text" | "ultracompact" | "json"): Promise<string> {
    return (await context(dir, "entry", { format, includeBody: true, budget: 0 }, noStore)).stdout;
  }

  for (const format of ["text", "ultracompact", "json"] as const) {
    it(`${format}: --budget keeps symbols in order, cuts what does not fit, and lists it with its cost`, async () => {
      const dir = project(FILES);
      const all = await full(dir, format);
      const budget = Math.ceil(all.length / 4) - 200; // third() is ~600 tokens: its body goes
      const { stdout } = await context(dir, "entry", { format, budget, includeBody: true }, noStore);
      expect(Math.ceil(stdout.length / 4)).toBeLessThanOrEqual(budget);
      if (format === "json") {
        const doc = JSON.parse(stdout) as { symbols: { id: string; code: string | null; detail: string }[]; cut: { id: string; cut: string; tokens: number }[]; omitted_reason: string };
        expect(doc.symbols.map((s) => [s.id, s.detail])).toEqual([["app.py:entry", "full"], ["app.py:first", "full"], ["app.py:second", "full"], ["app.py:third", "signature"]]);
        expect(doc.cut).toEqual([{ id: "app.py:third", cut: "body", tokens: expect.any(Number), lines: expect.any(Number), bytes: expect.any(Number) }]);
        expect(doc.cut[0]!.tokens).toBeGreaterThan(500);
        expect(doc.omitted_reason).toBe(`--budget ${budget}`);
      } else {
        expect(stdout).toContain("def second(x):\n    return x * 2\n");
        expect(stdout).not.toContain("return x - 3");
        expect(stdout).toContain("def third(x)");
        expect(stdout.trimEnd().split("\n").slice(-2)).toEqual([`# Cut to fit --budget ${budget}; cost in tokens; ask for one: tldrs context PATH:NAME`, expect.stringMatching(/^# app\.py: third \(body\) \d{3}$/)]);
      }
    });
  }

  it("--max-lines and --max-bytes cut at symbol boundaries and name the cost in their units", async () => {
    const dir = project(FILES);
    const byLines = await context(dir, "entry", { maxLines: 14, includeBody: true }, noStore);
    expect(lineCount(byLines.stdout)).toBeLessThanOrEqual(14);
    expect(byLines.stdout).toContain("## app.py:entry");
    expect(byLines.stdout).toMatch(/# Cut to fit --budget 6000 \(the default; 0: none\) --max-lines 14; cost in tokens\/lines; ask for one: tldrs context PATH:NAME\n/);
    expect(byLines.stdout).toMatch(/\n# app\.py: .*third( \(body\))? \d+\/\d+\n$/);
    const byBytes = await context(dir, "entry", { maxBytes: 300, format: "ultracompact", includeBody: true }, noStore);
    expect(utf8Length(byBytes.stdout)).toBeLessThanOrEqual(300);
    expect(byBytes.stdout).toMatch(/# Cut to fit --budget 6000 \(the default; 0: none\) --max-bytes 300; cost in tokens\/bytes;/);
    const both = await context(dir, "entry", { maxBytes: 100_000, maxLines: 100_000, budget: 100_000, includeBody: true }, noStore);
    expect(both.stdout).toBe(await full(dir, "text"));
  });

  it("a limit too small for the entry's code keeps its signature, lists its body as cut, and warns only when even that does not fit", async () => {
    const dir = project(FILES);
    const r = await context(dir, "entry", { maxLines: 9 }, noStore);
    expect(r.stdout).toContain("## app.py:entry (lines 1-4) [entry]\ndef entry(x)\n");
    expect(r.stdout).not.toContain("a = first(x)");
    expect(r.stdout).toContain("entry (body)");
    expect(r.warnings).toEqual([]);
    const tiny = await context(dir, "entry", { maxLines: 1 }, noStore);
    expect(tiny.stdout).toContain("def entry(x)\n");
    expect(tiny.warnings.join("\n")).toMatch(/over the limits \(--budget 6000 --max-lines 1\): the entry's signature and the list of what is cut do not fit/);
  });

  it("counts multi-byte characters as UTF-8 bytes", async () => {
    expect(utf8Length("a\u00e9\u4e2d\ud83d\ude00")).toBe(1 + 2 + 3 + 4);
    const dir = project({ "u.py": `def u():\n    return "${"\u00e9".repeat(100)}"\n` });
    const r = await context(dir, "u", { maxBytes: 150 }, noStore);
    expect(r.stdout).toMatch(/\n# u\.py: u \(body\) \d+\/2\d\d\n$/); // 100 two-byte characters
    expect(utf8Length(r.stdout)).toBeGreaterThan(150); // the entry's signature and its cut line, over the limit
    expect(r.warnings.join("")).toMatch(/printed all the same/);
  });

  it("unknown entries still fail under a budget", async () => {
    const dir = project(FILES);
    expect((await rejection(context(dir, "nope", { budget: 10 }, noStore))).code).toBe("ENOTFOUND");
  });
});
