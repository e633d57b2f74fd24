/**
 * findEntry: the one symbol an ENTRY names.
 *
 *   name                  a function, method or class of that name anywhere
 *   Class.method          a qualified name (or its tail: `Inner.m` finds `Outer.Inner.m`);
 *                         also `module.name` (a top-level name in file `module.*`)
 *   path/to/file.py:name  `name` (qualified or not) in that file; the path is relative
 *                         to the project (an absolute path inside it works too)
 *
 * Rust-style `Type::method` is read as `Type.method`. No match: ENOTFOUND naming the entry
 * and near matches. More than one: EAMBIGUOUS listing the candidates as `file:name`.
 */
import { TldrsError } from "../errors.ts";
import type { IndexedFile, ProjectIndex, Sym } from "./project_index.ts";

export interface ParsedEntry {
  file?: string;
  name: string;
}

const MAX_NEAR = 5;
const MAX_LISTED = 20;

export function parseEntry(entry: string): ParsedEntry {
  const text = entry.trim().replace(/::/g, ".");
  const colon = text.lastIndexOf(":");
  if (colon > 0 && colon < text.length - 1) {
    return { file: text.slice(0, colon), name: text.slice(colon + 1) };
  }
  return { name: text };
}

/** The project-relative POSIX form of a path given by the user, or undefined if outside. */
export function relativeToProject(root: string, path: string): string | undefined {
  let p = path.replace(/\\/g, "/");
  const r = root.replace(/\\/g, "/").replace(/\/+$/, "");
  if (p === r) return "";
  if (p.startsWith(`${r}/`)) p = p.slice(r.length + 1);
  else if (p.startsWith("/") || /^[A-Za-z]:\//.test(p)) return undefined;
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

export function findEntry(index: ProjectIndex, entry: string): Sym {
  const parsed = parseEntry(entry);
  if (parsed.name === "") throw new TldrsError("ENOTFOUND", `Cannot find entry "${entry}": it names no symbol`);
  let candidates: Sym[];
  if (parsed.file !== undefined) {
    const rel = relativeToProject(index.root, parsed.file);
    const file = rel === undefined ? undefined : index.byRel.get(rel);
    if (!file) {
      throw new TldrsError(
        "ENOTFOUND",
        `Cannot find entry "${entry}": no source file "${parsed.file}" in project "${index.root}" (it may be missing, ignored, or in a language tldrs does not parse)`,
        { path: parsed.file },
      );
    }
    candidates = inFile(file, parsed.name);
    if (candidates.length === 0) throw notFound(entry, parsed.name, index, file);
  } else {
    candidates = byName(index, parsed.name);
    if (candidates.length === 0) throw notFound(entry, parsed.name, index);
  }
  if (candidates.length === 1) return candidates[0]!;
  const ids = candidates.map((s) => s.id);
  const listed = ids.length > MAX_LISTED ? [...ids.slice(0, MAX_LISTED), `and ${ids.length - MAX_LISTED} more`] : ids;
  throw new TldrsError("EAMBIGUOUS", `Entry "${entry}" is ambiguous: ${ids.length} symbols match; qualify it as one of: ${listed.join(", ")}`, {
    data: { entry, candidates: ids },
  });
}

function inFile(file: IndexedFile, name: string): Sym[] {
  const exactId = file.symbols.filter((s) => s.id === `${file.rel}:${name}`);
  if (exactId.length > 0) return exactId;
  if (name.includes(".")) return file.symbols.filter((s) => s.rec.qualified.endsWith(`.${name}`));
  return file.symbols.filter((s) => s.rec.name === name);
}

function byName(index: ProjectIndex, name: string): Sym[] {
  if (!name.includes(".")) return index.byName.get(name) ?? [];
  const last = name.slice(name.lastIndexOf(".") + 1);
  const sameName = index.byName.get(last) ?? [];
  const exact = sameName.filter((s) => s.rec.qualified === name);
  if (exact.length > 0) return exact;
  const tail = sameName.filter((s) => s.rec.qualified.endsWith(`.${name}`));
  if (tail.length > 0) return tail;
  // `module.name`: a top-level definition of a file (or package folder) called `module`.
  const head = name.slice(0, name.lastIndexOf("."));
  const modulePath = head.replace(/\./g, "/");
  return sameName.filter((s) => {
    if (s.rec.parent >= 0 || s.rec.kind === "method") return false;
    const f = s.file;
    const noExt = f.dir === "" ? f.stem : `${f.dir}/${f.stem}`;
    return noExt === modulePath || noExt.endsWith(`/${modulePath}`) || (f.stem === "__init__" && (f.dir === modulePath || f.dir.endsWith(`/${modulePath}`)));
  });
}

function notFound(entry: string, name: string, index: ProjectIndex, file?: IndexedFile): TldrsError {
  const near = nearMatches(file ? file.symbols : index.files.flatMap((f) => f.symbols), name);
  const where = file ? `in "${file.rel}"` : `in project "${index.root}"`;
  const hint = near.length > 0 ? `; near matches: ${near.join(", ")}` : "";
  return new TldrsError("ENOTFOUND", `Cannot find entry "${entry}": no function, method or class "${name}" ${where}${hint}`, {
    data: { entry, near },
  });
}

/** Up to MAX_NEAR ids whose name is close to `name`: same letters in another case, a part of it, or a typo away. */
export function nearMatches(symbols: readonly Sym[], name: string): string[] {
  const needle = name.toLowerCase();
  const needleLast = needle.slice(needle.lastIndexOf(".") + 1);
  const scored: { id: string; score: number }[] = [];
  for (const s of symbols) {
    const q = s.rec.qualified.toLowerCase();
    const n = s.rec.name.toLowerCase();
    let score: number;
    if (q === needle || n === needleLast) score = 0;
    else if (contains(n, needleLast) || contains(needleLast, n)) score = 1;
    else {
      const limit = Math.max(1, Math.floor(needleLast.length / 3));
      const d = distance(n, needleLast, limit);
      if (d > limit) continue;
      score = 1 + d;
    }
    scored.push({ id: s.id, score });
  }
  scored.sort((a, b) => a.score - b.score || a.id.localeCompare(b.id));
  return scored.slice(0, MAX_NEAR).map((x) => x.id);
}

/** `part` is a good share (half or more) of `whole`, and at least 3 characters. */
function contains(whole: string, part: string): boolean {
  return part.length >= 3 && part.length * 2 >= whole.length && whole.includes(part);
}

/** Edit distance with adjacent transpositions (optimal string alignment), or limit + 1 once it must exceed `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}
