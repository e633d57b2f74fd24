/**
 * What `put` accepts, turned into one shape: an async sequence of byte chunks of at most
 * CHUNK_BYTES each, plus the total size when it is known before reading (bytes, strings,
 * files), which lets the compression decision be made up front.
 */
import { argTypeError } from "../errors.ts";
import type { ReadableFile } from "../platform/port.ts";

export type PutData = Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** 1 MiB: large enough to amortize per-call costs, small enough to keep memory flat. */
export const CHUNK_BYTES = 1024 * 1024;

export interface ByteSource {
  chunks: AsyncIterable<Uint8Array>;
  /** Total bytes, if known before reading. */
  knownSize?: number;
}

export function toByteSource(data: unknown): ByteSource {
  if (typeof data === "string") {
    const bytes = new TextEncoder().encode(data);
    return { chunks: slicedAsync(bytes), knownSize: bytes.length };
  }
  if (data instanceof Uint8Array) return { chunks: slicedAsync(data), knownSize: data.length };
  if (isReadableStream(data)) return { chunks: rechunked(fromReadableStream(data)) };
  if (data !== null && typeof data === "object" && typeof (data as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    return { chunks: rechunked(checked(data as AsyncIterable<unknown>)) };
  }
  throw argTypeError("data", "a Uint8Array, a string, a ReadableStream<Uint8Array> or an AsyncIterable<Uint8Array>", data);
}

/** The bytes of an open file, read in CHUNK_BYTES pieces into fresh buffers. */
export async function* fileChunks(file: ReadableFile, size: number, chunkBytes = CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  let position = 0;
  while (position < size) {
    const buf = new Uint8Array(Math.min(chunkBytes, size - position));
    let got = 0;
    while (got < buf.length) {
      const n = await file.read(buf.subarray(got), position + got);
      if (n === 0) break;
      got += n;
    }
    if (got === 0) return; // the file shrank: the caller's length check reports it
    position += got;
    yield got === buf.length ? buf : buf.subarray(0, got);
  }
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== "undefined" && value instanceof ReadableStream;
}

function* sliced(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
}

async function* slicedAsync(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield* sliced(bytes);
}

async function* rechunked(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (chunk.length <= CHUNK_BYTES) yield chunk;
    else yield* sliced(chunk);
  }
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
