/** Shared by the reliability tests: memory stores cloned from a template, file listings, bytes. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createMemoryPlatform } from "../../src/platform/memory.ts";
import type { Platform } from "../../src/platform/port.ts";

export const readUrl = async (url: URL) => new Uint8Array(await readFile(url));

/**
 * A memory platform for the "process" `pid`, alive while `alive` holds it. Hashing by
 * node:crypto (the memory platform's portable hasher is ~10x slower, and the fault matrix
 * hashes every blob in every recovery).
 */
export function memoryPlatform(pid: number, alive: Set<number>): Platform {
  return {
    ...createMemoryPlatform({ pid, alivePids: alive, readUrl }),
    createHasher() {
      const h = createHash("sha256");
      return { update: (chunk: Uint8Array) => void h.update(chunk), digestHex: () => h.digest("hex") };
    },
  };
}

/** Copies every folder and file under `from` (a memory platform) into `to`, modes included. */
export async function copyTree(from: Platform, to: Platform, path = "/"): Promise<void> {
  for (const name of await from.readdir(path)) {
    const full = path === "/" ? `/${name}` : `${path}/${name}`;
    const st = await from.stat(full);
    if (st.kind === "dir") {
      await to.mkdir(full, st.mode);
      await copyTree(from, to, full);
    } else if (st.kind === "file") {
      const f = await to.createExclusive(full, st.mode);
      await f.write(await from.readFile(full));
      await f.close();
    } else {
      throw new Error(`copyTree: ${full} is a ${st.kind}`);
    }
  }
}

/** Every file (not folder) under `path`, as paths relative to it. */
export async function listFiles(platform: Platform, path: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  let names: string[];
  try {
    names = await platform.readdir(path);
  } catch {
    return out;
  }
  for (const name of names) {
    const st = await platform.stat(`${path}/${name}`);
    if (st.kind === "dir") out.push(...(await listFiles(platform, `${path}/${name}`, `${prefix}${name}/`)));
    else out.push(`${prefix}${name}`);
  }
  return out.sort();
}

/** The files a store may hold at rest: its database, blob files, default session id and its folder's markers. */
export function isRestingFile(rel: string): boolean {
  return rel === "tldrs_state.db" || rel === "default_session_id" || rel === ".gitignore" || rel === "CACHEDIR.TAG" || /^blobs\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(rel);
}

/** Deterministic, mildly compressible bytes (one generator for every test tree). */
export { bytesOf } from "../vhs/helpers.ts";

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}
