/**
 * The blob files on disk: blobs/<aa>/<bb>/<hash> where aa and bb are the hash's first two
 * byte pairs. Anything else under blobs/ is a stray: reported, never touched.
 */
import { errnoCode } from "../errors.ts";
import { joinPath } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { isBlobHash } from "./ref.ts";

export interface BlobWalk {
  /** hash -> path */
  blobs: Map<string, string>;
  strays: string[];
}

const PAIR = /^[0-9a-f]{2}$/;

export async function walkBlobs(platform: Platform, blobRoot: string): Promise<BlobWalk> {
  const walk: BlobWalk = { blobs: new Map(), strays: [] };
  for (const a of await listDir(platform, blobRoot)) {
    const aPath = joinPath(blobRoot, a);
    if (!PAIR.test(a) || !(await isDir(platform, aPath))) {
      walk.strays.push(aPath);
      continue;
    }
    for (const b of await listDir(platform, aPath)) {
      const bPath = joinPath(aPath, b);
      if (!PAIR.test(b) || !(await isDir(platform, bPath))) {
        walk.strays.push(bPath);
        continue;
      }
      for (const name of await listDir(platform, bPath)) {
        const path = joinPath(bPath, name);
        if (isBlobHash(name) && name.startsWith(a + b)) walk.blobs.set(name, path);
        else walk.strays.push(path);
      }
    }
  }
  return walk;
}

async function listDir(platform: Platform, path: string): Promise<string[]> {
  try {
    return (await platform.readdir(path)).sort();
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return [];
    throw err;
  }
}

async function isDir(platform: Platform, path: string): Promise<boolean> {
  try {
    return (await platform.stat(path)).kind === "dir"; // lstat: a symlinked folder is a stray
  } catch {
    return false;
  }
}
