/**
 * The symbol-table cache: one JSON file under the store folder mapping `<grammar>:<sha256
 * of the file's bytes>` to the file's table. A cold `tldrs context` on ~2,000 files
 * (28 MB of Python) spends ~4 s parsing; with the cache it reads, hashes and looks up.
 *
 * It is only a cache: a missing, unreadable, foreign or corrupt file is an empty cache, and
 * a failed write is a warning. Writes go to a temp file renamed over the old one, so a
 * reader sees the old or the new file whole; concurrent writers each leave a complete file.
 *
 * The same defences as the database and the blob files: cache/ must be a real folder (a link
 * there would send reads and writes out of the store), the file is opened without following
 * a link and without blocking (a FIFO), only a regular file of at most MAX_CACHE_BYTES is read
 * (a link to /dev/zero grew the old reader to 13.9 GB), and temp files of killed writers are
 * swept after an hour.
 */
import { errnoCode } from "../errors.ts";
import { dirname, joinPath } from "../platform/path.ts";
import type { Platform, ReadableFile } from "../platform/port.ts";
import { readAt } from "../platform/read_at.ts";
import { sweepStaleFiles } from "../stale_files.ts";
import { ensureStoreFolder, storeFolderKind } from "../store_folder.ts";
import { ensureStoreRoot } from "../store_marks.ts";
import { EXTRACTOR_VERSION } from "./extract.ts";
import type { FileTable } from "./symbols.ts";

export const CACHE_FORMAT = "tldrs-context-symbols";

/**
 * 64 MiB: a cache of ~2,000 files of Python (28 MB) is a few MiB; a larger file is not read
 * (an empty cache) and a larger cache not written (a warning).
 */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** Temp files of killed writers are swept after this long (as every temp file of the store). */
const TEMP_GRACE_MS = 60 * 60 * 1000;
const TEMP_NAME = /^context-symbols\.json\.tmp-[0-9a-f]{12}$/;

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
    private readonly maxBytes: number,
  ) {
    this.old = old;
  }

  /** Loads the cache file; anything but a readable cache of this version is an empty cache. */
  static async open(platform: Platform, path: string, options: { maxBytes?: number } = {}): Promise<SymbolCache> {
    const maxBytes = options.maxBytes ?? MAX_CACHE_BYTES;
    const tables = new Map<string, FileTable>();
    try {
      const bytes = await readCacheFile(platform, path, maxBytes);
      const doc = bytes && (JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown; version?: unknown; tables?: unknown });
      if (doc && doc.format === CACHE_FORMAT && doc.version === EXTRACTOR_VERSION && doc.tables && typeof doc.tables === "object") {
        for (const [key, t] of Object.entries(doc.tables as Record<string, FileTable>)) {
          if (t && Array.isArray(t.symbols) && Array.isArray(t.imports)) tables.set(key, t);
        }
      }
    } catch {
      // A link at cache/, EACCES, bad JSON: start empty; the next save replaces the file (or warns).
    }
    return new SymbolCache(platform, path, tables, maxBytes);
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
    if (bytes.length > this.maxBytes) return `symbol cache not written to "${this.path}": ${bytes.length} bytes, more than the ${this.maxBytes} it may hold`;
    const dir = dirname(this.path);
    const tmp = `${this.path}.tmp-${hex(this.platform.randomBytes(6))}`;
    try {
      await ensureStoreRoot(this.platform, dirname(dir));
      await ensureStoreFolder(this.platform, dir);
      await sweepStaleFiles(this.platform, dir, (name) => TEMP_NAME.test(name), TEMP_GRACE_MS).catch(() => 0);
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
      return `symbol cache not written to "${this.path}": ${errnoCode(err) === undefined || errnoCode(err) === "EIO" ? (err as Error).message : errnoCode(err)}`;
    }
  }
}

/**
 * The cache file's bytes, or null if there is none to read: its folder must be a real folder,
 * the file a regular file (opened O_NOFOLLOW | O_NONBLOCK, checked by fstat) of at most `maxBytes`.
 */
async function readCacheFile(platform: Platform, path: string, maxBytes: number): Promise<Uint8Array | null> {
  if ((await storeFolderKind(platform, dirname(path))) !== "dir") return null;
  let file: ReadableFile;
  try {
    file = await platform.openRead(path);
  } catch {
    return null; // absent, a link (ELOOP), unreadable
  }
  try {
    const st = await file.stat();
    if (st.kind !== "file" || st.size > maxBytes) return null;
    return await readAt(file, 0, st.size);
  } finally {
    await file.close();
  }
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
