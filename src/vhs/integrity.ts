/** The integrity error, and the digest of a byte sequence: shared by reads, adoption and verify. */
import { TldrsError } from "../errors.ts";
import type { Platform } from "../platform/port.ts";

export function integrityError(ref: string, path: string, detail: string, data?: Record<string, unknown>): TldrsError {
  return new TldrsError(
    "EINTEGRITY",
    `Blob "${ref}" failed its integrity check: file "${path}" ${detail}; run verify({ repair: true }) to quarantine it, then put the content again`,
    { ref, path, ...(data ? { data } : {}) },
  );
}

export interface Digest {
  hash: string;
  size: number;
}

/**
 * sha256 and length of `chunks`. Past `limit` bytes it stops and returns null: a zlib
 * file expands at most 1032:1, but nothing obliges us to read a bomb to its end.
 */
export async function digestOf(platform: Platform, chunks: AsyncIterable<Uint8Array>, limit = Number.POSITIVE_INFINITY): Promise<Digest | null> {
  const hasher = platform.createHasher();
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > limit) return null;
    hasher.update(chunk);
  }
  return { hash: hasher.digestHex(), size };
}
