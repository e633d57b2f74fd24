/** Go: which nodes define something, which are calls, which are imports. */
import type { SyntaxNode } from "../grammar.ts";
import { field, unquote, type LanguageSyntax, type DefInfo } from "./common.ts";

/** `*T`, `T[K]`, `pkg.T` -> `T`. */
function goTypeName(node: SyntaxNode | null): string | undefined {
  if (!node) return undefined;
  const m = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[.*\])?$/s.exec(node.text.replace(/^\*+/, ""));
  return m?.[1];
}

export const go: LanguageSyntax = {
  defTypes: ["function_declaration", "method_declaration", "type_spec"],
  callTypes: ["call_expression"],
  importTypes: ["import_spec"],
  selfNames: [],
  def(node) {
    const name = field(node, "name");
    if (!name) return null;
    if (node.type === "type_spec") {
      const decl = node.parent;
      const single = decl?.type === "type_declaration" && decl.namedChildren.length === 1;
      const outer = single ? decl : node;
      const brace = node.text.indexOf("{");
      return { role: "symbol", name: name.text, kind: "class", classLike: false, outer, sigStart: outer.startIndex, sigEnd: brace >= 0 ? node.startIndex + brace : null };
    }
    const body = field(node, "body");
    const info: DefInfo = { role: "symbol", name: name.text, kind: "function", classLike: false, outer: node, sigStart: node.startIndex, sigEnd: body ? body.startIndex : null };
    if (node.type === "method_declaration") {
      const param = field(node, "receiver")?.namedChildren.find((c) => c.type === "parameter_declaration");
      const owner = goTypeName(param ? field(param, "type") : null);
      if (owner) {
        info.kind = "method";
        info.owner = owner;
        const selfName = param ? field(param, "name") : null;
        if (selfName) info.selfName = selfName.text;
      }
    }
    return info;
  },
  call(node) {
    const fn = field(node, "function");
    if (!fn) return null;
    if (fn.type === "identifier") return { name: fn.text };
    if (fn.type === "selector_expression") {
      const f = field(fn, "field");
      const operand = field(fn, "operand");
      if (!f) return null;
      return { name: f.text, receiver: operand?.type === "identifier" ? operand.text : "?" };
    }
    return null;
  },
  imports(node) {
    const path = field(node, "path");
    if (!path) return [];
    const module = unquote(path.text);
    const name = field(node, "name");
    const local = name ? name.text : module.slice(module.lastIndexOf("/") + 1);
    if (local === "_" || local === ".") return [];
    return [{ local, module }];
  },
};
