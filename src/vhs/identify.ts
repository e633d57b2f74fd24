/**
 * A blob file without its row (a crash between the file's rename and the row's insert, or
 * another tool) is identified by the hash itself: the bytes that hash to the file's name
 * are the right ones, raw or zlib-decoded. Nothing else about the file is trusted.
 */
import type { Platform } from "../platform/port.ts";
import { decodedChunks, openBlobFile, ReadFailure, readError, readHeader } from "./blob_file.ts";
import { digestOf } from "./integrity.ts";
import type { Compression } from "./objects_table.ts";
import { looksLikeZlib } from "./zlib.ts";

export interface BlobFacts {
  size: number;
  storedSize: number;
  compression: Compression;
}

export type Identified =
  | { kind: "missing" }
  | { kind: "valid"; facts: BlobFacts; mtimeMs: number }
  | { kind: "corrupt"; fileSize: number; mtimeMs: number };

/** deflate's largest expansion (RFC 1951: 258-byte matches from 2-bit codes), with slack for headers. */
const MAX_INFLATE_RATIO = 1032;

export async function identifyBlobFile(platform: Platform, path: string, hash: string, ref: string): Promise<Identified> {
  const opened = await openBlobFile(platform, path, ref);
  if (!opened) return { kind: "missing" };
  const { file, fileSize, mtimeMs } = opened;
  try {
    if (looksLikeZlib(await readHeader(file))) {
      try {
        const d = await digestOf(platform, decodedChunks(file, fileSize, "zlib"), fileSize * MAX_INFLATE_RATIO + 1024);
        if (d?.hash === hash) return { kind: "valid", facts: { size: d.size, storedSize: fileSize, compression: "zlib" }, mtimeMs };
      } catch (err) {
        if (err instanceof ReadFailure) throw readError(err, ref, path);
        // Not a zlib stream after all: raw bytes that happen to start like one.
      }
    }
    const raw = await digestOf(platform, decodedChunks(file, fileSize, "")).catch((err: unknown) => {
      throw err instanceof ReadFailure ? readError(err, ref, path) : err;
    });
    if (raw?.hash === hash) return { kind: "valid", facts: { size: fileSize, storedSize: fileSize, compression: "" }, mtimeMs };
    return { kind: "corrupt", fileSize, mtimeMs };
  } finally {
    await file.close();
  }
}
