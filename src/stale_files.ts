/**
 * Leftovers of killed processes: temp files only their writer ever opens, which a crash leaves
 * behind. A live writer holds one for milliseconds, so a file of ours untouched for `graceMs`
 * (an hour, everywhere in the store) is garbage. Only regular files whose names `isOurs`
 * accepts are deleted; errors are the caller's (housekeeping callers ignore them).
 */
import { joinPath } from "./platform/path.ts";
import type { Platform } from "./platform/port.ts";

/** Deletes the stale files of `dir` that `isOurs` names; returns how many. */
export async function sweepStaleFiles(platform: Platform, dir: string, isOurs: (name: string) => boolean, graceMs: number): Promise<number> {
  let swept = 0;
  for (const name of await platform.readdir(dir)) {
    if (!isOurs(name)) continue;
    const path = joinPath(dir, name);
    const st = await platform.stat(path).catch(() => null);
    if (st?.kind === "file" && platform.now() - st.mtimeMs > graceMs) {
      await platform.unlink(path).then(() => swept++, () => undefined);
    }
  }
  return swept;
}
