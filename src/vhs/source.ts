/**
 * What `put` accepts, turned into one shape: a PumpSource (pump.ts), whose bytes are copied
 * into the put's own buffers as they arrive. An open file given by fileChunks() is read
 * straight into those buffers instead (the CLI's and MCP's `put FILE`).
 */
import { argTypeError } from "../errors.ts";
import type { ReadableFile } from "../platform/port.ts";
import { readAt } from "../platform/read_at.ts";
import { chunksSource, fileSource, type PumpSource, quiet } from "./pump.ts";

export type PutData = Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** 1 MiB: large enough to amortize per-call costs, small enough to keep memory flat. */
export const CHUNK_BYTES = 1024 * 1024;

export function toByteSource(data: unknown): PumpSource {
  if (typeof data === "string") return bytesSource(new TextEncoder().encode(data));
  if (data instanceof Uint8Array) return bytesSource(data);
  if (data instanceof FileChunks) return fileSource(data.file, data.size, data.onBytes);
  if (data instanceof ReaderChunks) return data.source();
  if (isReadableStream(data)) return chunksSource(fromReadableStream(data));
  if (data !== null && typeof data === "object" && typeof (data as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    return chunksSource(checked(data as AsyncIterable<unknown>));
  }
  throw argTypeError("data", "a Uint8Array, a string, a ReadableStream<Uint8Array> or an AsyncIterable<Uint8Array>", data);
}

/**
 * The bytes of an open file as an async sequence of fresh CHUNK_BYTES buffers (the caller may
 * keep them), with the next read under way while the caller uses a chunk. Given to `put`,
 * the file is read straight into the put's buffers instead.
 */
export function fileChunks(file: ReadableFile, size: number, chunkBytes = CHUNK_BYTES, onBytes?: (n: number) => void): FileChunks {
  return new FileChunks(file, size, chunkBytes, onBytes);
}

export class FileChunks implements AsyncIterable<Uint8Array> {
  constructor(
    readonly file: ReadableFile,
    readonly size: number,
    readonly chunkBytes: number,
    readonly onBytes?: (n: number) => void,
  ) {}

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    return readAhead(this);
  }
}

async function* readAhead({ file, size, chunkBytes, onBytes }: FileChunks): AsyncGenerator<Uint8Array> {
  const chunkAt = (position: number) => readAt(file, position, Math.min(chunkBytes, size - position));
  let position = 0;
  let next = size > 0 ? quiet(chunkAt(0)) : undefined;
  try {
    while (next) {
      const chunk = await next;
      next = undefined;
      if (chunk.length === 0) return; // the file shrank: the caller's length check reports it
      position += chunk.length;
      if (position < size) next = quiet(chunkAt(position));
      onBytes?.(chunk.length);
      yield chunk;
    }
  } finally {
    // Stopped early: the read under way ends before the caller closes the file.
    await next?.catch(() => undefined);
  }
}

/**
 * A sequential reader (a pipe on stdin: `read` puts what it has into the buffer and returns
 * the count, 0 at the end) as an async sequence of fresh chunks. Given to `put`, it reads
 * straight into the put's buffers: no chunk is allocated (a 64 KiB stream chunk per read
 * left ~40 MB of garbage for the collector on a 256 MiB put, measured). `abandon` is called
 * after an error, with a read perhaps still waiting for data: it makes that read resolve.
 */
export class ReaderChunks implements AsyncIterable<Uint8Array> {
  constructor(
    readonly read: (buffer: Uint8Array) => Promise<number>,
    readonly abandon: () => void = () => undefined,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const buffer = new Uint8Array(CHUNK_BYTES);
      const n = await this.read(buffer);
      if (n === 0) return;
      yield buffer.subarray(0, n);
    }
  }

  source(): PumpSource {
    let ended = false;
    const fill = async (buffer: Uint8Array) => {
      let used = 0;
      while (used < buffer.length && !ended) {
        const n = await this.read(buffer.subarray(used));
        if (n === 0) ended = true;
        used += n;
      }
      return used;
    };
    return { fill, stop: async () => this.abandon() };
  }
}

function bytesSource(bytes: Uint8Array): PumpSource {
  return chunksSource(
    (async function* () {
      yield bytes;
    })(),
    { sizeHint: bytes.length },
  );
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== "undefined" && value instanceof ReadableStream;
}

async function* checked(items: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const item of items) {
    if (!(item instanceof Uint8Array)) throw argTypeError("data", "chunks that are Uint8Array", item);
    yield item;
  }
}

/** Reads a stream; if we stop early (an error on our side), the stream is cancelled. */
async function* fromReadableStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw argTypeError("data", "a stream of Uint8Array chunks", value);
      yield value;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
