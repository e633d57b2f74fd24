/**
 * Stale uploads: `tmp/upload-*` left by a process that died mid-put (ours or the Python
 * store's, which uses the same prefix). An upload in progress rewrites its file every few
 * milliseconds, so an hour without a change means nobody is writing it. Found (and removed)
 * by the store's one sweeper, stale_files.ts.
 */
import { errnoCode } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import { findStaleFiles } from "../stale_files.ts";

export const STALE_UPLOAD_MS = 60 * 60 * 1000;

export async function findStaleUploads(platform: Platform, tmpDir: string): Promise<string[]> {
  try {
    // A tmp/ that is a symlink is not ours to clean: its files live somewhere else.
    if ((await platform.stat(tmpDir)).kind !== "dir") return [];
    return await findStaleFiles(platform, tmpDir, (name) => name.startsWith("upload-"), STALE_UPLOAD_MS, { links: true });
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return [];
    throw err;
  }
}
