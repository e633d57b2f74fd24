/**
 * Stale uploads: `tmp/upload-*` left by a process that died mid-put (ours or the Python
 * store's, which uses the same prefix). An upload in progress rewrites its file every few
 * milliseconds, so an hour without a change means nobody is writing it.
 */
import { errnoCode } from "../errors.ts";
import { joinPath } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";

export const STALE_UPLOAD_MS = 60 * 60 * 1000;

export async function findStaleUploads(platform: Platform, tmpDir: string): Promise<string[]> {
  let names: string[];
  try {
    // A tmp/ that is a symlink is not ours to clean: its files live somewhere else.
    if ((await platform.stat(tmpDir)).kind !== "dir") return [];
    names = await platform.readdir(tmpDir);
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return [];
    throw err;
  }
  const stale: string[] = [];
  for (const name of names.sort()) {
    if (!name.startsWith("upload-")) continue;
    const path = joinPath(tmpDir, name);
    try {
      const st = await platform.stat(path);
      if ((st.kind === "file" || st.kind === "symlink") && platform.now() - st.mtimeMs > STALE_UPLOAD_MS) stale.push(path);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
  }
  return stale;
}

/** Removes files that may already be gone; returns those it removed. */
export async function removeFiles(platform: Platform, paths: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const path of paths) {
    try {
      await platform.unlink(path);
      removed.push(path);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
  }
  return removed;
}
