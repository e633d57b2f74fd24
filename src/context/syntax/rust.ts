/** Rust: which nodes define something, which are calls, which are imports. */
import type { SyntaxNode } from "../grammar.ts";
import type { CallSite } from "../symbols.ts";
import { field, type LanguageSyntax } from "./common.ts";

/** `Foo<T>`, `crate::x::Foo` -> `Foo`. */
function rustTypeName(node: SyntaxNode | null): string | undefined {
  if (!node) return undefined;
  const m = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:<.*>)?$/s.exec(node.text);
  return m?.[1];
}

function rustCall(fn: SyntaxNode | null): CallSite | null {
  if (!fn) return null;
  switch (fn.type) {
    case "identifier":
      return { name: fn.text };
    case "scoped_identifier": {
      const name = field(fn, "name");
      const path = field(fn, "path");
      if (!name) return null;
      const receiver = path ? (rustTypeName(path) ?? "?") : "?";
      return { name: name.text, receiver };
    }
    case "field_expression": {
      const f = field(fn, "field");
      const value = field(fn, "value");
      if (!f) return null;
      return { name: f.text, receiver: value?.type === "self" || value?.type === "identifier" ? value.text : "?" };
    }
    case "generic_function":
      return rustCall(field(fn, "function"));
    default:
      return null;
  }
}

export const rust: LanguageSyntax = {
  defTypes: ["function_item", "impl_item", "trait_item", "struct_item", "enum_item", "union_item", "mod_item"],
  callTypes: ["call_expression"],
  importTypes: [],
  selfNames: ["self", "Self"],
  def(node) {
    const body = field(node, "body");
    if (node.type === "impl_item") {
      const name = rustTypeName(field(node, "type"));
      if (!name) return null;
      return { role: "scope", name, kind: "class", classLike: true, outer: node, sigStart: node.startIndex, sigEnd: body ? body.startIndex : null };
    }
    const name = field(node, "name");
    if (!name) return null;
    if (node.type === "mod_item") {
      if (!body) return null;
      return { role: "scope", name: name.text, kind: "class", classLike: false, outer: node, sigStart: node.startIndex, sigEnd: body.startIndex };
    }
    const isFn = node.type === "function_item";
    return {
      role: "symbol",
      name: name.text,
      kind: isFn ? "function" : "class",
      classLike: node.type === "trait_item",
      outer: node,
      sigStart: node.startIndex,
      sigEnd: body ? body.startIndex : null,
    };
  },
  call(node) {
    return rustCall(field(node, "function"));
  },
  imports() {
    return [];
  },
};
