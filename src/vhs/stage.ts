/**
 * Staging a put, the Python store's way: the bytes are hashed as they arrive and written raw
 * to an exclusively created temp file in tmp/ (pump.ts: reads, hashing and writes overlap);
 * then, if compression is wanted, that file is compressed into a second temp file, and the
 * smaller of the two is kept: a blob that does not shrink is stored raw (its row says
 * compression ''). The kept file is fsynced; the caller moves it into place (place.ts) and
 * records the row.
 *
 * When to compress, as the Python store decides once the size is known: `compress: true`
 * always, `compress: false` never, otherwise when `minBytes` is given and the size reaches
 * it. Nothing by default.
 */
import type { Platform, WritableFile } from "../platform/port.ts";
import { ioError } from "./io_error.ts";
import type { Compression } from "./objects_table.ts";
import { chunksSource, pump, type PumpSource, WriteFailure } from "./pump.ts";
import { fileChunks } from "./source.ts";
import { removeQuietly } from "../file_ops.ts";
import { createTempFile } from "./temp_file.ts";
import { WritebackWriter } from "./writeback.ts";
import { deflate } from "./zlib.ts";

export interface CompressionPlan {
  compress: boolean | undefined;
  /** Compress at or above this many bytes when `compress` is unset; undefined: never. */
  minBytes: number | undefined;
}

export interface StagedBlob {
  tempPath: string;
  hash: string;
  size: number;
  storedSize: number;
  compression: Compression;
}

export function wantsCompression(plan: CompressionPlan, size: number): boolean {
  if (plan.compress !== undefined) return plan.compress;
  return plan.minBytes !== undefined && size >= plan.minBytes;
}

export async function stageBlob(platform: Platform, tmpDir: string, source: PumpSource, plan: CompressionPlan): Promise<StagedBlob> {
  const prefix = `upload-${platform.pid}-`;
  const hasher = platform.createHasher();
  const { path, file } = await createTempFile(platform, tmpDir, prefix);
  const out = new WritebackWriter(file, plan.compress !== true); // compress: true usually drops this copy
  let open = true;
  try {
    const size = await pump(source, (chunk) => hasher.update(chunk), out.write).catch((err: unknown) => {
      throw err instanceof WriteFailure ? stepError(path, "write", err.cause) : err;
    });
    const staged = { tempPath: path, hash: hasher.digestHex(), size, storedSize: size, compression: "" as Compression };
    if (wantsCompression(plan, size)) {
      const compressed = await compressFile(platform, tmpDir, prefix, path, size);
      if (compressed) {
        open = false;
        await out.settle().catch(() => undefined);
        await file.close().catch(() => undefined); // removed at once
        await removeQuietly(platform, path);
        return { ...staged, tempPath: compressed.path, storedSize: compressed.size, compression: "zlib" };
      }
    }
    open = false;
    await finish(path, file, out);
    return staged;
  } catch (err) {
    if (open) await out.settle().catch(() => undefined);
    if (open) await file.close().catch(() => undefined);
    await removeQuietly(platform, path);
    throw err;
  }
}

/** fsync and close: the bytes survive a power cut before the file gets its name. */
async function finish(path: string, file: WritableFile, out: WritebackWriter): Promise<void> {
  let closed = false;
  try {
    await out
      .settle()
      .then(() => file.sync())
      .catch((err: unknown) => {
        throw stepError(path, "fsync", err);
      });
    closed = true;
    await file.close().catch((err: unknown) => {
      throw stepError(path, "close", err);
    });
  } finally {
    if (!closed) await file.close().catch(() => undefined);
  }
}

/** The raw temp file compressed into a new one, fsynced; null (and nothing left) if it is not smaller. */
async function compressFile(platform: Platform, dir: string, prefix: string, rawPath: string, size: number): Promise<{ path: string; size: number } | null> {
  const raw = await platform.openRead(rawPath).catch((err: unknown) => {
    throw stepError(rawPath, "open", err);
  });
  let temp;
  try {
    temp = await createTempFile(platform, dir, prefix);
    const out = new WritebackWriter(temp.file);
    let open = true;
    try {
      const stored = await pump(chunksSource(deflate(fileChunks(raw, size)), { readsOwnFile: true }), () => undefined, out.write).catch((err: unknown) => {
        throw err instanceof WriteFailure ? stepError(temp!.path, "write", err.cause) : stepError(rawPath, "read", err);
      });
      if (stored >= size) {
        open = false;
        await out.settle().catch(() => undefined);
        await temp.file.close().catch(() => undefined);
        await removeQuietly(platform, temp.path);
        return null;
      }
      open = false;
      await finish(temp.path, temp.file, out);
      return { path: temp.path, size: stored };
    } catch (err) {
      if (open) await out.settle().catch(() => undefined);
      if (open) await temp.file.close().catch(() => undefined);
      await removeQuietly(platform, temp.path);
      throw err;
    }
  } finally {
    await raw.close().catch(() => undefined);
  }
}

function stepError(path: string, step: string, err: unknown): unknown {
  return ioError(err, `Cannot write upload "${path}" (${step})`, path, { step });
}
