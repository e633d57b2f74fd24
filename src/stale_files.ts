/**
 * Leftovers of killed processes: temp files only their writer ever opens, which a crash leaves
 * behind. A live writer holds one for milliseconds, so a file of ours untouched for `graceMs`
 * (an hour, everywhere in the store) is garbage. Only files whose names `isOurs` accepts are
 * touched. The one sweeper of the store: the flush's temp and undo files (engine/flush.ts), the
 * default session's temp files, the symbol cache's, and stale uploads in `tmp/` (vhs/sweep.ts).
 *
 * Errors: a file that vanishes meanwhile is skipped; any other failure is thrown (housekeeping
 * callers catch and ignore it; gc and verify report it).
 */
import { errnoCode } from "./errors.ts";
import { joinPath } from "./platform/path.ts";
import type { Platform } from "./platform/port.ts";

export interface FindStaleOptions {
  /** Symbolic links count too (deleting one removes the link, never its target). Default false. */
  links?: boolean;
}

/** The paths of the stale files of `dir` that `isOurs` names, in name order. */
export async function findStaleFiles(platform: Platform, dir: string, isOurs: (name: string) => boolean, graceMs: number, options: FindStaleOptions = {}): Promise<string[]> {
  const stale: string[] = [];
  for (const name of (await platform.readdir(dir)).sort()) {
    if (!isOurs(name)) continue;
    const path = joinPath(dir, name);
    try {
      const st = await platform.stat(path);
      if ((st.kind === "file" || (options.links === true && st.kind === "symlink")) && platform.now() - st.mtimeMs > graceMs) stale.push(path);
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

/** Deletes the stale files of `dir` that `isOurs` names; returns how many. */
export async function sweepStaleFiles(platform: Platform, dir: string, isOurs: (name: string) => boolean, graceMs: number): Promise<number> {
  return (await removeFiles(platform, await findStaleFiles(platform, dir, isOurs, graceMs))).length;
}
