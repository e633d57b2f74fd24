/**
 * The part of gitignore(5) that decides which files `tldrs context` reads
 * (https://git-scm.com/docs/gitignore#_pattern_format):
 *
 * - blank lines and `#` comments are skipped; `\#` and `\!` escape a leading character;
 *   unescaped trailing spaces are dropped
 * - `!` negates: a later match re-includes (but never below an excluded folder, because
 *   the walk does not enter it, as in git)
 * - a trailing `/` matches folders only
 * - a `/` at the start or in the middle anchors the pattern to the .gitignore's folder;
 *   otherwise it matches a name at any depth
 * - `*` and `?` never match `/`; `[...]` is a character class (`[!...]` negated);
 *   `**` as a whole segment matches any number of folders
 *
 * Not supported: `core.excludesFile` and the global ignore file (outside the project).
 */

export interface IgnoreRule {
  /** Folder of the .gitignore, relative to the project, "" for the root. */
  base: string;
  negate: boolean;
  dirOnly: boolean;
  regex: RegExp;
  /** The pattern as written (for messages and tests). */
  pattern: string;
}

/** Parses the text of a .gitignore that lives in folder `base` (relative, POSIX, "" for the root). */
export function parseGitignore(text: string, base: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const rule = compileRule(raw, base);
    if (rule) rules.push(rule);
  }
  return rules;
}

export function compileRule(raw: string, base: string): IgnoreRule | null {
  let line = trimTrailingSpaces(raw);
  if (line === "" || line.startsWith("#")) return null;
  let negate = false;
  if (line.startsWith("!")) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith("/") && !line.endsWith("\\/")) {
    dirOnly = true;
    line = line.replace(/\/+$/, "");
  }
  if (line === "") return null;
  const anchored = line.includes("/");
  if (line.startsWith("/")) line = line.slice(1);
  const body = globToRegex(line);
  const source = anchored ? `^${body}$` : `^(?:.*/)?${body}$`;
  return { base, negate, dirOnly, regex: new RegExp(source), pattern: raw.trim() };
}

function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === " " || line[end - 1] === "\t" || line[end - 1] === "\r")) {
    if (line[end - 2] === "\\") break;
    end--;
  }
  return line.slice(0, end);
}

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** Translates one glob (no leading `/`, no trailing `/`) into a regex body over a relative path. */
export function globToRegex(glob: string): string {
  let out = "";
  let i = 0;
  const n = glob.length;
  while (i < n) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atStart = i === 0 || glob[i - 1] === "/";
        const atEnd = i + 2 === n || glob[i + 2] === "/";
        if (atStart && atEnd) {
          if (i + 2 === n) {
            // "x/**": everything inside; "**" alone: everything.
            out += ".*";
            i += 2;
          } else {
            // "**/": zero or more folders.
            out += "(?:.*/)?";
            i += 3;
          }
          continue;
        }
        // "a**b" is two stars: like "*".
        out += "[^/]*";
        i += 2;
        continue;
      }
      out += "[^/]*";
      i++;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const close = findClassEnd(glob, i);
      if (close < 0) {
        out += "\\[";
        i++;
        continue;
      }
      let cls = glob.slice(i + 1, close);
      let neg = false;
      if (cls.startsWith("!") || cls.startsWith("^")) {
        neg = true;
        cls = cls.slice(1);
      }
      const inner = cls.replace(/\\(.)/g, "$1").replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += neg ? `[^/${inner}]` : `[${inner}]`;
      i = close + 1;
    } else if (c === "\\" && i + 1 < n) {
      out += escapeRegex(glob[i + 1]!);
      i += 2;
    } else {
      out += escapeRegex(c);
      i++;
    }
  }
  return out;
}

function findClassEnd(glob: string, open: number): number {
  let j = open + 1;
  if (glob[j] === "!" || glob[j] === "^") j++;
  if (glob[j] === "]") j++;
  for (; j < glob.length; j++) {
    if (glob[j] === "\\") j++;
    else if (glob[j] === "]") return j;
  }
  return -1;
}

/**
 * Whether `rel` (relative to the project, POSIX) is ignored by `rules`, given in order of
 * precedence low to high: the root's .gitignore first, then deeper ones; the last match wins.
 */
export function isIgnored(rules: readonly IgnoreRule[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    let sub: string;
    if (rule.base === "") sub = rel;
    else if (rel.startsWith(rule.base + "/")) sub = rel.slice(rule.base.length + 1);
    else continue;
    if (rule.regex.test(sub)) ignored = !rule.negate;
  }
  return ignored;
}
