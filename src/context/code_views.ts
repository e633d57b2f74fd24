/**
 * Reduced forms of a symbol's code, by lines (no second parse: the code is already in hand
 * and these are views for reading, never for re-parsing):
 *
 *   sketch          `--zoom L2`: only the lines of the body that open control flow
 *                   or a nested definition, each cut to SKETCH_LINE_CHARS (the Python CLI's
 *                   "body sketch", with the condition kept: `if not ref:` reads better than `if`)
 *   stripComments   `--strip-comments`: whole-line comments dropped (those with TODO, FIXME,
 *                   XXX or HACK kept), and a Python docstring cut to its first line
 */
import type { GrammarId } from "./languages.ts";

export const SKETCH_LINE_CHARS = 100;

const CONTROL: Readonly<Record<"python" | "c-like" | "go" | "rust", RegExp>> = {
  python: /^(if|elif|else|for|while|try|except|finally|with|match|case|return|yield|raise|async\s+(def|for|with)|def|class)\b/,
  "c-like": /^(if|else|for|while|do|try|catch|finally|switch|case|default|return|throw|yield|function|class|async\s+function)\b|^}\s*(else|catch|finally)\b/,
  go: /^(if|else|for|switch|select|case|default|return|go|defer|func|panic)\b|^}\s*else\b/,
  rust: /^(if|else|for|while|loop|match|return|fn|impl|unsafe|async\s+fn|pub(\([^)]*\))?\s+fn)\b|^}\s*else\b/,
};

function family(grammar: GrammarId): keyof typeof CONTROL {
  if (grammar === "python" || grammar === "go" || grammar === "rust") return grammar;
  return "c-like";
}

/** The lines of `code` after its first that open control flow or a definition ("" if none). */
export function sketchOf(code: string, grammar: GrammarId): string {
  const lines = code.split("\n");
  const keep = CONTROL[family(grammar)];
  const out: string[] = [];
  for (const line of lines.slice(1)) {
    const t = line.trim();
    if (!keep.test(t)) continue;
    const indent = /^[ \t]*/.exec(line)![0];
    out.push(indent + (t.length > SKETCH_LINE_CHARS ? `${t.slice(0, SKETCH_LINE_CHARS - 3)}...` : t));
  }
  return out.join("\n");
}

const MARKER = /\b(TODO|FIXME|XXX|HACK)\b/;

/** `code` without whole-line comments (markers kept) and with Python docstrings cut to one line. */
export function stripComments(code: string, grammar: GrammarId): string {
  const lines = code.split("\n");
  const out: string[] = [];
  const python = grammar === "python";
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (inBlock) {
      if (t.includes("*/")) inBlock = false;
      if (MARKER.test(t)) out.push(line);
      continue;
    }
    if (python) {
      if (t.startsWith("#") && !MARKER.test(t)) continue;
      const doc = /^([rRuU]?)("""|''')/.exec(t);
      if (doc && i > 0 && lines[i - 1]!.trimEnd().endsWith(":") && !t.slice(doc[0].length).includes(doc[2]!)) {
        // A docstring over several lines: keep its first line, closed.
        const indent = /^[ \t]*/.exec(line)![0];
        const first = t.slice(doc[0].length).trim() || (lines[i + 1] ?? "").trim();
        let j = i + 1;
        while (j < lines.length && !lines[j]!.includes(doc[2]!)) j++;
        out.push(`${indent}${doc[1]}${doc[2]}${first.replace(doc[2]!, "")}${doc[2]}`);
        i = j;
        continue;
      }
      out.push(line);
      continue;
    }
    if (t.startsWith("//") && !MARKER.test(t)) continue;
    if (t.startsWith("/*")) {
      if (!t.includes("*/")) inBlock = true;
      if (MARKER.test(t)) out.push(line);
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}
