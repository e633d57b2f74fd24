/** JavaScript, TypeScript and TSX (one grammar family): which nodes define something, which are calls, which are imports. */
import type { SyntaxNode } from "../grammar.ts";
import type { CallSite, ImportRecord } from "../symbols.ts";
import { field, dotted, unquote, type LanguageSyntax, type DefInfo } from "./common.ts";

const FUNCTION_VALUES = new Set(["arrow_function", "function_expression", "function", "generator_function"]);

function exportWrapped(node: SyntaxNode): SyntaxNode {
  return node.parent?.type === "export_statement" ? node.parent : node;
}

function jsDef(node: SyntaxNode): DefInfo | null {
  switch (node.type) {
    case "function_declaration":
    case "generator_function_declaration":
    case "class_declaration":
    case "abstract_class_declaration": {
      const name = field(node, "name");
      if (!name) return null;
      const body = field(node, "body");
      const isClass = node.type.includes("class");
      return {
        role: "symbol",
        name: name.text,
        kind: isClass ? "class" : "function",
        classLike: isClass,
        outer: exportWrapped(node),
        sigStart: node.startIndex,
        sigEnd: body ? body.startIndex : null,
      };
    }
    case "method_definition": {
      const name = field(node, "name");
      const body = field(node, "body");
      if (!name || !body) return null;
      return { role: "symbol", name: name.text, kind: "function", classLike: false, outer: node, sigStart: node.startIndex, sigEnd: body.startIndex };
    }
    case "field_definition":
    case "public_field_definition": {
      const name = field(node, "name") ?? field(node, "property");
      const value = field(node, "value");
      if (!name || !value || !FUNCTION_VALUES.has(value.type)) return null;
      const body = field(value, "body");
      return { role: "symbol", name: name.text, kind: "function", classLike: false, outer: node, sigStart: node.startIndex, sigEnd: body ? body.startIndex : null };
    }
    case "pair": {
      const key = field(node, "key");
      const value = field(node, "value");
      if (!key || !value || !FUNCTION_VALUES.has(value.type)) return null;
      if (key.type !== "property_identifier" && key.type !== "string") return null;
      const body = field(value, "body");
      return { role: "symbol", name: unquote(key.text), kind: "function", classLike: false, outer: node, sigStart: node.startIndex, sigEnd: body ? body.startIndex : null };
    }
    case "variable_declarator": {
      const name = field(node, "name");
      const value = field(node, "value");
      if (!name || name.type !== "identifier" || !value) return null;
      const decl = node.parent;
      const single = decl && (decl.type === "lexical_declaration" || decl.type === "variable_declaration") && decl.namedChildren.filter((c) => c.type === "variable_declarator").length === 1;
      const outer = single ? exportWrapped(decl) : node;
      const sigStart = single ? decl.startIndex : node.startIndex;
      if (FUNCTION_VALUES.has(value.type)) {
        const body = field(value, "body");
        return { role: "symbol", name: name.text, kind: "function", classLike: false, outer, sigStart, sigEnd: body ? body.startIndex : null };
      }
      if (value.type === "class") {
        const body = field(value, "body");
        return { role: "symbol", name: name.text, kind: "class", classLike: true, outer, sigStart, sigEnd: body ? body.startIndex : null };
      }
      if (value.type === "object") {
        return { role: "scope", name: name.text, kind: "class", classLike: true, outer, sigStart, sigEnd: value.startIndex };
      }
      return null;
    }
    case "assignment_expression": {
      // CommonJS and prototype style: `exports.f = function`, `Foo.prototype.m = function`, `Foo.s = () => {}`.
      const left = field(node, "left");
      const right = field(node, "right");
      if (!left || !right || !FUNCTION_VALUES.has(right.type)) return null;
      const body = field(right, "body");
      const outer = node.parent?.type === "expression_statement" ? node.parent : node;
      const base = { role: "symbol" as const, kind: "function" as const, classLike: false, outer, sigStart: node.startIndex, sigEnd: body ? body.startIndex : null };
      if (left.type === "identifier") return { ...base, name: left.text };
      if (left.type !== "member_expression") return null;
      const prop = field(left, "property");
      const object = dotted(field(left, "object"), ["this"]);
      if (!prop || object === "?" || object === "this") return null;
      if (object === "exports" || object === "module.exports") return { ...base, name: prop.text };
      const owner = object.endsWith(".prototype") ? object.slice(0, -".prototype".length) : object;
      return { ...base, name: prop.text, kind: "method", owner };
    }
    case "internal_module":
    case "module": {
      const name = field(node, "name");
      if (!name || name.type === "string") return null;
      return { role: "scope", name: name.text, kind: "class", classLike: false, outer: node, sigStart: node.startIndex, sigEnd: null };
    }
    default:
      return null;
  }
}

