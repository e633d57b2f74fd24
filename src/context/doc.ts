/**
 * A symbol's documentation, read from the source: a Python docstring (the first statement of
 * the body, when it is a string), or the comment block right above the definition in
 * TypeScript, JavaScript, Go and Rust (`/** ... *\/`, `//`, `///`). The default context shows
 * callees as their signature and the first line of this (the Python CLI's "L1": signatures
 * plus the first docstring line); `--with-docs` shows all of it.
 */
import type { GrammarId } from "./languages.ts";

/** The doc text with comment markers and common indentation removed, or "" if there is none. */
export function docOf(fileText: string, start: number, code: string, grammar: GrammarId): string {
  return grammar === "python" ? pythonDocstring(code) : leadingComment(fileText, start);
}

/** The first non-empty line of a doc ("" for none), cut to `max` characters. */
export function firstDocLine(doc: string, max = 120): string {
  const line = doc.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

const STRING_START = /^([rRuUbBfF]{0,2})("""|'''|"|')/;

/**
 * Finds the end of the `def`/`class` header (the line ending in `:` with brackets balanced),
 * then reads the string that opens the body, if any.
 */
function pythonDocstring(code: string): string {
  const lines = code.split("\n");
  let depth = 0;
  let header = -1;
  let seenKeyword = false;
  for (let i = 0; i < lines.length && header < 0; i++) {
    const line = withoutComment(lines[i]!);
    if (!seenKeyword) {
      if (/^\s*@/.test(line)) continue; // a decorator
      seenKeyword = true;
    }
    for (const ch of line) {
      if (ch === "(" || ch === "[" || ch === "{") depth++;
      else if (ch === ")" || ch === "]" || ch === "}") depth--;
    }
    const colon = line.trimEnd().endsWith(":");
    if (depth <= 0 && colon) header = i;
    else if (depth <= 0 && /:\s*\S/.test(line) && !/\(\s*$/.test(line)) {
      // `def f(): return 1` on one line: the body follows the colon
      const after = line.slice(line.lastIndexOf(":") + 1).trim();
      return stringAt(after, []);
    }
  }
  if (header < 0) return "";
  let i = header + 1;
  while (i < lines.length && lines[i]!.trim() === "") i++;
  if (i >= lines.length) return "";
  return stringAt(lines[i]!.trim(), lines.slice(i + 1));
}

function withoutComment(line: string): string {
  // Good enough for a header: a `#` inside a string default is rare there.
  const hash = line.indexOf("#");
  return hash < 0 ? line : line.slice(0, hash);
}

/** The string literal starting `first` (continuing into `rest` for triple quotes), unquoted. */
function stringAt(first: string, rest: readonly string[]): string {
  const m = STRING_START.exec(first);
  if (!m) return "";
  const quote = m[2]!;
  const body = first.slice(m[0].length);
  const close = body.indexOf(quote);
  if (close >= 0) return dedent(body.slice(0, close));
  if (quote.length === 1) return ""; // an unterminated one-line string: not a docstring
  const parts = [body];
  for (const line of rest) {
    const end = line.indexOf(quote);
    if (end >= 0) {
      parts.push(line.slice(0, end));
      return dedent(parts.join("\n"));
    }
    parts.push(line);
  }
  return "";
}

/** Comment lines directly above `start` (blank lines end the block). */
function leadingComment(text: string, start: number): string {
  const before = text.slice(0, start);
  const lines = before.split("\n");
  lines.pop(); // the part of the definition's own line before `start` (indentation)
  const block: string[] = [];
  let inBlock = false;
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i]!.trim();
    if (inBlock) {
      block.unshift(t);
      if (t.startsWith("/*")) inBlock = false;
      continue;
    }
    if (t.endsWith("*/")) {
      block.unshift(t);
      inBlock = !t.startsWith("/*"); // a one-line /* ... */ is whole
      continue;
    }
    if (t.startsWith("//")) {
      block.unshift(t);
      continue;
    }
    if (t.startsWith("#[") || t.startsWith("@")) continue; // Rust attributes, decorators above the doc
    break;
  }
  const cleaned = block
    .map((l) =>
      l
        .replace(/^\/\*\*?/, "")
        .replace(/\*\/$/, "")
        .replace(/^\/\/[/!]?/, "")
        .replace(/^\*(?!\/)/, ""),
    )
    .map((l) => l.trim());
  return cleaned.join("\n").trim();
}

function dedent(text: string): string {
  const lines = text.split("\n");
  const indents = lines.slice(1).filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return [lines[0]!.trim(), ...lines.slice(1).map((l) => l.slice(cut))].join("\n").trim();
}
