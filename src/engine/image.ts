/**
 * Checks on a database image before the engine trusts it, and the file identity used
 * to decide whether the file changed since this process last saw it.
 *
 * SQLite file header (https://www.sqlite.org/fileformat2.html#the_database_header):
 * bytes 0-15 magic, 16-17 page size (1 means 65536), 18-19 write/read version
 * (1 legacy, 2 WAL), 24-27 file change counter, 28-31 size in pages (valid when
 * 92-95 equals the change counter), 60-63 schema cookie.
 */
import { TldrsError } from "../errors.ts";
import type { FileStat } from "../platform/port.ts";

export const HEADER_SIZE = 100;
const MAGIC = "SQLite format 3\u0000";

export interface FileIdentity {
  ino: number;
  dev: number;
  size: number;
  mtimeMs: number;
  changeCounter: number;
}

export function sameIdentity(a: FileIdentity | undefined, b: FileIdentity): boolean {
  return a !== undefined && a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.changeCounter === b.changeCounter;
}

export function identityOf(stat: FileStat, header: Uint8Array): FileIdentity {
  return { ino: stat.ino, dev: stat.dev, size: stat.size, mtimeMs: stat.mtimeMs, changeCounter: header.length >= 28 ? readU32(header, 24) : -1 };
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/**
 * Throws a "corrupt" TldrsError naming `path` unless `image` looks like a whole SQLite
 * database: a zero-byte or truncated file must never be taken for an empty store.
 */
export function assertWholeImage(image: Uint8Array, path: string): void {
  assertDatabaseHeader(image.subarray(0, HEADER_SIZE), image.length, path, false);
}

/**
 * The checks of assertWholeImage on a file's first bytes and its size, before a native
 * connection opens it. `walBeside`: a -wal file exists, so the file may lawfully be empty (a
 * WAL database before its first checkpoint) or its header ahead of its size (a checkpoint in
 * progress); SQLite itself then judges the pages.
 */
export function assertDatabaseHeader(header: Uint8Array, fileSize: number, path: string, walBeside: boolean): void {
  const corrupt = (why: string) =>
    new TldrsError("ECORRUPT", `Database "${path}" is corrupt: ${why}; move it aside (tldrs will then start a new store) or restore it from a backup`, { path });
  if (fileSize === 0) {
    if (walBeside) return;
    throw corrupt("the file is empty (zero bytes)");
  }
  if (fileSize < HEADER_SIZE || header.length < HEADER_SIZE) throw corrupt(`the file is ${fileSize} bytes, shorter than a SQLite header`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (header[i] !== MAGIC.charCodeAt(i)) throw corrupt("not a SQLite database (bad header)");
  }
  const rawPageSize = (header[16]! << 8) | header[17]!;
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(`invalid page size ${rawPageSize}`);
  if (fileSize % pageSize !== 0) throw corrupt(`its size ${fileSize} is not a whole number of ${pageSize}-byte pages (truncated?)`);
  const changeCounter = readU32(header, 24);
  const pageCount = readU32(header, 28);
  const validFor = readU32(header, 92);
  if (!walBeside && validFor === changeCounter && pageCount > 0 && pageCount * pageSize > fileSize) {
    throw corrupt(`the header says ${pageCount} pages but the file holds ${fileSize / pageSize} (truncated)`);
  }
}

/**
 * Sets the file change counter (bytes 24-27) and the version-valid-for number (92-95, so
 * the in-header page count stays valid) of `image`, in place. sql.js's export() (the backup
 * API into a fresh database) always writes 1 there (measured with sql.js 1.16.0), so without
 * this every file we write has counter 1 and the counter cannot tell versions apart.
 */
export function stampChangeCounter(image: Uint8Array, counter: number): void {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  view.setUint32(24, counter >>> 0);
  view.setUint32(92, counter >>> 0);
}

/** True if the header marks the file as a WAL database (bytes 18-19 are 2). */
export function isWalImage(header: Uint8Array): boolean {
  return header[18] === 2 && header[19] === 2;
}

/**
 * Marks the image as WAL (2) or rollback-journal (1) mode, in place (bytes 18-19).
 *
 * sql.js opens an image in memory, where WAL has no use (and cannot work): a WAL-mode image is
 * switched to rollback mode before it is opened. The image is our own buffer, just read from
 * the file, so this is done in place: it used to be copied whole on every reload of a file the
 * Python store or a native engine had written. On flush, the file gets back the mode it had, so
 * a WAL store stays WAL and native connections need not switch it on each open.
 */
export function setJournalMode(image: Uint8Array, wal: boolean): void {
  image[18] = wal ? 2 : 1;
  image[19] = wal ? 2 : 1;
}
