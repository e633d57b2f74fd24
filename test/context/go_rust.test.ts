import { describe, expect, it } from "vitest";
import { contextJson, ids, noStore, project } from "./helpers.ts";

describe("go", () => {
  const GO = {
    "go.mod": "module example.com/app\n",
    "main.go": [
      "package main",
      "",
      'import "example.com/app/util"',
      "",
      "type Server struct { port int }",
      "",
      "func (s *Server) Start() int {",
      "\treturn s.listen() + util.Double(s.port)",
      "}",
      "",
      "func (s *Server) listen() int { return helper() }",
      "",
      "func helper() int { return 1 }",
      "",
    ].join("\n"),
    "util/util.go": "package util\n\nfunc Double(x int) int { return x * 2 }\n",
  };

  it("methods by receiver type, calls on the receiver variable and on imported packages", async () => {
    const dir = project(GO);
    const doc = await contextJson(dir, "Server.Start", {}, noStore);
    expect(doc.symbols.map((s) => [s.id, s.depth])).toEqual([
      ["main.go:Server.Start", 0],
      ["main.go:Server.listen", 1],
      ["util/util.go:Double", 1],
      ["main.go:helper", 2],
    ]);
    expect(doc.symbols[0]).toMatchObject({ kind: "method", signature: "func (s *Server) Start() int", language: "go" });
    expect(await ids(dir, "Server", { depth: 0 })).toEqual(["main.go:Server"]);
  });
});

describe("rust", () => {
  const RS = {
    "src/lib.rs": [
      "pub struct Stack { items: Vec<i32> }",
      "",
      "impl Stack {",
      "    pub fn new() -> Self { Stack { items: Vec::new() } }",
      "    pub fn push(&mut self, x: i32) { self.items.push(check(x)); }",
      "    pub fn fill(&mut self) { self.push(1); }",
      "}",
      "",
      "fn check(x: i32) -> i32 { x }",
      "",
      "pub fn run() -> Stack {",
      "    let mut s = Stack::new();",
      "    s.fill();",
      "    s",
      "}",
      "",
    ].join("\n"),
  };

  it("impl methods, Type::f() and self.f()", async () => {
    const dir = project(RS);
    const doc = await contextJson(dir, "run", { depth: 3 }, noStore);
    expect(doc.symbols.map((s) => [s.id, s.depth])).toEqual([
      ["src/lib.rs:run", 0],
      ["src/lib.rs:Stack.new", 1],
      ["src/lib.rs:Stack.fill", 1],
      ["src/lib.rs:Stack.push", 2],
      ["src/lib.rs:check", 3],
    ]);
    expect(doc.symbols[2]).toMatchObject({ kind: "method", signature: "pub fn fill(&mut self)", language: "rust" });
  });
});
