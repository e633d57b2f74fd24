// Limits that never lose the point, and a default made for a model's context window (issue 16).
// The old renderer dropped whole symbols from the end until the output fit: a limit smaller
// than the entry printed `symbols=0` and nothing else, and the default printed every callee's
// whole body (12,449 lines for the Python CLI's main).
import { describe, expect, it } from "vitest";
import { DEFAULT_BUDGET, type RunContextOptions } from "../../src/context/run_context.ts";
import { fits, lineCount, utf8Length } from "../../src/context/size.ts";
import { context, contextJson, noStore, project } from "./helpers.ts";

/** mulberry32: the same cases on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Three files of functions f0..f(n-1); each calls a few later ones; bodies and docs of random sizes. */
function randomProject(seed: number, n: number): Record<string, string> {
  const r = prng(seed);
  const files: Record<string, string[]> = { "a.py": [], "pkg/b.py": [], "pkg/sub/c.py": [] };
  const names = Object.keys(files);
  for (let i = 0; i < n; i++) {
    const calls = Array.from({ length: Math.floor(r() * 4) }, () => i + 1 + Math.floor(r() * (n - i))).filter((j) => j < n);
    const body = [
      `def f${i}(x${"".padEnd(Math.floor(r() * 3), "y")}):`,
      ...(r() < 0.5 ? [`    """Function ${i} does ${"things ".repeat(1 + Math.floor(r() * 6))}.`, "", "    More words.", '    """'] : []),
      ...Array.from({ length: Math.floor(r() * 25) }, (_, k) => `    v${k} = ${"\u00e9".repeat(Math.floor(r() * 3))}${k} * ${"x".repeat(Math.floor(r() * 40))}1`),
      ...calls.map((j) => `    f${j}(x)`),
      "    return 0",
      "",
    ];
    files[names[Math.floor(r() * names.length)]!]!.push(...body);
  }
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.join("\n") || "X = 1\n"]));
}

