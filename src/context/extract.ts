/**
 * extractTable: one parsed file to its symbol table (definitions with their own calls, and
 * imports). Definitions and calls are collected by node type inside the WASM module
 * (`descendantsOfType`), so JavaScript sees only the nodes that matter, not every token;
 * nesting comes from the ranges.
 */
import type { SyntaxNode, Tree } from "./grammar.ts";
import type { FileTable, ImportRecord, SymbolRecord } from "./symbols.ts";
import type { DefInfo, LanguageSyntax } from "./syntax/common.ts";

/** Bump when the extracted tables change shape or content: cached tables of other versions are ignored. */
export const EXTRACTOR_VERSION = 4;

const MAX_SIGNATURE = 400;

interface Scope {
  info: DefInfo;
  start: number;
  end: number;
  qualified: string;
  /** Index in `symbols` for role "symbol", else -1. */
  symbol: number;
  /** Nearest enclosing symbol index (itself for symbols). */
  nearestSymbol: number;
}

function byPosition(a: SyntaxNode, b: SyntaxNode): number {
  return a.startIndex - b.startIndex || b.endIndex - a.endIndex;
}

export function extractTable(text: string, tree: Tree, syntax: LanguageSyntax): FileTable {
  const root = tree.rootNode;
  const symbols: SymbolRecord[] = [];
  const scopes: Scope[] = [];
  const stack: Scope[] = [];

  const defNodes = root.descendantsOfType(syntax.defTypes).sort(byPosition);
  for (const node of defNodes) {
    const info = syntax.def(node);
    if (!info) continue;
    while (stack.length > 0 && stack[stack.length - 1]!.end <= node.startIndex) stack.pop();
    const parent = stack[stack.length - 1];
    const prefix = parent ? `${parent.qualified}.` : "";
    let qualified = prefix + info.name;
    let kind = info.kind;
    let owner: string | undefined;
    if (info.owner) {
      owner = info.owner;
      qualified = `${owner}.${info.name}`;
    } else if (kind === "function" && parent?.info.classLike) {
      kind = "method";
      owner = parent.qualified;
    }
    const scope: Scope = { info, start: node.startIndex, end: node.endIndex, qualified, symbol: -1, nearestSymbol: parent?.nearestSymbol ?? -1 };
    if (info.role === "symbol") {
      const rec: SymbolRecord = {
        name: info.name,
        qualified,
        kind,
        ...codeRange(text, info.outer),
        signature: signatureOf(text, info),
        parent: parent?.nearestSymbol ?? -1,
        calls: [],
      };
      if (owner !== undefined) rec.owner = owner;
      if (info.selfName !== undefined) rec.selfName = info.selfName;
      scope.symbol = symbols.length;
      scope.nearestSymbol = scope.symbol;
      symbols.push(rec);
    }
    scopes.push(scope);
    stack.push(scope);
  }

  // Calls sharing a start (`a.f().g()`): the inner one first, as they run.
  const calls = root.descendantsOfType(syntax.callTypes).sort((a, b) => a.startIndex - b.startIndex || a.endIndex - b.endIndex);
  assignCalls(calls, scopes, symbols, syntax);

  const imports: ImportRecord[] = [];
  if (syntax.importTypes.length > 0) {
    for (const node of root.descendantsOfType(syntax.importTypes)) imports.push(...syntax.imports(node));
  }
  return { symbols, imports };
}

/** Gives each call to the innermost symbol around it (calls outside every symbol are dropped). */
function assignCalls(calls: SyntaxNode[], scopes: Scope[], symbols: SymbolRecord[], syntax: LanguageSyntax): void {
  const seen = symbols.map(() => new Set<string>());
  const stack: Scope[] = [];
  let next = 0;
  for (const node of calls) {
    const at = node.startIndex;
    while (next < scopes.length && scopes[next]!.start <= at) {
      const s = scopes[next++]!;
      while (stack.length > 0 && stack[stack.length - 1]!.end <= s.start) stack.pop();
      stack.push(s);
    }
    while (stack.length > 0 && stack[stack.length - 1]!.end <= at) stack.pop();
    const owner = stack[stack.length - 1]?.nearestSymbol ?? -1;
    if (owner < 0) continue;
    const site = syntax.call(node);
    if (!site) continue;
    const key = `${site.receiver ?? ""}\u0000${site.name}\u0000${site.isNew ? 1 : 0}`;
    if (seen[owner]!.has(key)) continue;
    seen[owner]!.add(key);
    site.at = at;
    symbols[owner]!.calls.push(site);
  }
}

/** The outer node's range, widened to the start of its first line when only indentation precedes it. */
function codeRange(text: string, outer: SyntaxNode): Pick<SymbolRecord, "start" | "end" | "startLine" | "endLine"> {
  let start = outer.startIndex;
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  if (/^[ \t]*$/.test(text.slice(lineStart, start))) start = lineStart;
  return { start, end: outer.endIndex, startLine: outer.startPosition.row + 1, endLine: outer.endPosition.row + 1 };
}

function signatureOf(text: string, info: DefInfo): string {
  let end = info.sigEnd;
  if (end === null || end < info.sigStart) {
    const nl = text.indexOf("\n", info.sigStart);
    end = nl < 0 ? info.outer.endIndex : Math.min(nl, info.outer.endIndex);
  }
  let sig = text.slice(info.sigStart, end).replace(/\s+/g, " ").trim();
  if (sig.endsWith("{")) sig = sig.slice(0, -1).trimEnd();
  if (sig.length > MAX_SIGNATURE) sig = `${sig.slice(0, MAX_SIGNATURE - 3)}...`;
  return sig;
}
