/** Python: which nodes define something, which are calls, which are imports. */
import type { ImportRecord } from "../symbols.ts";
import { field, dotted, type LanguageSyntax } from "./common.ts";

export const python: LanguageSyntax = {
  defTypes: ["function_definition", "class_definition"],
  callTypes: ["call"],
  importTypes: ["import_statement", "import_from_statement"],
  selfNames: ["self", "cls"],
  def(node) {
    const name = field(node, "name");
    if (!name) return null;
    const outer = node.parent?.type === "decorated_definition" ? node.parent : node;
    const isClass = node.type === "class_definition";
    // The header ends with the parameters / return type / bases: the body node starts
    // after any comment that follows the colon, which is no part of the signature.
    const last = isClass ? (field(node, "superclasses") ?? name) : (field(node, "return_type") ?? field(node, "parameters") ?? name);
    return {
      role: "symbol",
      name: name.text,
      kind: isClass ? "class" : "function",
      classLike: isClass,
      outer,
      sigStart: node.startIndex,
      sigEnd: last.endIndex,
    };
  },
  call(node) {
    const fn = field(node, "function");
    if (!fn) return null;
    if (fn.type === "identifier") return { name: fn.text };
    if (fn.type === "attribute") {
      const attr = field(fn, "attribute");
      const obj = field(fn, "object");
      if (!attr) return null;
      if (obj?.type === "call" && field(obj, "function")?.text === "super") return { name: attr.text, receiver: "super" };
      return { name: attr.text, receiver: dotted(obj) };
    }
    return null;
  },
  imports(node) {
    const out: ImportRecord[] = [];
    if (node.type === "import_statement") {
      for (const n of node.childrenForFieldName("name")) {
        if (n.type === "dotted_name") {
          const first = n.namedChildren[0]?.text ?? n.text;
          out.push({ local: first, module: first });
          if (n.text !== first) out.push({ local: n.text, module: n.text });
        } else if (n.type === "aliased_import") {
          const mod = field(n, "name");
          const alias = field(n, "alias");
          if (mod && alias) out.push({ local: alias.text, module: mod.text });
        }
      }
      return out;
    }
    const moduleNode = field(node, "module_name");
    if (!moduleNode) return out;
    const module = moduleNode.text;
    for (const child of node.namedChildren) {
      if (child.type === "wildcard_import") out.push({ local: "*", module });
    }
    for (const n of node.childrenForFieldName("name")) {
      if (n.type === "dotted_name") out.push({ local: n.text, module, imported: n.text });
      else if (n.type === "aliased_import") {
        const name = field(n, "name");
        const alias = field(n, "alias");
        if (name && alias) out.push({ local: alias.text, module, imported: name.text });
      }
    }
    return out;
  },
};
