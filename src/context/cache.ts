/**
 * The symbol-table cache: one JSON file under the store folder mapping `<grammar>:<sha256
 * of the file's bytes>` to the file's table. A cold `tldrs context` on ~2,000 files
 * (28 MB of Python) spends ~4 s parsing; with the cache it reads, hashes and looks up.
 *
 * It is only a cache: a missing, unreadable, foreign or corrupt file is an empty cache, and
 * a failed write is a warning. Writes go to a temp file renamed over the old one, so a
 * reader sees the old or the new file whole; concurrent writers each leave a complete file.
 */
import { errnoCode } from "../errors.ts";
import { joinPath } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { EXTRACTOR_VERSION } from "./extract.ts";
import type { FileTable } from "./symbols.ts";

export const CACHE_FORMAT = "tldrs-context-symbols";

/** `<store root>/cache/context-symbols.json` */
export function symbolCachePath(storeRoot: string): string {
  return joinPath(storeRoot, "cache", "context-symbols.json");
}

export class SymbolCache {
  private readonly old: Map<string, FileTable>;
  private readonly used = new Map<string, FileTable>();
  private added = 0;

  private constructor(
    private readonly platform: Platform,
    readonly path: string,
    old: Map<string, FileTable>,
  ) {
    this.old = old;
  }

  /** Loads the cache file; anything but a readable cache of this version is an empty cache. */
  static async open(platform: Platform, path: string): Promise<SymbolCache> {
    const tables = new Map<string, FileTable>();
    try {
      const bytes = await platform.readFile(path);
      const doc = JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown; version?: unknown; tables?: unknown };
      if (doc && doc.format === CACHE_FORMAT && doc.version === EXTRACTOR_VERSION && doc.tables && typeof doc.tables === "object") {
        for (const [key, t] of Object.entries(doc.tables as Record<string, FileTable>)) {
          if (t && Array.isArray(t.symbols) && Array.isArray(t.imports)) tables.set(key, t);
        }
      }
    } catch {
      // ENOENT, EACCES, bad JSON: start empty; the next save replaces the file.
    }
    return new SymbolCache(platform, path, tables);
  }

  get(key: string): FileTable | undefined {
    const t = this.used.get(key) ?? this.old.get(key);
    if (t) this.used.set(key, t);
    return t;
  }

  set(key: string, table: FileTable): void {
    if (!this.used.has(key)) this.added++;
    this.used.set(key, table);
  }

  /** Number of tables this run had to compute. */
  get misses(): number {
    return this.added;
  }

  /**
   * Writes the tables this run used (plus, with `keepUnused`, the others: a run limited to one
   * language must not evict the rest). Nothing is written when nothing changed.
   * Resolves to a warning when the file could not be written.
   */
  async save(keepUnused: boolean): Promise<string | undefined> {
    const pruned = keepUnused ? 0 : [...this.old.keys()].filter((k) => !this.used.has(k)).length;
    if (this.added === 0 && pruned === 0) return undefined;
    const tables: Record<string, FileTable> = {};
    if (keepUnused) for (const [k, t] of this.old) tables[k] = t;
    for (const [k, t] of this.used) tables[k] = t;
    const bytes = new TextEncoder().encode(JSON.stringify({ format: CACHE_FORMAT, version: EXTRACTOR_VERSION, tables }));
    const dir = this.path.slice(0, this.path.lastIndexOf("/"));
    const tmp = `${this.path}.tmp-${hex(this.platform.randomBytes(6))}`;
    try {
      await this.platform.mkdir(dir);
      const f = await this.platform.createExclusive(tmp);
      try {
        await f.write(bytes);
      } finally {
        await f.close();
      }
      await this.platform.rename(tmp, this.path);
      return undefined;
    } catch (err) {
      try {
        await this.platform.unlink(tmp);
      } catch {
        // Never created, or already renamed.
      }
      return `symbol cache not written to "${this.path}": ${errnoCode(err) ?? (err as Error).message}`;
    }
  }
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
