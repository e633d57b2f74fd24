/**
 * Staging a put: the bytes are hashed as they arrive and written (compressed or not) to an
 * exclusively created temp file in tmp/, which is fsynced. The caller then moves it into
 * place (place.ts) and records the row.
 *
 * When to compress: `compress: true` always, `compress: false` never, otherwise when the
 * size reaches `minBytes` (the Python store's rule). A size known up front (bytes, strings,
 * files) decides at once. A stream's size is not known: its head is held in memory until
 * it reaches `minBytes` (then compression starts, fed the head first) or ends (then it is
 * written raw). With a threshold above HEAD_LIMIT_BYTES, holding the head would cost that
 * much memory, so past that limit the stream goes to the file raw and, if it then reaches
 * the threshold, is compressed in a second pass from that file, as the Python store does.
 */
import type { Platform } from "../platform/port.ts";
import { ioError } from "./io_error.ts";
import type { Compression } from "./objects_table.ts";
import { type ByteSource, fileChunks } from "./source.ts";
import { BufferedWriter, createTempFile, removeQuietly } from "./temp_file.ts";
import { deflate } from "./zlib.ts";

export const DEFAULT_COMPRESS_MIN_BYTES = 64 * 1024;
/** The most of a stream held in memory while waiting to learn whether it reaches the threshold. */
export const HEAD_LIMIT_BYTES = 4 * 1024 * 1024;

export interface CompressionPlan {
  compress: boolean | undefined;
  minBytes: number;
}

export interface StagedBlob {
  tempPath: string;
  hash: string;
  size: number;
  storedSize: number;
  compression: Compression;
}

export async function stageBlob(platform: Platform, tmpDir: string, source: ByteSource, plan: CompressionPlan): Promise<StagedBlob> {
  const hasher = platform.createHasher();
  let size = 0;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source.chunks) {
      hasher.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  const input = hashed();
  const prefix = `upload-${platform.pid}-`;

  let decided: Compression | undefined;
  if (plan.compress !== undefined) decided = plan.compress ? "zlib" : "";
  else if (source.knownSize !== undefined) decided = source.knownSize >= plan.minBytes ? "zlib" : "";

  let compression: Compression;
  let spilled = false;
  let bytes: AsyncIterable<Uint8Array> = input;
  if (decided !== undefined) {
    compression = decided;
  } else {
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let ended = false;
    const limit = Math.min(plan.minBytes, HEAD_LIMIT_BYTES);
    while (headBytes < limit) {
      const r = await input.next();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value.slice()); // the producer may reuse its buffer
      headBytes += r.value.length;
    }
    compression = headBytes >= plan.minBytes ? "zlib" : "";
    spilled = !ended && compression === "";
    bytes = (async function* () {
      yield* head;
      yield* input;
    })();
  }

  let temp = await writeTempFile(platform, tmpDir, prefix, compression === "zlib" ? deflate(bytes) : bytes);
  if (spilled && size >= plan.minBytes) {
    try {
      temp = await compressFile(platform, tmpDir, prefix, temp.path);
      compression = "zlib";
    } catch (err) {
      await removeQuietly(platform, temp.path);
      throw err;
    }
  }
  return { tempPath: temp.path, hash: hasher.digestHex(), size, storedSize: temp.size, compression };
}

/** Writes `chunks` to a new temp file, fsyncs and closes it; on any failure removes it. */
async function writeTempFile(platform: Platform, dir: string, prefix: string, chunks: AsyncIterable<Uint8Array>): Promise<{ path: string; size: number }> {
  const { path, file } = await createTempFile(platform, dir, prefix);
  const out = new BufferedWriter(file);
  let closed = false;
  try {
    const it = chunks[Symbol.asyncIterator]();
    for (;;) {
      const r = await it.next(); // errors of the caller's stream pass through as they are
      if (r.done) break;
      await fileStep(path, "write", () => out.write(r.value));
    }
    await fileStep(path, "write", () => out.flush());
    await fileStep(path, "fsync", () => file.sync());
    closed = true;
    await fileStep(path, "close", () => file.close());
    return { path, size: out.written };
  } catch (err) {
    if (!closed) await file.close().catch(() => undefined);
    await removeQuietly(platform, path);
    throw err;
  }
}

/** The second pass of a spilled stream: the raw temp file, compressed into a new one. */
async function compressFile(platform: Platform, dir: string, prefix: string, rawPath: string): Promise<{ path: string; size: number }> {
  const raw = await platform.openRead(rawPath);
  try {
    const { size } = await raw.stat();
    const compressed = await writeTempFile(platform, dir, prefix, deflate(fileChunks(raw, size)));
    await removeQuietly(platform, rawPath);
    return compressed;
  } finally {
    await raw.close();
  }
}

async function fileStep<T>(path: string, step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw ioError(err, `Cannot write upload "${path}" (${step})`, path, { step });
  }
}
