/**
 * Per-language knowledge of the tree-sitter grammars, one file a language under syntax/
 * (python.ts, javascript.ts for JavaScript, TypeScript and TSX, go.ts, rust.ts); what each
 * answers is syntax/common.ts's LanguageSyntax.
 */
import type { GrammarId } from "./languages.ts";
import type { LanguageSyntax } from "./syntax/common.ts";
import { go } from "./syntax/go.ts";
import { javascript } from "./syntax/javascript.ts";
import { python } from "./syntax/python.ts";
import { rust } from "./syntax/rust.ts";

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
