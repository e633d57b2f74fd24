import { describe, expect, it } from "vitest";
import { contextJson, ids, noStore, project, rejection, context } from "./helpers.ts";

const APP = {
  "app/__init__.py": "",
  "app/util.py": [
    "def helper(x):",
    "    return deep(x) + 1",
    "",
    "def deep(x):",
    "    return deeper(x) * 2",
    "",
    "def deeper(x):",
    "    return x",
    "",
    "class Repo:",
    "    def __init__(self, path):",
    "        self.path = path",
    "",
    "    def load(self):",
    "        return self.parse(helper(self.path))",
    "",
    "    def parse(self, text):",
    "        return text",
    "",
    "    @staticmethod",
    "    def build(path):",
    "        return Repo(path)",
    "",
  ].join("\n"),
  "app/main.py": [
    "from app.util import helper, Repo",
    "import app.util as u",
    "",
    "def main():",
    "    def inner(y):",
    "        return helper(y)",
    "    repo = Repo.build('x')",
    "    print(inner(3))",
    "    return u.deeper(repo.load())",
    "",
    "def load():",
    "    return 'not the method'",
    "",
  ].join("\n"),
  "other/tools.py": "def helper(x):\n    return x\n",
};

describe("python", () => {
  it("finds the entry by name, by Class.method and by file:name", async () => {
    const dir = project(APP);
    expect((await ids(dir, "main", { depth: 0 }))).toEqual(["app/main.py:main"]);
    expect((await ids(dir, "Repo.load", { depth: 0 }))).toEqual(["app/util.py:Repo.load"]);
    expect((await ids(dir, "app/util.py:helper", { depth: 0 }))).toEqual(["app/util.py:helper"]);
    expect((await ids(dir, "app/util.py:Repo.parse", { depth: 0 }))).toEqual(["app/util.py:Repo.parse"]);
    expect((await ids(dir, "./app/main.py:load", { depth: 0 }))).toEqual(["app/main.py:load"]);
    expect((await ids(dir, `${dir}/app/main.py:main`, { depth: 0 }))).toEqual(["app/main.py:main"]);
    // module.name: a top-level function of file util.py
    expect((await ids(dir, "util.deep", { depth: 0 }))).toEqual(["app/util.py:deep"]);
  });

  it("follows callees to the requested depth, breadth first", async () => {
    const dir = project(APP);
    expect(await ids(dir, "helper", { depth: 0, lang: "python" }).catch((e: Error) => e.message)).toMatch(/ambiguous/);
    expect(await ids(dir, "app/util.py:helper", { depth: 1 })).toEqual(["app/util.py:helper", "app/util.py:deep"]);
    expect(await ids(dir, "app/util.py:helper")).toEqual(["app/util.py:helper", "app/util.py:deep", "app/util.py:deeper"]);
    expect(await ids(dir, "app/util.py:helper", { depth: 5 })).toEqual(["app/util.py:helper", "app/util.py:deep", "app/util.py:deeper"]);
  });

  it("resolves imports, self-calls, static calls and constructors; nested functions stay in their parent", async () => {
    const dir = project(APP);
    const doc = await contextJson(dir, "main", { depth: 1 }, noStore);
    const got = doc.symbols.map((s) => s.id);
    // The imported helper, not other/tools.py's; Repo.build via the class; u.deeper via the module alias;
    // repo.load() on an unknown object: the one method named load (not the top-level load of main.py,
    // which is no method).
    expect(got).toEqual(["app/main.py:main", "app/util.py:helper", "app/util.py:Repo.build", "app/util.py:deeper", "app/util.py:Repo.load"]);
    // inner() is part of main's code, not a symbol of its own; its call to helper counts as main's.
    expect(doc.symbols[0]!.code).toContain("def inner(y):");
    expect(doc.symbols[0]!.calls).toContain("app/util.py:helper");
    const deeper = await contextJson(dir, "Repo.build", { depth: 2 }, noStore);
    // Repo(path) reaches Repo.__init__
    expect(deeper.symbols.map((s) => s.id)).toEqual(["app/util.py:Repo.build", "app/util.py:Repo.__init__"]);
    const load = await contextJson(dir, "Repo.load", { depth: 1 }, noStore);
    expect(load.symbols.map((s) => s.id)).toEqual(["app/util.py:Repo.load", "app/util.py:Repo.parse", "app/util.py:helper"]);
  });

  it("a nested function is an entry of its own, and a class entry carries its methods", async () => {
    const dir = project(APP);
    const inner = await contextJson(dir, "main.inner", { depth: 1 }, noStore);
    expect(inner.symbols.map((s) => s.id)).toEqual(["app/main.py:main.inner", "app/util.py:helper"]);
    expect(inner.symbols[0]).toMatchObject({ kind: "function", signature: "def inner(y)", lines: [5, 6] });
    const repo = await contextJson(dir, "Repo", { depth: 1 }, noStore);
    expect(repo.symbols[0]).toMatchObject({ id: "app/util.py:Repo", kind: "class", signature: "class Repo", lines: [10, 22] });
    // Methods are inside the class's code: not repeated; what they call is followed.
    expect(repo.symbols.map((s) => s.id)).toEqual(["app/util.py:Repo", "app/util.py:helper"]);
  });

  it("keeps decorators and indentation in the code; the signature is the def line", async () => {
    const dir = project(APP);
    const doc = await contextJson(dir, "Repo.build", { depth: 0 }, noStore);
    expect(doc.symbols[0]).toMatchObject({
      kind: "method",
      qualified_name: "Repo.build",
      signature: "def build(path)",
      lines: [20, 22],
      code: "    @staticmethod\n    def build(path):\n        return Repo(path)",
    });
  });

  it("ambiguous entries list the candidates as file:name", async () => {
    const dir = project(APP);
    const err = await rejection(context(dir, "helper", {}, noStore));
    expect(err.code).toBe("EAMBIGUOUS");
    expect(err.message).toContain("app/util.py:helper");
    expect(err.message).toContain("other/tools.py:helper");
    expect(err.data?.["candidates"]).toEqual(["app/util.py:helper", "other/tools.py:helper"]);
    const load = await rejection(context(dir, "load", {}, noStore));
    expect(load.code).toBe("EAMBIGUOUS");
    expect(load.message).toMatch(/app\/main\.py:load.*app\/util\.py:Repo\.load/);
  });

  it("a missing entry names it and its near matches", async () => {
    const dir = project(APP);
    const err = await rejection(context(dir, "heper", {}, noStore));
    expect(err.code).toBe("ENOTFOUND");
    expect(err.message).toContain('"heper"');
    expect(err.message).toContain("app/util.py:helper");
    const none = await rejection(context(dir, "zzzzzz", {}, noStore));
    expect(none.code).toBe("ENOTFOUND");
    expect(none.message).not.toContain("near matches");
    const noFile = await rejection(context(dir, "app/nope.py:main", {}, noStore));
    expect(noFile.code).toBe("ENOTFOUND");
    expect(noFile.message).toContain('"app/nope.py"');
    const wrongFile = await rejection(context(dir, "other/tools.py:main", {}, noStore));
    expect(wrongFile.code).toBe("ENOTFOUND");
    expect(wrongFile.message).toContain('in "other/tools.py"');
  });

  it("relative imports and from-package imports of modules", async () => {
    const dir = project({
      "pkg/__init__.py": "",
      "pkg/a.py": "from .b import work\nfrom . import c\n\ndef run():\n    work()\n    return c.go()\n",
      "pkg/b.py": "def work():\n    return 1\n",
      "pkg/c.py": "def go():\n    return 2\n",
      "pkg/d.py": "def work():\n    return 3\n",
    });
    expect(await ids(dir, "run", { depth: 1 })).toEqual(["pkg/a.py:run", "pkg/b.py:work", "pkg/c.py:go"]);
  });
});
