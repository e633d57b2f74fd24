/**
 * The languages `tldrs context` parses: which files each one claims and which grammar
 * (a tree-sitter .wasm of the `tree-sitter-wasms` package) parses them.
 */
import { argRangeError, argTypeError } from "../errors.ts";

/** A grammar: one .wasm file. TypeScript has two (plain and TSX). */
export type GrammarId = "python" | "typescript" | "tsx" | "javascript" | "go" | "rust";

/** A `--lang` value other than `auto`. TypeScript includes TSX; JavaScript includes JSX. */
export type LanguageId = "python" | "typescript" | "javascript" | "go" | "rust";

export const LANGUAGES: readonly LanguageId[] = ["python", "typescript", "javascript", "go", "rust"];

/** Extension (lowercase, with the dot) to grammar. `.d.ts` files are declarations: never walked. */
const EXTENSIONS: Readonly<Record<string, GrammarId>> = {
  ".py": "python",
  ".pyi": "python",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".js": "javascript",
  ".jsx": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".go": "go",
  ".rs": "rust",
};

/** The language a grammar belongs to (what `--lang` filters on). */
export function languageOf(grammar: GrammarId): LanguageId {
  return grammar === "tsx" ? "typescript" : grammar;
}

/** Code fence tag for a grammar. */
export function fenceTag(grammar: GrammarId): string {
  return grammar === "tsx" ? "tsx" : grammar;
}

/** The grammar that parses `fileName`, or undefined for files we do not read. */
export function grammarForFile(fileName: string): GrammarId | undefined {
  const lower = fileName.toLowerCase();
  if (/\.d\.[mc]?ts$/.test(lower) || lower.endsWith(".min.js")) return undefined;
  const dot = lower.lastIndexOf(".");
  return dot < 0 ? undefined : EXTENSIONS[lower.slice(dot)];
}

/** Checks a `--lang` value: `auto` (every language) or one of LANGUAGES. */
export function checkLang(value: unknown): LanguageId | "auto" {
  if (value === undefined || value === null) return "auto";
  if (typeof value !== "string") throw argTypeError("lang", "a string", value);
  const v = value.toLowerCase();
  if (v === "auto") return "auto";
  if (v === "ts" || v === "tsx") return "typescript";
  if (v === "js" || v === "jsx") return "javascript";
  if (v === "py") return "python";
  if ((LANGUAGES as readonly string[]).includes(v)) return v as LanguageId;
  throw argRangeError("lang", `auto or one of ${LANGUAGES.join(", ")}`, value);
}
