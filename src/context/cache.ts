/**
 * The symbol-table cache: one JSON file under the store folder mapping `<grammar>:<sha256
 * of the file's bytes>` to the file's table. A cold `tldrs context` on ~2,000 files
 * (28 MB of Python) spends ~4 s parsing; with the cache it reads, hashes and looks up.
 *
 * It also stamps each file with the size, mtime and inode it had when its bytes were hashed,
 * so that a later run trusts an unchanged file's table without reading it (git's index does
 * the same): on a 4,739-file tree a warm run read 58 MB to find nothing changed. A stamp is
 * trusted only when the file's mtime is more than STAMP_SLACK_MS older than the cache file
 * (a file changed again within its mtime's resolution would look unchanged: git's "racy"
 * case), and the files whose code is printed are read and checked against their hash anyway
 * (run_context.ts rebuilds without stamps if one differs).
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
import { randomHex, removeQuietly, writeNewFile } from "../file_ops.ts";
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
/** Coarser than the mtime resolution of every file system in use (FAT: 2 s). */
export const STAMP_SLACK_MS = 2000;

/** What a file looked like when its bytes hashed to `key`. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

type StoredStamp = [size: number, mtimeMs: number, ino: number, key: string];

/** `<store root>/cache/context-symbols.json` */
export function symbolCachePath(storeRoot: string): string {
  return joinPath(storeRoot, "cache", "context-symbols.json");
}

export class SymbolCache {
  private readonly old: Map<string, FileTable>;
  private readonly used = new Map<string, FileTable>();
  private readonly stamps = new Map<string, StoredStamp>();
  private added = 0;
  private restamped = 0;

  private constructor(
    private readonly platform: Platform,
    readonly path: string,
    old: Map<string, FileTable>,
    private readonly oldStamps: Map<string, StoredStamp>,
    /** When the loaded file was written (0: unknown: no stamp is trusted). */
    private readonly writtenAt: number,
    private readonly maxBytes: number,
  ) {
    this.old = old;
  }

  /** Loads the cache file; anything but a readable cache of this version is an empty cache. */
  static async open(platform: Platform, path: string, options: { maxBytes?: number } = {}): Promise<SymbolCache> {
    const maxBytes = options.maxBytes ?? MAX_CACHE_BYTES;
    const tables = new Map<string, FileTable>();
    const stamps = new Map<string, StoredStamp>();
    let writtenAt = 0;
    try {
      const bytes = await readCacheFile(platform, path, maxBytes);
      const doc = bytes && (JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown; version?: unknown; tables?: unknown; files?: unknown; written_at?: unknown });
      if (doc && doc.format === CACHE_FORMAT && doc.version === EXTRACTOR_VERSION && doc.tables && typeof doc.tables === "object") {
        for (const [key, t] of Object.entries(doc.tables as Record<string, FileTable>)) {
          if (t && Array.isArray(t.symbols) && Array.isArray(t.imports)) tables.set(key, t);
        }
        if (doc.files && typeof doc.files === "object" && typeof doc.written_at === "number" && Number.isFinite(doc.written_at)) {
          writtenAt = doc.written_at;
          for (const [rel, st] of Object.entries(doc.files as Record<string, unknown>)) {
            if (Array.isArray(st) && st.length === 4 && st.slice(0, 3).every((n) => typeof n === "number") && typeof st[3] === "string") stamps.set(rel, st as StoredStamp);
          }
        }
      }
    } catch {
      // A link at cache/, EACCES, bad JSON: start empty; the next save replaces the file (or warns).
    }
    return new SymbolCache(platform, path, tables, stamps, writtenAt, maxBytes);
  }

  /**
   * The key of `rel`'s table if the file is as it was stamped (size, mtime, inode), its stamp
   * is older than the cache file by more than STAMP_SLACK_MS, and its table is here; else
   * undefined: the caller reads and hashes the file.
   */
  trusted(rel: string, now: FileStamp): string | undefined {
    const st = this.oldStamps.get(rel);
    if (!st || st[0] !== now.size || st[1] !== now.mtimeMs || st[2] !== now.ino) return undefined;
    if (!(now.mtimeMs < this.writtenAt - STAMP_SLACK_MS)) return undefined;
    if (!this.used.has(st[3]) && !this.old.has(st[3])) return undefined;
    this.stamps.set(rel, st);
    return st[3];
  }

  /** Records what `rel` looked like when its bytes hashed to `key`. */
  stamp(rel: string, now: FileStamp, key: string): void {
    const st: StoredStamp = [now.size, now.mtimeMs, now.ino, key];
    const before = this.oldStamps.get(rel);
    // A new stamp, a changed one, or one too recent to be trusted yet: worth writing down.
    if (!before || before.some((v, i) => v !== st[i]) || !(now.mtimeMs < this.writtenAt - STAMP_SLACK_MS)) this.restamped++;
    this.stamps.set(rel, st);
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
    const forgotten = keepUnused ? 0 : [...this.oldStamps.keys()].filter((rel) => !this.stamps.has(rel)).length;
    // A file that only needs a newer stamp is worth a write only when recent changes are settled.
    const settledRestamps = this.restamped > 0 && [...this.stamps.values()].every((st) => st[1] < this.platform.now() - STAMP_SLACK_MS);
    if (this.added === 0 && pruned === 0 && forgotten === 0 && !settledRestamps) return undefined;
    const tables: Record<string, FileTable> = {};
    if (keepUnused) for (const [k, t] of this.old) tables[k] = t;
    for (const [k, t] of this.used) tables[k] = t;
    const files: Record<string, StoredStamp> = {};
    if (keepUnused) for (const [rel, st] of this.oldStamps) if (st[3] in tables) files[rel] = st;
    for (const [rel, st] of this.stamps) files[rel] = st;
    // Whole milliseconds: the file's length must not depend on how many digits a clock's fraction has.
    const writtenAt = Math.floor(this.platform.now());
    const bytes = new TextEncoder().encode(JSON.stringify({ format: CACHE_FORMAT, version: EXTRACTOR_VERSION, written_at: writtenAt, tables, files }));
    if (bytes.length > this.maxBytes) return `symbol cache not written to "${this.path}": ${bytes.length} bytes, more than the ${this.maxBytes} it may hold`;
    const dir = dirname(this.path);
    const tmp = `${this.path}.tmp-${randomHex(this.platform, 6)}`;
    try {
      await ensureStoreRoot(this.platform, dirname(dir));
      await ensureStoreFolder(this.platform, dir);
      await sweepStaleFiles(this.platform, dir, (name) => TEMP_NAME.test(name), TEMP_GRACE_MS).catch(() => 0);
      // No fsync: a cache lost to a crash is rebuilt (a torn one is refused by its parse).
      await writeNewFile(this.platform, tmp, bytes, { sync: false });
      await this.platform.rename(tmp, this.path);
      return undefined;
    } catch (err) {
      await removeQuietly(this.platform, tmp); // never created, or already renamed: nothing to do
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
