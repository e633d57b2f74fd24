/**
 * ProjectIndex: every source file of the project with its symbol table, and lookups by
 * name. Tables come from the symbol cache when the file's bytes are known, else from
 * tree-sitter. A file the cache trusts by its stamp (cache.ts) is not read at all: its text
 * is loaded by `loadTexts` when its code is printed.
 */
import type { Platform } from "../platform/port.ts";
import { sha256Hex } from "../platform/sha256_hex.ts";
import type { SymbolCache } from "./cache.ts";
import { extractTable } from "./extract.ts";
import { createParser, type Parser } from "./grammar.ts";
import type { GrammarId, LanguageId } from "./languages.ts";
import type { FileTable, SymbolRecord } from "./symbols.ts";
import { syntaxFor } from "./syntax.ts";
import { walkProject } from "./walk.ts";

export interface IndexedFile {
  /** Relative to the project, POSIX. */
  rel: string;
  /** As the platform addresses it. */
  abs: string;
  grammar: GrammarId;
  /** The file's text; undefined until `loadTexts` for a file the cache trusted unread. */
  text: string | undefined;
  /** `<grammar>:<sha256 of its bytes>`: its table's key in the cache. */
  key: string;
  table: FileTable;
  /** Folder part of `rel` ("" at the root) and the file name without extension. */
  dir: string;
  stem: string;
  symbols: Sym[];
}

/** A symbol of the index. */
export interface Sym {
  file: IndexedFile;
  index: number;
  rec: SymbolRecord;
  /** `path:qualified.name` */
  id: string;
}

/** How far indexing is: files found by the walk, then read (hashed) and parsed (not found in the cache). */
export interface IndexProgress {
  phase: "scanning" | "reading" | "parsing";
  /** Files found (scanning), read (reading) or looked at (parsing) so far. */
  done: number;
  /** Source files to index (0 while scanning). */
  total: number;
  /** Files parsed so far (those the cache did not have). */
  parsed: number;
}

export interface BuildIndexOptions {
  lang?: LanguageId | "auto";
  maxFileBytes?: number;
  cache?: SymbolCache;
  /** Trust the cache's stamps (default true); false reads and hashes every file. */
  trustStamps?: boolean;
  onProgress?: (progress: IndexProgress) => void;
}

/** Files read at once: enough to keep the disk busy, few enough for file-descriptor limits. */
const READ_CONCURRENCY = 16;

/**
 * Parsing is synchronous: with a progress watcher, give the event loop a turn after this many
 * parses so that its line is redrawn (a timer each 32 parses costs ~1 ms; a cold parse of
 * 4,739 files takes tens of seconds).
 */
const PARSES_PER_YIELD = 32;

export class ProjectIndex {
  readonly byRel = new Map<string, IndexedFile>();
  readonly byName = new Map<string, Sym[]>();
  readonly warnings: string[] = [];

  constructor(
    readonly root: string,
    readonly files: IndexedFile[],
  ) {
    for (const f of files) {
      this.byRel.set(f.rel, f);
      for (const s of f.symbols) {
        const list = this.byName.get(s.rec.name);
        if (list) list.push(s);
        else this.byName.set(s.rec.name, [s]);
      }
    }
  }

