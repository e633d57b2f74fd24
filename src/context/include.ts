/**
 * `--include REF`: a stored blob appended to the context, read within the output's limits.
 *
 * The blob is streamed (checked against its hash as it goes, vhs/vhs_store.ts) and only as
 * much of it is kept as the limits could ever print: a 100 MB blob under `--max-bytes 5000`
 * keeps 5 KB (measured: 80 MB resident for the whole command; the old reader decoded it whole,
 * 837 MB). Text is read to the end so that what is printed is verified. A blob whose first
 * 8 KiB hold a NUL byte or are not UTF-8, or whose kept part is not UTF-8, is binary: never
 * decoded into replacement characters; the output gets one line with its size, a guess at its
 * type and how to fetch it, and reading stops there (nothing of it is printed).
 */
import { concatBytes } from "../bytes.ts";
import { canonicalRef } from "../ref.ts";
import type { IncludeItem } from "./plan.ts";
import type { Limits } from "./size.ts";

export interface IncludeSource {
  getStream(ref: string): Promise<ReadableStream<Uint8Array>>;
  info(ref: string): Promise<{ size: number } | null>;
}

/** Bytes worth keeping under `limits`: no more than could be printed (3 UTF-8 bytes per UTF-16 unit at most). */
export function includeCaps(limits: Limits): { bytes: number; lines: number } {
  const bytes = Math.min(limits.maxBytes ?? Number.POSITIVE_INFINITY, limits.budget !== undefined ? limits.budget * 4 * 3 : Number.POSITIVE_INFINITY);
  return { bytes, lines: limits.maxLines ?? Number.POSITIVE_INFINITY };
}

/** Bytes looked at to tell text from binary (git's heuristic looks at 8,000). */
const SNIFF_BYTES = 8192;

export async function readInclude(source: IncludeSource, ref: string, caps: { bytes: number; lines: number }): Promise<IncludeItem> {
  const stream = await source.getStream(ref);
  const reader = stream.getReader();
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let keptLines = 0;
  let total = 0;
  let sniff: Uint8Array = new Uint8Array(0);
  let binary = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (sniff.length < SNIFF_BYTES) {
        sniff = concatBytes([sniff, value.subarray(0, SNIFF_BYTES - sniff.length)]);
        if (looksBinary(sniff, sniff.length < SNIFF_BYTES)) {
          binary = true;
          break; // nothing of it will be printed: no need to read (or verify) the rest
        }
      }
      if (keptBytes < caps.bytes && keptLines < caps.lines) {
        let take = value.subarray(0, Math.min(value.length, caps.bytes - keptBytes));
        for (let i = 0; i < take.length; i++) {
          if (take[i] === 0x0a && ++keptLines >= caps.lines) {
            take = take.subarray(0, i + 1);
            break;
          }
        }
        kept.push(take.slice());
        keptBytes += take.length;
      }
      // The rest is read only so that the blob is checked against its hash to the end.
    }
  } finally {
    if (binary) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  // Includes are printed under their ref; a bad one is the store's to refuse, in its words.
  const canonical = canonicalRef(ref) ?? ref;
  const complete = !binary && keptBytes === total;
  let text = "";
  if (!binary) {
    const bytes = concatBytes(kept);
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(complete ? bytes : bytes.subarray(0, charBoundary(bytes)));
    } catch {
      binary = true; // invalid UTF-8 past the sniffed part
    }
  }
  if (binary) {
    const info = await source.info(ref);
    return { ref: canonical, size: info?.size ?? total, binary: { type: guessType(sniff) }, text: "", complete: false };
  }
  return { ref: canonical, size: total, text, complete };
}

/**
 * A NUL byte, or bytes that are not UTF-8 (a sequence cut at the end of a window that is not
 * the whole blob is not held against it).
 */
function looksBinary(bytes: Uint8Array, whole: boolean): boolean {
  if (bytes.includes(0)) return true;
  const end = whole ? bytes.length : charBoundary(bytes);
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end));
    return false;
  } catch {
    return true;
  }
}

/** The length of `bytes` without a character cut at its end. */
function charBoundary(bytes: Uint8Array): number {
  let end = bytes.length;
  let i = end - 1;
  while (i >= 0 && (bytes[i]! & 0xc0) === 0x80) i--;
  if (i < 0) return 0;
  const lead = bytes[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (end - i < need) end = i;
  return end;
}

const MAGIC: ReadonlyArray<[bytes: readonly number[] | string, type: string]> = [
  [[0x89, 0x50, 0x4e, 0x47], "PNG image"],
  [[0xff, 0xd8, 0xff], "JPEG image"],
  ["GIF8", "GIF image"],
  ["%PDF", "PDF document"],
  [[0x50, 0x4b, 0x03, 0x04], "zip archive"],
  [[0x1f, 0x8b], "gzip data"],
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd data"],
  ["BZh", "bzip2 data"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz data"],
  [[0x7f, 0x45, 0x4c, 0x46], "ELF executable"],
  [[0xcf, 0xfa, 0xed, 0xfe], "Mach-O executable"],
  ["MZ", "Windows executable"],
  [[0x00, 0x61, 0x73, 0x6d], "WebAssembly module"],
  ["SQLite format 3\u0000", "SQLite database"],
  [[0x78, 0x9c], "zlib data"],
  [[0x78, 0x01], "zlib data"],
  [[0x78, 0xda], "zlib data"],
];

/** A type from the first bytes (magic numbers), else "binary data". */
export function guessType(head: Uint8Array): string {
  for (const [magic, type] of MAGIC) {
    const bytes = typeof magic === "string" ? [...magic].map((c) => c.charCodeAt(0)) : magic;
    if (bytes.length <= head.length && bytes.every((b, i) => head[i] === b)) return type;
  }
  return "binary data";
}