function jsCall(node: SyntaxNode): CallSite | null {
  const isNew = node.type === "new_expression";
  const fn = field(node, isNew ? "constructor" : "function");
  if (!fn) return null;
  const site = (c: CallSite): CallSite => (isNew ? { ...c, isNew: true } : c);
  if (fn.type === "identifier") return site({ name: fn.text });
  if (fn.type === "member_expression") {
    const prop = field(fn, "property");
    if (!prop) return null;
    return site({ name: prop.text, receiver: dotted(field(fn, "object"), ["this", "super"]) });
  }
  return null;
}

function jsImports(node: SyntaxNode): ImportRecord[] {
  const out: ImportRecord[] = [];
  if (node.type === "import_statement") {
    const source = field(node, "source");
    if (!source) return out;
    const module = unquote(source.text);
    const clause = node.namedChildren.find((c) => c.type === "import_clause");
    for (const part of clause?.namedChildren ?? []) {
      if (part.type === "identifier") out.push({ local: part.text, module, imported: "default" });
      else if (part.type === "namespace_import") {
        const id = part.namedChildren.find((c) => c.type === "identifier");
        if (id) out.push({ local: id.text, module });
      } else if (part.type === "named_imports") {
        for (const spec of part.namedChildren) {
          if (spec.type !== "import_specifier") continue;
          const name = field(spec, "name");
          const alias = field(spec, "alias");
          if (name) out.push({ local: (alias ?? name).text, module, imported: unquote(name.text) });
        }
      }
    }
    return out;
  }
  // const x = require("m"), const { a, b: c } = require("m")
  const value = field(node, "value");
  if (value?.type !== "call_expression" || field(value, "function")?.text !== "require") return out;
  const arg = field(value, "arguments")?.namedChildren[0];
  if (!arg || arg.type !== "string") return out;
  const module = unquote(arg.text);
  const name = field(node, "name");
  if (!name) return out;
  if (name.type === "identifier") out.push({ local: name.text, module });
  else if (name.type === "object_pattern") {
    for (const p of name.namedChildren) {
      if (p.type === "shorthand_property_identifier_pattern") out.push({ local: p.text, module, imported: p.text });
      else if (p.type === "pair_pattern") {
        const key = field(p, "key");
        const val = field(p, "value");
        if (key && val?.type === "identifier") out.push({ local: val.text, module, imported: key.text });
      }
    }
  }
  return out;
}

export const javascript: LanguageSyntax = {
  defTypes: [
    "function_declaration",
    "generator_function_declaration",
    "class_declaration",
    "abstract_class_declaration",
    "method_definition",
    "field_definition",
    "public_field_definition",
    "pair",
    "variable_declarator",
    "assignment_expression",
    "internal_module",
    "module",
  ],
  callTypes: ["call_expression", "new_expression"],
  importTypes: ["import_statement", "variable_declarator"],
  selfNames: ["this"],
  def: jsDef,
  call: jsCall,
  imports: jsImports,
};