  static async build(platform: Platform, root: string, options: BuildIndexOptions = {}): Promise<ProjectIndex> {
    const report = options.onProgress ?? (() => {});
    const walked = await walkProject(platform, root, {
      ...(options.lang ? { lang: options.lang } : {}),
      ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
      onFound: (found) => report({ phase: "scanning", done: found, total: 0, parsed: 0 }),
    });
    const total = walked.files.length;
    let read = 0;
    const decoder = new TextDecoder();
    const texts = new Array<string>(walked.files.length);
    const keys = new Array<string>(walked.files.length);
    const unreadable: string[] = [];
    let nextRead = 0;
    const reader = async (): Promise<void> => {
      while (nextRead < walked.files.length) {
        const i = nextRead++;
        const f = walked.files[i]!;
        const trusted = options.trustStamps === false ? undefined : options.cache?.trusted(f.rel, f);
        if (trusted !== undefined) {
          keys[i] = trusted;
          report({ phase: "reading", done: ++read, total, parsed: 0 });
          continue;
        }
        let bytes: Uint8Array;
        try {
          bytes = await platform.readFile(f.abs);
        } catch {
          unreadable.push(f.rel);
          continue;
        }
        const key = `${f.grammar}:${sha256Hex(platform, bytes)}`;
        keys[i] = key;
        texts[i] = decoder.decode(bytes);
        options.cache?.stamp(f.rel, f, key);
        report({ phase: "reading", done: ++read, total, parsed: 0 });
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, walked.files.length) }, reader));

    const parsers = new Map<GrammarId, Parser>();
    const files: IndexedFile[] = [];
    const failed: string[] = [];
    let parsed = 0;
    try {
      for (let i = 0; i < walked.files.length; i++) {
        const f = walked.files[i]!;
        report({ phase: "parsing", done: i, total, parsed });
        const text = texts[i];
        const key = keys[i];
        if (key === undefined) continue;
        let table = options.cache?.get(key);
        if (!table) {
          if (text === undefined) continue; // trusted unread, yet its table is gone: cannot happen (trusted() checks)
          let parser = parsers.get(f.grammar);
          if (!parser) {
            parser = await createParser(platform, f.grammar);
            parsers.set(f.grammar, parser);
          }
          if (++parsed % PARSES_PER_YIELD === 0 && options.onProgress) await platform.sleep(0);
          try {
            const tree = parser.parse(text);
            try {
              table = extractTable(text, tree, syntaxFor(f.grammar));
            } finally {
              tree.delete();
            }
          } catch {
            failed.push(f.rel);
            continue;
          }
          options.cache?.set(key, table);
        }
        files.push(makeFile(f.rel, f.abs, f.grammar, text, key, table));
      }
    } finally {
      for (const p of parsers.values()) p.delete();
    }
    const index = new ProjectIndex(root, files);
    if (walked.tooLarge.length > 0) index.warnings.push(`skipped ${walked.tooLarge.length} file(s) over the size limit: ${preview(walked.tooLarge)}`);
    if (unreadable.length > 0) index.warnings.push(`could not read ${unreadable.length} file(s): ${preview(unreadable)}`);
    if (failed.length > 0) index.warnings.push(`could not parse ${failed.length} file(s): ${preview(failed)}`);
    return index;
  }

  /** Top-level definitions named `name` (not methods, not nested). */
  topLevel(name: string): Sym[] {
    return (this.byName.get(name) ?? []).filter((s) => s.rec.parent < 0 && s.rec.kind !== "method");
  }

  /** Files whose folder is `dir`. */
  filesIn(dir: string): IndexedFile[] {
    return this.files.filter((f) => f.dir === dir);
  }

  /**
   * Reads the text of each file that has none yet (trusted unread), checked against the hash
   * its table was made from. False if one is gone or differs: the index is stale (its stamp
   * lied), and the caller builds it again without trusting stamps.
   */
  async loadTexts(platform: Platform, files: Iterable<IndexedFile>): Promise<boolean> {
    const decoder = new TextDecoder();
    for (const f of files) {
      if (f.text !== undefined) continue;
      let bytes: Uint8Array;
      try {
        bytes = await platform.readFile(f.abs);
      } catch {
        return false;
      }
      if (`${f.grammar}:${sha256Hex(platform, bytes)}` !== f.key) return false;
      f.text = decoder.decode(bytes);
    }
    return true;
  }
}

export function makeFile(rel: string, abs: string, grammar: GrammarId, text: string | undefined, key: string, table: FileTable): IndexedFile {
  const slash = rel.lastIndexOf("/");
  const base = rel.slice(slash + 1);
  const dot = base.indexOf(".");
  const file: IndexedFile = {
    rel,
    abs,
    grammar,
    text,
    key,
    table,
    dir: slash < 0 ? "" : rel.slice(0, slash),
    stem: dot <= 0 ? base : base.slice(0, dot),
    symbols: [],
  };
  // Two definitions with one qualified name in a file (a getter and its setter, `if: def f` /
  // `else: def f`) get `#2`, `#3`, ... so that ids stay unique keys for deliveries.
  const seen = new Map<string, number>();
  file.symbols = table.symbols.map((rec, index) => {
    const n = (seen.get(rec.qualified) ?? 0) + 1;
    seen.set(rec.qualified, n);
    return { file, index, rec, id: n === 1 ? `${rel}:${rec.qualified}` : `${rel}:${rec.qualified}#${n}` };
  });
  return file;
}

function preview(list: string[]): string {
  return list.length <= 5 ? list.join(", ") : `${list.slice(0, 5).join(", ")} and ${list.length - 5} more`;
}
