/**
 * The blob files on disk: blobs/<aa>/<bb>/<hash> where aa and bb are the hash's first two
 * byte pairs. Anything else under blobs/ is a stray: reported, never touched.
 */
import { errnoCode } from "../errors.ts";
import { joinPath } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { storeFolderKind } from "../store_folder.ts";
import { isBlobHash } from "../ref.ts";

export interface BlobWalk {
  /** hash -> path */
  blobs: Map<string, string>;
  strays: string[];
}

const PAIR = /^[0-9a-f]{2}$/;

/**
 * Lists every blob file. A symbolic link at blobs/ or at a blobs/<aa>, blobs/<aa>/<bb> name
 * is refused (store_folder.ts): gc and verify would otherwise list, adopt and delete files
 * outside the store. Other entries that are not folders are strays.
 */
export async function walkBlobs(platform: Platform, blobRoot: string): Promise<BlobWalk> {
  const walk: BlobWalk = { blobs: new Map(), strays: [] };
  if ((await storeFolderKind(platform, blobRoot)) !== "dir") return walk;
  for (const a of await listDir(platform, blobRoot)) {
    const aPath = joinPath(blobRoot, a);
    if (!PAIR.test(a) || (await storeFolderKind(platform, aPath)) !== "dir") {
      walk.strays.push(aPath);
      continue;
    }
    for (const b of await listDir(platform, aPath)) {
      const bPath = joinPath(aPath, b);
      if (!PAIR.test(b) || (await storeFolderKind(platform, bPath)) !== "dir") {
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