describe("limits never lose the point", () => {
  it("random projects, limits and formats: the output fits, the entry is there, and everything else is shown or listed by id with its cost", async () => {
    const r = prng(7);
    let cases = 0;
    let cutCases = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const dir = project(randomProject(seed, 30));
      const all = await contextJson(dir, "f0", { depth: 3, budget: 0 }, noStore);
      const ids = all.symbols.map((s) => s.id);
      for (let k = 0; k < 6; k++) {
        const format = (["text", "ultracompact", "json"] as const)[k % 3]!;
        const options: Partial<RunContextOptions> = { format, depth: 3, includeBody: r() < 0.5 };
        if (r() < 0.7) options.budget = 60 + Math.floor(r() * 1500);
        if (r() < 0.4) options.maxLines = 8 + Math.floor(r() * 120);
        if (r() < 0.4) options.maxBytes = 300 + Math.floor(r() * 6000);
        const { stdout, warnings } = await context(dir, "f0", options, noStore);
        const limits = { ...(options.budget ? { budget: options.budget } : format === "json" ? {} : { budget: DEFAULT_BUDGET }), ...(options.maxLines ? { maxLines: options.maxLines } : {}), ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) };
        const label = `seed ${seed} ${JSON.stringify(options)}`;
        cases++;
        if (warnings.length === 0) expect(fits(stdout, limits), label).toBe(true);
        else expect(warnings.join(""), label).toMatch(/the entry's signature and the list of what is cut do not fit/);
        const shown = new Set<string>();
        const listed = new Set<string>();
        let more = 0;
        if (format === "json") {
          const doc = JSON.parse(stdout) as { symbols: { id: string }[]; cut?: { id: string; cut: string; tokens: number; lines: number; bytes: number }[]; cut_more?: { count: number } };
          for (const s of doc.symbols) shown.add(s.id);
          for (const c of doc.cut ?? []) {
            expect(c.tokens, label).toBeGreaterThan(0);
            if (c.cut === "symbol") listed.add(c.id);
          }
          more = doc.cut_more?.count ?? 0;
        } else {
          for (const m of stdout.matchAll(format === "text" ? /^## (\S+) \(lines/gm : /^(P\d+:\S+) .* @\d+-\d+ /gm)) shown.add(m[1]!);
          const section = stdout.indexOf("# Cut to fit ");
          if (section >= 0) {
            for (const line of stdout.slice(section).split("\n").slice(1)) {
              const g = /^# (.+?): (.*)$/.exec(line);
              if (line.startsWith("# and ")) more = Number(/^# and (\d+) more/.exec(line)![1]);
              else if (g) for (const part of g[2]!.split(", ")) if (!part.includes("(body)")) listed.add(`${g[1]}:${/^(\S+) \d+/.exec(part)![1]}`);
            }
          }
        }
        // The entry always stays.
        if (format === "ultracompact") expect(stdout, label).toMatch(/^P\d+:f0 def f0\(/m);
        else expect(shown.has(ids[0]!), label).toBe(true);
        // Every symbol is shown, listed as cut, or counted.
        const shownCount = format === "ultracompact" ? shown.size : ids.filter((id) => shown.has(id)).length;
        expect(shownCount + listed.size + more, label).toBe(ids.length);
        if (listed.size + more > 0) cutCases++;
      }
    }
    expect(cases).toBe(72);
    expect(cutCases).toBeGreaterThan(15);
  });

  it("a limit smaller than the entry keeps its signature and lists its body with its cost (was: symbols=0, nothing)", async () => {
    const dir = project({
      "store.py": [
        "class Store:",
        "    def put(self, stream, compress=False):",
        '        """Store a stream; return its ref."""',
        ...Array.from({ length: 60 }, (_, i) => `        step_${i} = self._helper(${i})`),
        "        return self._now()",
        "",
        "    def _helper(self, x):",
        "        return x",
        "",
        "    def _now(self):",
        "        return 0",
        "",
      ].join("\n"),
    });
    for (const limit of [{ maxLines: 40 }, { budget: 300 }]) {
      const { stdout, warnings } = await context(dir, "store.py:Store.put", limit, noStore);
      expect(warnings).toEqual([]);
      expect(stdout).toContain("## store.py:Store.put (lines 2-64) [entry]\ndef put(self, stream, compress=False)\n# Store a stream; return its ref.\n");
      expect(stdout).toMatch(/^# store\.py: Store\.put \(body\) \d+/m);
      expect(stdout).toContain("## store.py:Store._helper");
      expect(fits(stdout, { budget: 6000, ...limit })).toBe(true);
    }
    const withRoom = await context(dir, "store.py:Store.put", { maxLines: 80 }, noStore);
    expect(withRoom.stdout).toContain("        step_59 = self._helper(59)\n");
  });

  it("a pack far bigger than the budget: the entry, then signatures in call order, then every other id with its cost", async () => {
    const callees = Array.from({ length: 240 }, (_, i) => `def callee_${i}(a, b):\n    """Callee number ${i}."""\n    return a + b + ${i}\n`).join("\n");
    const main = `def main():\n${Array.from({ length: 240 }, (_, i) => `    callee_${i}(1, 2)`).join("\n")}\n`;
    const dir = project({ "cli.py": main, "lib/callees.py": callees });
    const { stdout } = await context(dir, "cli.py:main", { budget: 4000 }, noStore);
    expect(Math.ceil(stdout.length / 4)).toBeLessThanOrEqual(4000);
    expect(stdout).toContain("## cli.py:main (lines 1-241) [entry]\ncalls: callee_0, callee_1, callee_2, callee_3, callee_4 (+235 more)\ndef main():\n");
    const shown = [...stdout.matchAll(/^## lib\/callees\.py:callee_(\d+) /gm)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(10);
    expect(shown).toEqual(shown.map((_, i) => i)); // the first ones, in call order
    const listed = /^# lib\/callees\.py: (.*)$/m.exec(stdout)![1]!.split(", ");
    expect(listed.length + shown.length).toBe(240);
    expect(listed[0]).toMatch(new RegExp(`^callee_${shown.length} \\d+$`));
  });

  it("an unmet entry signature warns but still prints it", async () => {
    const dir = project({ "a.py": "def a_function_with_a_long_name(first_argument, second_argument):\n    return 1\n" });
    const r = await context(dir, "a_function_with_a_long_name", { maxBytes: 20 }, noStore);
    expect(r.stdout).toContain("def a_function_with_a_long_name(first_argument, second_argument)\n");
    expect(r.warnings).toHaveLength(1);
  });
});

describe("the default for a model's context window", () => {
  /** One entry calling 40 big functions: the old default printed every body. */
  const big = () => {
    const fns = Array.from({ length: 40 }, (_, i) => [`def work_${i}(x):`, `    """Work step ${i}: ${"long words ".repeat(5)}."""`, ...Array.from({ length: 30 }, (_, k) => `    x = x * ${k} + ${i}  # step ${k}`), "    return x", ""].join("\n"));
    return project({ "app.py": `def run(x):\n${Array.from({ length: 40 }, (_, i) => `    x = work_${i}(x)`).join("\n")}\n    return x\n\n${fns.join("\n")}` });
  };

  it("text and ultracompact: the entry's code, the callees' signature and first doc line, within DEFAULT_BUDGET tokens", async () => {
    const dir = big();
    for (const format of ["text", "ultracompact"] as const) {
      const { stdout } = await context(dir, "run", { format }, noStore);
      expect(Math.ceil(stdout.length / 4), format).toBeLessThanOrEqual(DEFAULT_BUDGET);
      expect(stdout, format).toContain("x = work_39(x)");
      expect(stdout, format).toContain("def work_7(x)");
      expect(stdout, format).toContain("# Work step 7: long words");
      expect(stdout, format).not.toContain("x = x * 29");
      expect(stdout, format).not.toContain("# Cut to fit"); // nothing needed cutting
    }
    const text = (await context(dir, "run", {}, noStore)).stdout;
    const everything = (await context(dir, "run", { includeBody: true, budget: 0 }, noStore)).stdout;
    expect(lineCount(text)).toBeLessThan(lineCount(everything) / 5); // 206 lines instead of 1,488
    expect(text).toContain("calls: work_0, work_1, work_2, work_3, work_4 (+35 more)\n");
  });

  it("--include-body (zoom L4) asks for every body, and the default budget then cuts them, listed with their cost; --budget 0 lifts it", async () => {
    const dir = big();
    const cut = await context(dir, "run", { includeBody: true }, noStore);
    expect(Math.ceil(cut.stdout.length / 4)).toBeLessThanOrEqual(DEFAULT_BUDGET);
    expect(cut.stdout).toMatch(/# Cut to fit --budget 6000 \(the default; 0: none\); cost in tokens;/);
    expect(cut.stdout).toMatch(/^# app\.py: (work_\d+ \(body\) \d+, )+(work_\d+ \d+, )*work_39 \d+$/m);
    const all = await context(dir, "run", { includeBody: true, budget: 0 }, noStore);
    expect(all.stdout).not.toContain("# Cut");
    expect(all.stdout).toContain("x = x * 29 + 39  # step 29");
  });

  it("json stays complete for programs: every body, no default budget; --output vhs stores it all", async () => {
    const dir = big();
    const doc = await contextJson(dir, "run", {}, noStore);
    expect(doc.symbols).toHaveLength(41);
    expect(doc.symbols.every((s) => s.detail === "full" && s.code !== null)).toBe(true);
    expect(doc.cut).toBeUndefined();
    expect(Math.ceil(JSON.stringify(doc).length / 4)).toBeGreaterThan(DEFAULT_BUDGET);
  });

  it("--zoom sets every symbol's detail (L0 ids, L1 signatures, L2 sketches, L4 code); --with-docs prints whole docs; --strip-comments drops comment lines", async () => {
    const dir = project({
      "m.py": [
        "def entry(n):",
        '    """Entry point.',
        "",
        "    Second paragraph.",
        '    """',
        "    # a comment",
        "    # TODO: keep this one",
        "    if n > 1:",
        "        for i in range(n):",
        "            helper(i)",
        "    return 0",
        "",
        "def helper(i):",
        '    """Help once."""',
        "    return i",
        "",
      ].join("\n"),
    });
    const at = async (options: Partial<RunContextOptions>) => (await context(dir, "entry", options, noStore)).stdout;
    expect(await at({ zoom: "L0" })).toBe("# Context: m.py:entry depth=2 symbols=2 files=1\n\n## m.py:entry (lines 1-11) [entry]\n\n## m.py:helper (lines 13-15) [depth 1]\n");
    expect(await at({ zoom: "L1" })).toContain("## m.py:entry (lines 1-11) [entry]\ndef entry(n)\n# Entry point.\ncalls: helper\n\n");
    expect(await at({ zoom: "L2" })).toContain("def entry(n)\n# Entry point.\ncalls: helper\n    if n > 1:\n        for i in range(n):\n    return 0\n");
    expect(await at({ zoom: "L4" })).toContain("    return i\n");
    expect(await at({ zoom: "L1", withDocs: true })).toContain("def entry(n)\n# Entry point.\n#\n# Second paragraph.\ncalls: helper\n");
    const stripped = await at({ stripComments: true });
    expect(stripped).toContain('def entry(n):\n    """Entry point."""\n    # TODO: keep this one\n    if n > 1:');
    expect(stripped).not.toContain("# a comment");
  });

  it("--preset compact is ultracompact, --budget 2000 and --strip-comments; explicit options win", async () => {
    const dir = big();
    const compact = (await context(dir, "run", { preset: "compact", includeBody: true }, noStore)).stdout;
    expect(compact.startsWith("P0=app.py\n")).toBe(true);
    expect(Math.ceil(compact.length / 4)).toBeLessThanOrEqual(2000);
    expect(compact).toMatch(/# Cut to fit --budget 2000;/);
    const mine = (await context(dir, "run", { preset: "compact", format: "text", budget: 3000, includeBody: true }, noStore)).stdout;
    expect(mine.startsWith("# Context:")).toBe(true);
    expect(mine.length).toBeGreaterThan(2000 * 4);
  });
});

describe("sizes", () => {
  it("counts UTF-8 bytes and lines as the limits do", () => {
    expect(utf8Length("a\u00e9\u4e2d\ud83d\ude00")).toBe(10);
    expect(lineCount("a\nb")).toBe(2);
    expect(lineCount("a\nb\n")).toBe(2);
  });
});
