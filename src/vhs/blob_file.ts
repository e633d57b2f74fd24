/**
 * Reading a blob file: open it without following a symlink, pick its decoding from the
 * row's hint and the file's own facts, and stream its bytes checked against size and hash.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import type { Hasher, Platform, ReadableFile } from "../platform/port.ts";
import { integrityError } from "./integrity.ts";
import { ioError } from "./io_error.ts";
import type { Compression } from "./objects_table.ts";
import { chunksSource, fileSource, mapFillErrors, pump, type PumpSource, WriteFailure } from "./pump.ts";
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
export class ReadFailure extends Error {
  override name = "ReadFailure";
  constructor(override readonly cause: unknown) {
    super("a read of the blob file failed", { cause });
  }
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

/** The same bytes as decodedChunks, as a pump source: raw files are read straight into the pump's buffers. */
function decodedSource(file: ReadableFile, fileSize: number, decoding: Compression): PumpSource {
  if (decoding === "zlib") return chunksSource(decodedChunks(file, fileSize, decoding), { readsOwnFile: true });
  return mapFillErrors(fileSource(file, fileSize), (err) => new ReadFailure(err));
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
 * Length and sha256 of a blob's bytes as they pass: more bytes than the recorded size is an
 * integrity error at once (decoding stops there: a zip bomb costs nothing), and `finish`
 * checks the count and the digest at the end.
 */
class ReadCheck {
  private readonly hasher: Hasher;
  private count = 0;

  constructor(private readonly read: CheckedRead) {
    const { ref, path, size, opened } = read;
    if (read.decoding === "" && opened.fileSize !== size) {
      throw integrityError(ref, path, `is ${opened.fileSize} bytes, expected ${size}`, { expectedSize: size, fileSize: opened.fileSize });
    }
    this.hasher = read.platform.createHasher();
  }

  update(chunk: Uint8Array): void {
    this.count += chunk.length;
    if (this.count > this.read.size) throw integrityError(this.read.ref, this.read.path, `decodes to more than the recorded ${this.read.size} bytes`, { expectedSize: this.read.size });
    this.hasher.update(chunk);
  }

  finish(): void {
    const { ref, path, size, hash } = this.read;
    if (this.count !== size) throw integrityError(ref, path, `decodes to ${this.count} bytes, expected ${size}`, { expectedSize: size, actualSize: this.count });
    const actual = this.hasher.digestHex();
    if (actual !== hash) throw integrityError(ref, path, `has sha256 ${actual}`, { expected: hash, actual });
  }

  /** What an error met while reading means: a TldrsError as it is, EIO for the file, damage for the decoder. */
  failure(err: unknown): unknown {
    if (err instanceof TldrsError || err instanceof WriteFailure) return err;
    if (err instanceof ReadFailure) return readError(err, this.read.ref, this.read.path);
    // Anything else came from the decoder: a bad header, a corrupt block, a truncated stream is damage, not I/O.
    return integrityError(this.read.ref, this.read.path, `is not a valid ${this.read.decoding === "zlib" ? "zlib stream" : "file"}: ${(err as Error).message}`);
  }
}

/**
 * The blob's bytes as they are decoded, with the length and sha256 checked on the way (see
 * ReadCheck): the end of the sequence is an integrity error instead of a normal end if the
 * bytes are wrong. Each chunk is a fresh buffer. Closes the file when done.
 */
export async function* checkedBytes(read: CheckedRead): AsyncGenerator<Uint8Array> {
  const { opened } = read;
  try {
    const check = new ReadCheck(read);
    try {
      for await (const chunk of decodedChunks(opened.file, opened.fileSize, read.decoding)) {
        check.update(chunk);
        yield chunk;
      }
    } catch (err) {
      throw check.failure(err);
    }
    check.finish();
  } finally {
    await opened.file.close();
  }
}

/**
 * The same checks, for a copy: the bytes go through `write` from reused buffers (pump.ts),
 * so a chunk is only valid until its write settles. Errors of `write` come out as
 * WriteFailure. Closes the file when done.
 */
export async function pumpChecked(read: CheckedRead, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const { opened } = read;
  try {
    const check = new ReadCheck(read);
    try {
      await pump(decodedSource(opened.file, opened.fileSize, read.decoding), (chunk) => check.update(chunk), write);
    } catch (err) {
      throw check.failure(err);
    }
    check.finish();
  } finally {
    await opened.file.close();
  }
}
