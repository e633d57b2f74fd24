/**
 * What the extractor finds in one file: its definitions, the calls each one makes and the
 * file's imports. Plain data (JSON round-trips), so tables can be cached by content hash.
 */

export type SymbolKind = "function" | "method" | "class";

/** A call as written: `name(...)`, `receiver.name(...)`, `new name(...)`. */
export interface CallSite {
  name: string;
  /**
   * What the call is made on, when it is a plain (dotted) name: `self`, `this`, `obj`,
   * `pkg.sub`, `Type` (Rust `Type::f`); `?` for any other expression; absent for a bare call.
   */
  receiver?: string;
  /** `new X()`: the call constructs X. */
  isNew?: boolean;
  /** UTF-16 offset of its first occurrence in the file (orders calls across nested symbols). */
  at?: number;
}

export interface SymbolRecord {
  /** The defined name: `method`, `helper`. */
  name: string;
  /** Dotted path of enclosing definitions: `Class.method`, `outer.inner`. */
  qualified: string;
  kind: SymbolKind;
  /** UTF-16 offsets of the code in the file's text (decorators and `export` included). */
  start: number;
  end: number;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The definition's head on one line: `def f(a, b) -> int`, `export function f(a: T): U`. */
  signature: string;
  /** Index of the innermost enclosing symbol of the same file, or -1. */
  parent: number;
  /** Methods: the qualified name of their class (Rust impl type, Go receiver type). */
  owner?: string;
  /** Go methods: the receiver variable, whose calls are calls on `owner`. */
  selfName?: string;
  /** Calls made in this symbol's own body (not in nested symbols), first occurrence order, no repeats. */
  calls: CallSite[];
}

/** `import x` / `from m import x as y` / `import { x as y } from "m"` / `const y = require("m")`. */
export interface ImportRecord {
  /** The name bound in this file. */
  local: string;
  /** The module as written (`pkg.mod`, `.sibling`, `./file.js`, `github.com/a/b`). */
  module: string;
  /** The name imported from the module; absent when `local` is the module itself. */
  imported?: string;
}

export interface FileTable {
  symbols: SymbolRecord[];
  imports: ImportRecord[];
}
