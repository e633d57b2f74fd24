/**
 * Bytes and streams for tests: runtime-neutral (the conformance suite imports this on Deno and
 * Bun too), the one definition of each.
 */
import { createHash } from "node:crypto";

/** Deterministic, mildly compressible bytes. */
export function bytesOf(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = (x >>> 24) & 0x3f;
  }
  return out;
}

export async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** A stream of `bytes` in chunks of `size`. */
export function streamOf(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** Everything a stream yields, in one array. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** sha256 of bytes or a string (UTF-8), in lowercase hex: what a ref names. */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The `i`th of a sequence of distinct 1 MiB chunks (for streams too large to hold whole). */
export function mebibyteChunk(i: number): Uint8Array {
  const b = new Uint8Array(1024 * 1024);
  const view = new DataView(b.buffer);
  for (let j = 0; j < b.length; j += 4096) view.setUint32(j, (i * 1000003 + j) >>> 0, true);
  return b;
}
