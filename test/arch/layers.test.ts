/**
 * The layer rule of README "Architecture", checked on the source text: no import cycle in src/,
 * no import of a higher layer, and runtime APIs (node:*, bun:*, Deno.*, Bun.*) only in
 * src/platform/, src/node.ts and src/cli/. A static walk of relative imports, type-only and
 * dynamic ones included (a type import is an arrow for a reader too).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Layers from the bottom; a file may import its own layer and those below, never above. */
const LAYERS: readonly { name: string; has: (file: string) => boolean }[] = [
  { name: "platform", has: (f) => f.startsWith("platform/") },
  { name: "base (src/*.ts helpers)", has: (f) => !f.includes("/") && !["store.ts", "doctor.ts", "mod.ts", "testing.ts", "node.ts"].includes(f) },
  { name: "engine", has: (f) => f.startsWith("engine/") },
  { name: "vhs, state", has: (f) => f.startsWith("vhs/") || f.startsWith("state/") },
  { name: "remote", has: (f) => f.startsWith("remote/") },
  { name: "store.ts, doctor.ts, context", has: (f) => f === "store.ts" || f === "doctor.ts" || f.startsWith("context/") },
  { name: "mod.ts, testing.ts", has: (f) => f === "mod.ts" || f === "testing.ts" },
  { name: "node.ts, mcp, cli", has: (f) => f === "node.ts" || f.startsWith("mcp/") || f.startsWith("cli/") },
];

/** Siblings in one layer that must not import each other. */
const APART: readonly [string, string][] = [
  ["vhs/", "state/"],
  ["state/", "vhs/"],
  ["context/", "store.ts"],
];

const RUNTIME_ALLOWED = (f: string) => f.startsWith("platform/") || f === "node.ts" || f.startsWith("cli/");

function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(relative(SRC, path).split("\\").join("/"));
  }
  return out.sort();
}

/** The text without comments and without the contents of string and template literals. */
function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/g, (m) => (m[0] === '"' || m[0] === "'" || m[0] === "`" ? m[0] + m[0] : " "));
}

/** Every module specifier of `text`: static imports and re-exports, then (with `dynamic`) import() calls. */
export function specifiers(text: string, dynamic = true): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s(?:[^;"']*?\sfrom\s)?\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)) {
    if (m[1] !== undefined || dynamic) out.push((m[1] ?? m[2])!);
  }
  return out;
}

const files = sourceFiles();
const local = (file: string, specs: string[]) => specs.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(SRC, dirname(file), s)).split("\\").join("/"));
/** Every arrow, dynamic ones included: what the layer rule checks. */
const graph = new Map<string, string[]>();
/**
 * Static arrows only: what the cycle check walks. A static cycle makes evaluation order matter
 * (a module can see another half-initialized); an import() runs at call time, after both are
 * loaded (`tldrs __complete` loads the command list that registers it).
 */
const staticGraph = new Map<string, string[]>();
const external = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(join(SRC, file), "utf8");
  const specs = specifiers(text);
  graph.set(file, local(file, specs));
  staticGraph.set(file, local(file, specifiers(text, false)));
  external.set(file, specs.filter((s) => !s.startsWith(".")));
}

function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => l.has(file));
  if (i < 0) throw new Error(`no layer for src/${file}: add it to LAYERS and to README "Architecture"`);
  return i;
}

/** Each cycle once, as the path of files that closes it. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe("the layer rule (README Architecture)", () => {
  it("reads the imports it checks", () => {
    expect(specifiers(`import { a } from "./a.ts";\nimport type {\n  B,\n} from "../b.ts";\nexport * from "./c.ts";\nconst d = await import("./d.ts");`)).toEqual(["./a.ts", "../b.ts", "./c.ts", "./d.ts"]);
    expect(graph.get("store.ts")).toContain("state/state_store.ts");
  });

  it("every relative import names a file that exists", () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `src/${file} -> src/${t}`));
    expect(missing).toEqual([]);
  });

  it("has no import cycle in src/", () => {
    expect(cycles(staticGraph).map((c) => c.join(" -> "))).toEqual([]);
  });

  it("no file imports a layer above its own, nor a sibling it is kept apart from", () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        if (!graph.has(target)) continue;
        if (layerOf(target) > layerOf(file)) wrong.push(`src/${file} (${LAYERS[layerOf(file)]!.name}) -> src/${target} (${LAYERS[layerOf(target)]!.name})`);
        for (const [from, to] of APART) if (file.startsWith(from) && target.startsWith(to)) wrong.push(`src/${file} -> src/${target} (kept apart)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("runtime APIs only in src/platform/, src/node.ts and src/cli/", () => {
    const wrong: string[] = [];
    for (const file of files) {
      if (RUNTIME_ALLOWED(file)) continue;
      for (const spec of external.get(file)!) if (/^(node|bun|deno|npm|jsr):/.test(spec)) wrong.push(`src/${file} imports "${spec}"`);
      const code = codeOnly(readFileSync(join(SRC, file), "utf8"));
      for (const m of code.matchAll(/\b(Deno|Bun|process|Buffer)\s*\./g)) wrong.push(`src/${file} uses ${m[1]}.`);
    }
    expect(wrong).toEqual([]);
  });

  it("detects what it forbids", () => {
    // The walker itself, on a made-up graph: a cycle is found, comments and strings are not code.
    expect(cycles(new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]]]))).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
    expect(cycles(new Map([["a.ts", ["b.ts"]], ["b.ts", []]]))).toEqual([]);
    expect(specifiers(`const d = await import("./d.ts");`, false)).toEqual([]);
    expect(codeOnly(`const a = "Deno.x"; // Bun.y\n/* process.env */ Deno.z`)).toContain("Deno.z");
    expect(codeOnly(`const a = "Deno.x"; // Bun.y\n/* process.env */`)).not.toMatch(/Deno\.|Bun\.|process\./);
  });
});
