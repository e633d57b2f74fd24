/**
 * What every language's syntax module answers (syntax.ts picks one by grammar), and the small
 * helpers they share. Node and field names are those of the grammars shipped in
 * tree-sitter-wasms 0.1.13 (tree-sitter-python 0.21, -javascript 0.20, -typescript 0.20,
 * -go 0.20, -rust 0.20).
 */
import type { SyntaxNode } from "../grammar.ts";
import type { CallSite, ImportRecord, SymbolKind } from "../symbols.ts";

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

export function field(node: SyntaxNode, name: string): SyntaxNode | null {
  return node.childForFieldName(name);
}

/** A receiver as a dotted name (`a`, `self.repo`, `pkg.sub`), or `?` for any other expression. */
export function dotted(node: SyntaxNode | null, selfTypes: readonly string[] = []): string {
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

export function unquote(text: string): string {
  return text.replace(/^["'`]|["'`]$/g, "");
}
