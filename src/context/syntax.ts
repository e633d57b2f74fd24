/**
 * Per-language knowledge of the tree-sitter grammars: which nodes define something, which
 * are calls, which are imports. Node and field names are those of the grammars shipped in
 * tree-sitter-wasms 0.1.13 (tree-sitter-python 0.21, -javascript 0.20, -typescript 0.20,
 * -go 0.20, -rust 0.20).
 */
import type { SyntaxNode } from "./grammar.ts";
import type { GrammarId } from "./languages.ts";
import type { CallSite, ImportRecord, SymbolKind } from "./symbols.ts";

export interface DefInfo {
  /** `symbol`: a definition with code; `scope`: only names what is nested in it (impl, mod, object literal). */
  role: "symbol" | "scope";
  name: string;
  kind: SymbolKind;
  /** Functions directly inside become its methods. */
  classLike: boolean;
  /** The node whose range is the code (decorators, `export`, `const x =` included). */
  outer: SyntaxNode;
  /** Where the signature starts and ends (the body's start); null end: the first line. */
  sigStart: number;
  sigEnd: number | null;
  /** Go methods: the receiver's type and variable. */
  owner?: string;
  selfName?: string;
}

export interface LanguageSyntax {
  defTypes: string[];
  callTypes: string[];
  importTypes: string[];
  /** Receivers that mean "the current object". */
  selfNames: readonly string[];
  def(node: SyntaxNode): DefInfo | null;
  call(node: SyntaxNode): CallSite | null;
  imports(node: SyntaxNode): ImportRecord[];
}

function field(node: SyntaxNode, name: string): SyntaxNode | null {
  return node.childForFieldName(name);
}

/** A receiver as a dotted name (`a`, `self.repo`, `pkg.sub`), or `?` for any other expression. */
function dotted(node: SyntaxNode | null, selfTypes: readonly string[] = []): string {
  if (!node) return "?";
  if (node.type === "identifier" || selfTypes.includes(node.type)) return node.text;
  if (node.type === "attribute" || node.type === "member_expression") {
    const obj = field(node, "object");
    const prop = field(node, node.type === "attribute" ? "attribute" : "property");
    const left = dotted(obj, selfTypes);
    return left === "?" || !prop ? "?" : `${left}.${prop.text}`;
  }
  return "?";
}

function unquote(text: string): string {
  return text.replace(/^["'`]|["'`]$/g, "");
}

// ---------------------------------------------------------------- Python

const python: LanguageSyntax = {
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

// ---------------------------------------------------------------- JavaScript, TypeScript, TSX

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

const javascript: LanguageSyntax = {
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

// ---------------------------------------------------------------- Go

/** `*T`, `T[K]`, `pkg.T` -> `T`. */
function goTypeName(node: SyntaxNode | null): string | undefined {
  if (!node) return undefined;
  const m = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[.*\])?$/s.exec(node.text.replace(/^\*+/, ""));
  return m?.[1];
}

const go: LanguageSyntax = {
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

// ---------------------------------------------------------------- Rust

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

const rust: LanguageSyntax = {
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

const SYNTAX: Readonly<Record<GrammarId, LanguageSyntax>> = {
  python,
  javascript,
  typescript: javascript,
  tsx: javascript,
  go,
  rust,
};

export function syntaxFor(grammar: GrammarId): LanguageSyntax {
  return SYNTAX[grammar];
}
