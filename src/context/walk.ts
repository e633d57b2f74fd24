/**
 * The project walk: the source files `tldrs context` reads, in a stable order.
 *
 * Skipped: symlinks (never followed), folders that hold no project source (VCS data,
 * dependencies, build output, caches, virtualenvs, our own `.tldrs`), every other folder
 * whose name starts with a dot, what `.gitignore` files (and `.git/info/exclude`) exclude,
 * files no grammar claims, and files over `maxFileBytes` (generated bundles and the like).
 */
import { errnoCode, TldrsError } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import { isIgnored, parseGitignore, type IgnoreRule } from "./gitignore.ts";
import { grammarForFile, languageOf, type GrammarId, type LanguageId } from "./languages.ts";

/** Folder names never entered, at any depth. Dot-folders are skipped as well. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  "node_modules",
  "bower_components",
  "jspm_packages",
  "dist",
  "build",
  "out",
  "target",
  "__pycache__",
  "venv",
  "site-packages",
  "coverage",
  "htmlcov",
]);

/** Files above this size are skipped: 1 MiB of source is a generated file, not code to read. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export interface SourceFile {
  /** Relative to the project, POSIX separators. */
  rel: string;
  /** As the platform addresses it. */
  abs: string;
  grammar: GrammarId;
  size: number;
  /** From the walk's lstat: with size, what lets the symbol cache trust its table without reading it. */
  mtimeMs: number;
  ino: number;
}

export interface WalkOptions {
  lang?: LanguageId | "auto";
  maxFileBytes?: number;
  /** Called after each folder with the number of source files found so far. */
  onFound?: (found: number) => void;
}

export interface WalkResult {
  files: SourceFile[];
  /** Files skipped for their size (relative paths). */
  tooLarge: string[];
}

/** Joins a platform path and a relative POSIX path without doubling the separator. */
function under(root: string, rel: string): string {
  return rel === "" ? root : root.endsWith("/") || root.endsWith("\\") ? root + rel : `${root}/${rel}`;
}

export async function walkProject(platform: Platform, root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const lang = options.lang ?? "auto";
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: SourceFile[] = [];
  const tooLarge: string[] = [];
  const rootRules = await readRules(platform, under(root, ".git/info/exclude"), "");

  async function visit(rel: string, inherited: IgnoreRule[]): Promise<void> {
    const dirPath = under(root, rel);
    const names = (await platform.readdir(dirPath)).sort();
    const stats = await Promise.all(
      names.map(async (name) => {
        try {
          return await platform.stat(under(dirPath, name));
        } catch (err) {
          // Gone between readdir and stat, or unreadable: not ours to read.
          if (errnoCode(err) === "ENOENT" || errnoCode(err) === "EACCES" || errnoCode(err) === "EPERM") return null;
          throw err;
        }
      }),
    );
    let rules = inherited;
    const gi = names.indexOf(".gitignore");
    if (gi >= 0 && stats[gi]?.kind === "file") {
      const own = await readRules(platform, under(dirPath, ".gitignore"), rel);
      if (own.length > 0) rules = [...inherited, ...own];
    }
    const subdirs: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const st = stats[i];
      if (!st) continue;
      const childRel = rel === "" ? name : `${rel}/${name}`;
      if (st.kind === "dir") {
        if (name.startsWith(".") || SKIPPED_DIRS.has(name)) continue;
        if (isIgnored(rules, childRel, true)) continue;
        subdirs.push(childRel);
      } else if (st.kind === "file") {
        const grammar = grammarForFile(name);
        if (!grammar) continue;
        if (lang !== "auto" && languageOf(grammar) !== lang) continue;
        if (isIgnored(rules, childRel, false)) continue;
        if (st.size > maxFileBytes) {
          tooLarge.push(childRel);
          continue;
        }
        files.push({ rel: childRel, abs: under(root, childRel), grammar, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      }
      // Symlinks and anything else are skipped: never followed.
    }
    options.onFound?.(files.length);
    for (const sub of subdirs) {
      try {
        await visit(sub, rules);
      } catch (err) {
        if (errnoCode(err) === "EACCES" || errnoCode(err) === "EPERM" || errnoCode(err) === "ENOENT") continue;
        throw err;
      }
    }
  }

  try {
    const st = await platform.stat(root);
    if (st.kind !== "dir") throw new TldrsError("ENOTFOUND", `Cannot read project "${root}": not a folder`, { path: root });
  } catch (err) {
    if (errnoCode(err) === "ENOENT") throw new TldrsError("ENOTFOUND", `Cannot read project "${root}": no such folder`, { path: root, cause: err });
    throw err;
  }
  await visit("", [...rootRules]);
  return { files, tooLarge };
}

async function readRules(platform: Platform, path: string, base: string): Promise<IgnoreRule[]> {
  let bytes: Uint8Array;
  try {
    bytes = await platform.readFile(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR" || code === "EACCES") return [];
    throw err;
  }
  return parseGitignore(new TextDecoder().decode(bytes), base);
}
