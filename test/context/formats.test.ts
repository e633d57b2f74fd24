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
  it("text: a title, then one ## header per symbol with its calls and code", async () => {
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
    expect(stdout).toContain("calls: app.py:first, app.py:second, app.py:third\ndef entry(x):\n    a = first(x)\n");
    expect(stdout.endsWith("    return x - 3\n")).toBe(true);
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
    // first() holds a run of 4 backticks: its fence has 5.
    expect(stdout).toContain('`````python\ndef first(x):\n    """Doc with ``` backticks ```` inside."""\n    return x + 1\n`````\n');
  });

  it("json: parses back with every field", async () => {
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
      code: 'def first(x):\n    """Doc with ``` backticks ```` inside."""\n    return x + 1',
    });
    expect(doc.symbols[0]!.calls).toEqual(["app.py:first", "app.py:second", "app.py:third"]);
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
    await expect(context(dir, "entry", { budget: 0 }, noStore)).rejects.toThrow(/"budget"/);
    await expect(context(dir, "entry", { maxLines: -3 }, noStore)).rejects.toThrow(/"maxLines"/);
    await expect(context(dir, "", {}, noStore)).rejects.toThrow(TypeError);
    await expect(context(dir, "entry", { output: "file" as never }, noStore)).rejects.toThrow(/"output"/);
  });
});

describe("budgets", () => {
  async function full(dir: string, format: "text" | "ultracompact" | "json"): Promise<string> {
    return (await context(dir, "entry", { format }, noStore)).stdout;
  }

  for (const format of ["text", "ultracompact", "json"] as const) {
    it(`${format}: --budget keeps whole symbols in order and says what was left out`, async () => {
      const dir = project(FILES);
      const all = await full(dir, format);
      const budget = Math.ceil(all.length / 4) - 200; // third() is ~600 tokens: it alone goes
      const { stdout } = await context(dir, "entry", { format, budget }, noStore);
      expect(Math.ceil(stdout.length / 4)).toBeLessThanOrEqual(budget);
      if (format === "json") {
        const doc = JSON.parse(stdout) as { symbols: { id: string; code: string }[]; omitted: string[]; omitted_reason: string };
        expect(doc.symbols.map((s) => s.id)).toEqual(["app.py:entry", "app.py:first", "app.py:second"]);
        expect(doc.omitted).toEqual(["app.py:third"]);
        expect(doc.omitted_reason).toBe(`--budget ${budget}`);
      } else {
        expect(stdout).toContain("def second(x):\n    return x * 2\n");
        expect(stdout).not.toContain("return x - 3");
        expect(stdout.trimEnd().split("\n").pop()).toBe(`# Omitted 1 of 4 symbols to fit --budget ${budget}: app.py:third`);
      }
    });
  }

  it("--max-lines and --max-bytes cut at symbol boundaries", async () => {
    const dir = project(FILES);
    const byLines = await context(dir, "entry", { maxLines: 12 }, noStore);
    expect(lineCount(byLines.stdout)).toBeLessThanOrEqual(12);
    expect(byLines.stdout).toContain("## app.py:entry");
    expect(byLines.stdout).toMatch(/# Omitted \d of 4 symbols to fit --max-lines 12: /);
    for (const header of byLines.stdout.split("\n").filter((l) => l.startsWith("## "))) {
      // every symbol that is in is complete
      const id = header.slice(3, header.indexOf(" ("));
      expect(byLines.stdout).toContain(id);
    }
    const byBytes = await context(dir, "entry", { maxBytes: 300, format: "ultracompact" }, noStore);
    expect(utf8Length(byBytes.stdout)).toBeLessThanOrEqual(300);
    expect(byBytes.stdout).toMatch(/# Omitted \d of 4 symbols to fit --max-bytes 300: /);
    const both = await context(dir, "entry", { maxBytes: 100_000, maxLines: 100_000, budget: 100_000 }, noStore);
    expect(both.stdout).toBe(await full(dir, "text"));
  });

  it("a budget too small for any symbol leaves the header and the list, with a warning", async () => {
    const dir = project(FILES);
    const r = await context(dir, "entry", { maxLines: 1 }, noStore);
    expect(r.stdout).toContain("# Omitted 4 of 4 symbols to fit --max-lines 1: app.py:entry, app.py:first");
    expect(r.warnings.join("\n")).toMatch(/leave no room/);
  });

  it("counts multi-byte characters as UTF-8 bytes", async () => {
    expect(utf8Length("a\u00e9\u4e2d\ud83d\ude00")).toBe(1 + 2 + 3 + 4);
    const dir = project({ "u.py": `def u():\n    return "${"\u00e9".repeat(100)}"\n` });
    const r = await context(dir, "u", { maxBytes: 150 }, noStore);
    expect(r.stdout).toContain("# Omitted 1 of 1 symbols");
  });

  it("unknown entries still fail under a budget", async () => {
    const dir = project(FILES);
    expect((await rejection(context(dir, "nope", { budget: 10 }, noStore))).code).toBe("ENOTFOUND");
  });
});
