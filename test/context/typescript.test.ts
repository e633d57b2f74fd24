import { describe, expect, it } from "vitest";
import { contextJson, context, ids, noStore, project, rejection } from "./helpers.ts";

const TS = {
  "src/lib/math.ts": [
    "export function add(a: number, b: number): number {",
    "  return clamp(a + b);",
    "}",
    "function clamp(x: number): number {",
    "  return Math.max(0, x);",
    "}",
    "export class Calc {",
    "  private total = 0;",
    "  constructor(start: number) {",
    "    this.total = start;",
    "  }",
    "  plus(n: number): this {",
    "    this.total = add(this.total, n);",
    "    return this.check();",
    "  }",
    "  private check(): this {",
    "    return this;",
    "  }",
    "  static make = (n: number): Calc => new Calc(n);",
    "}",
    "export const api = {",
    "  run(x: number) { return add(x, 1); },",
    "};",
    "",
  ].join("\n"),
  "src/main.ts": [
    'import { Calc, api } from "./lib/math.js";',
    'import * as m from "./lib/math";',
    "",
    "export async function main(): Promise<number> {",
    "  const c = Calc.make(1).plus(2);",
    "  api.run(3);",
    "  const local = (x: number) => m.add(x, 2);",
    "  return local(1);",
    "}",
    "",
  ].join("\n"),
  "src/view.tsx": [
    "export function View(props: { n: number }) {",
    "  return <div>{format(props.n)}</div>;",
    "}",
    "const format = (n: number): string => `${n}`;",
    "",
  ].join("\n"),
  "src/types.d.ts": "export declare function add(a: number, b: number): number;\n",
};

describe("typescript", () => {
  it("finds entries in .ts and .tsx by each form; .d.ts files are not read", async () => {
    const dir = project(TS);
    expect(await ids(dir, "main", { depth: 0 })).toEqual(["src/main.ts:main"]);
    expect(await ids(dir, "Calc.plus", { depth: 0 })).toEqual(["src/lib/math.ts:Calc.plus"]);
    expect(await ids(dir, "src/lib/math.ts:clamp", { depth: 0 })).toEqual(["src/lib/math.ts:clamp"]);
    expect(await ids(dir, "View", { depth: 0 })).toEqual(["src/view.tsx:View"]);
    expect(await ids(dir, "add", { depth: 0 })).toEqual(["src/lib/math.ts:add"]);
    expect(await ids(dir, "api.run", { depth: 0 })).toEqual(["src/lib/math.ts:api.run"]);
  });

  it("follows imports (a .js specifier names the .ts source), namespaces, this-calls, static fields and new", async () => {
    const dir = project(TS);
    const doc = await contextJson(dir, "main", { depth: 3 }, noStore);
    expect(doc.symbols.map((s) => [s.id, s.depth])).toEqual([
      ["src/main.ts:main", 0],
      ["src/lib/math.ts:Calc.make", 1],
      ["src/lib/math.ts:Calc.plus", 1],
      ["src/lib/math.ts:api.run", 1],
      ["src/lib/math.ts:add", 1],
      ["src/lib/math.ts:Calc.constructor", 2],
      ["src/lib/math.ts:Calc.check", 2],
      ["src/lib/math.ts:clamp", 2],
    ]);
    const main = doc.symbols[0]!;
    expect(main).toMatchObject({ kind: "function", language: "typescript", signature: "async function main(): Promise<number>", lines: [4, 9] });
    expect(main.code).toContain("const local = (x: number) => m.add(x, 2);");
    const make = doc.symbols[1]!;
    expect(make).toMatchObject({ kind: "method", signature: "static make = (n: number): Calc =>" });
  });

  it("a nested arrow function is its own entry", async () => {
    const dir = project(TS);
    expect(await ids(dir, "main.local", { depth: 1 })).toEqual(["src/main.ts:main.local", "src/lib/math.ts:add"]);
  });

  it("TSX: calls inside JSX expressions", async () => {
    const dir = project(TS);
    const doc = await contextJson(dir, "View", {}, noStore);
    expect(doc.symbols.map((s) => s.id)).toEqual(["src/view.tsx:View", "src/view.tsx:format"]);
    expect(doc.symbols[0]!.language).toBe("tsx");
  });

  it("--lang limits the files read", async () => {
    const dir = project({ ...TS, "py/main.py": "def main():\n    pass\n" });
    expect((await rejection(context(dir, "main", {}, noStore))).code).toBe("EAMBIGUOUS");
    expect(await ids(dir, "main", { depth: 0, lang: "typescript" })).toEqual(["src/main.ts:main"]);
    expect(await ids(dir, "main", { depth: 0, lang: "python" })).toEqual(["py/main.py:main"]);
    expect((await rejection(context(dir, "View", { lang: "python" }, noStore))).code).toBe("ENOTFOUND");
    await expect(context(dir, "main", { lang: "cobol" }, noStore)).rejects.toThrow(RangeError);
  });
});

