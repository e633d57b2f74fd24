/**
 * Reading a blob file: open it without following a symlink, pick its decoding from the
 * row's hint and the file's own facts, and stream its bytes checked against size and hash.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import type { Platform, ReadableFile } from "../platform/port.ts";
import { integrityError } from "./integrity.ts";
import { ioError } from "./io_error.ts";
import type { Compression } from "./objects_table.ts";
import { fileChunks } from "./source.ts";
import { INFLATE_FEED_BYTES, inflate, looksLikeZlib } from "./zlib.ts";

export interface OpenFile {
  file: ReadableFile;
  fileSize: number;
  mtimeMs: number;
}

/** Opens `path` for reading; null if there is no file. Symlinks and folders are integrity errors. */
export async function openBlobFile(platform: Platform, path: string, ref: string): Promise<OpenFile | null> {
  let file: ReadableFile;
  try {
    file = await platform.openRead(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    if (code === "ELOOP") throw integrityError(ref, path, "is a symbolic link, which tldrs never writes");
    if (code === "EISDIR") throw integrityError(ref, path, "is a folder");
    throw ioError(err, `Cannot read blob "${ref}": file "${path}"`, path);
  }
  try {
    const st = await file.stat();
    if (st.kind !== "file") throw integrityError(ref, path, `is not a regular file (${st.kind})`);
    return { file, fileSize: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    await file.close();
    throw err;
  }
}

export async function readHeader(file: ReadableFile): Promise<Uint8Array> {
  const header = new Uint8Array(2);
  const n = await file.read(header, 0);
  return header.subarray(0, n);
}

/**
 * The decoding a file needs. The row's `compression` is a hint, not the truth: the Python
 * store moves files into place with os.replace, so a racing put of the same content with
 * other options can leave a zlib file under a '' row (or the reverse). A raw file has
 * exactly `size` bytes; anything else must be a zlib stream. Returns null if neither fits.
 */
export async function chooseDecoding(file: ReadableFile, fileSize: number, row: { size: number; compression: string }): Promise<Compression | null> {
  if (row.compression !== "zlib" && fileSize === row.size) return "";
  const zlib = looksLikeZlib(await readHeader(file));
  if (zlib && (row.compression === "zlib" || fileSize !== row.size)) return "zlib";
  if (fileSize === row.size) return "";
  return null;
}

/**
 * A failed file read, kept apart from decoder errors: those mean damage (an integrity
 * error), this means I/O (or a simulated crash in tests), whatever the runtime calls them.
 */
export class ReadFailure {
  constructor(readonly cause: unknown) {}
}

async function* guarded(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (err) {
    throw new ReadFailure(err);
  }
}

/** The error to report for a ReadFailure: EIO for a file-system error, else the original. */
export function readError(failure: ReadFailure, ref: string, path: string): unknown {
  return ioError(failure.cause, `Cannot read blob "${ref}": file "${path}"`, path);
}

/**
 * The decoded bytes of a file, unchecked: 1 MiB reads for raw, zlib-decoded otherwise.
 * File read errors come out as ReadFailure; decoder errors as they are.
 */
export function decodedChunks(file: ReadableFile, fileSize: number, decoding: Compression): AsyncIterable<Uint8Array> {
  return decoding === "zlib" ? inflate(guarded(fileChunks(file, fileSize, INFLATE_FEED_BYTES))) : guarded(fileChunks(file, fileSize));
}

export interface CheckedRead {
  platform: Platform;
  ref: string;
  hash: string;
  path: string;
  opened: OpenFile;
  decoding: Compression;
  size: number;
}

/**
 * The blob's bytes as they are decoded, with the length and sha256 checked on the way:
 * decoding stops at the first byte past the recorded size (a zip bomb costs nothing), and
 * the end of the sequence is an integrity error instead of a normal end if the bytes are
 * wrong. Closes the file when done.
 */
export async function* checkedBytes(read: CheckedRead): AsyncGenerator<Uint8Array> {
  const { ref, path, size, opened } = read;
  try {
    if (read.decoding === "" && opened.fileSize !== size) {
      throw integrityError(ref, path, `is ${opened.fileSize} bytes, expected ${size}`, { expectedSize: size, fileSize: opened.fileSize });
    }
    const hasher = read.platform.createHasher();
    let count = 0;
    try {
      for await (const chunk of decodedChunks(opened.file, opened.fileSize, read.decoding)) {
        count += chunk.length;
        if (count > size) throw integrityError(ref, path, `decodes to more than the recorded ${size} bytes`, { expectedSize: size });
        hasher.update(chunk);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof TldrsError) throw err;
      if (err instanceof ReadFailure) throw readError(err, ref, path);
      // Anything else came from the decoder: a bad header, a corrupt block, a truncated stream. (bad header, corrupt block, truncated stream) is damage, not I/O.
      throw integrityError(ref, path, `is not a valid ${read.decoding === "zlib" ? "zlib stream" : "file"}: ${(err as Error).message}`);
    }
    if (count !== size) throw integrityError(ref, path, `decodes to ${count} bytes, expected ${size}`, { expectedSize: size, actualSize: count });
    const actual = hasher.digestHex();
    if (actual !== read.hash) throw integrityError(ref, path, `has sha256 ${actual}`, { expected: read.hash, actual });
  } finally {
    await opened.file.close();
  }
}