const JS = {
  "lib/store.js": [
    "const { normalize } = require('./text');",
    "",
    "class Store {",
    "  constructor() { this.items = []; }",
    "  add(item) {",
    "    this.items.push(normalize(item));",
    "    return this.#count();",
    "  }",
    "  #count() { return this.items.length; }",
    "}",
    "",
    "function makeStore() {",
    "  function seed(s) { return s.add('a'); }",
    "  const s = new Store();",
    "  return seed(s);",
    "}",
    "",
    "module.exports = { Store, makeStore };",
    "",
  ].join("\n"),
  "lib/text.js": "function normalize(s) {\n  return trim(s).toLowerCase();\n}\nconst trim = function (s) { return s.trim(); };\nmodule.exports = { normalize };\n",
  "index.mjs": "import { makeStore } from './lib/store.js';\nexport default function start() {\n  return makeStore();\n}\nexport function* ids() { yield start(); }\n",
};

describe("javascript", () => {
  it("finds entries by each form, in .js and .mjs", async () => {
    const dir = project(JS);
    expect(await ids(dir, "makeStore", { depth: 0 })).toEqual(["lib/store.js:makeStore"]);
    expect(await ids(dir, "Store.add", { depth: 0 })).toEqual(["lib/store.js:Store.add"]);
    expect(await ids(dir, "index.mjs:start", { depth: 0 })).toEqual(["index.mjs:start"]);
    expect(await ids(dir, "ids", { depth: 0 })).toEqual(["index.mjs:ids"]);
    expect(await ids(dir, "trim", { depth: 0 })).toEqual(["lib/text.js:trim"]);
  });

  it("follows ESM imports, require destructuring, new, this and private methods to depth", async () => {
    const dir = project(JS);
    const doc = await contextJson(dir, "start", { depth: 4 }, noStore);
    expect(doc.symbols.map((s) => [s.id, s.depth])).toEqual([
      ["index.mjs:start", 0],
      ["lib/store.js:makeStore", 1],
      ["lib/store.js:Store.add", 2],
      ["lib/store.js:Store.constructor", 2],
      ["lib/text.js:normalize", 3],
      ["lib/store.js:Store.#count", 3],
      ["lib/text.js:trim", 4],
    ]);
    // seed() is nested in makeStore: part of its code, its call to s.add() followed.
    expect(doc.symbols[1]!.code).toContain("function seed(s)");
    expect(doc.symbols[0]!.signature).toBe("function start()");
    expect(doc.symbols[0]!.code!.startsWith("export default function start() {")).toBe(true);
  });

  it("depth 1 stops at direct callees", async () => {
    const dir = project(JS);
    expect(await ids(dir, "Store.add", { depth: 1 })).toEqual(["lib/store.js:Store.add", "lib/text.js:normalize", "lib/store.js:Store.#count"]);
  });

  it("same-named definitions in one file get #2 ids; recursion and cycles stop", async () => {
    const dir = project({
      "box.js": [
        "class Box {",
        "  get v() { return this._v; }",
        "  set v(x) { this._v = check(x); }",
        "}",
        "function check(x) { return x > 0 ? x : fix(x); }",
        "function fix(x) { return check(-x); }",
        "function fact(n) { return n ? n * fact(n - 1) : 1; }",
        "",
      ].join("\n"),
    });
    const err = await rejection(context(dir, "Box.v", {}, noStore));
    expect(err.code).toBe("EAMBIGUOUS");
    expect(err.data?.["candidates"]).toEqual(["box.js:Box.v", "box.js:Box.v#2"]);
    expect(await ids(dir, "box.js:Box.v#2", { depth: 5 })).toEqual(["box.js:Box.v#2", "box.js:check", "box.js:fix"]);
    expect(await ids(dir, "fact", { depth: 5 })).toEqual(["box.js:fact"]);
  });

  it("CommonJS and prototype assignments define functions and methods", async () => {
    const dir = project({
      "legacy.js": [
        "function Legacy(x) { this.x = x; }",
        "Legacy.prototype.get = function () { return helper(this.x); };",
        "Legacy.create = function (x) { return new Legacy(x).get(); };",
        "exports.helper = function helper(x) { return x; };",
        "module.exports.run = () => Legacy.create(1);",
        "",
      ].join("\n"),
    });
    const doc = await contextJson(dir, "run", { depth: 3 }, noStore);
    expect(doc.symbols.map((s) => s.id)).toEqual(["legacy.js:run", "legacy.js:Legacy.create", "legacy.js:Legacy", "legacy.js:Legacy.get", "legacy.js:helper"]);
    expect(doc.symbols[3]).toMatchObject({ kind: "method", signature: "Legacy.prototype.get = function ()", lines: [2, 2] });
  });
});
