/**
 * Moving a staged upload into blobs/<aa>/<bb>/<hash>, only if no blob is there: an existing
 * file holds the same content by construction (it is named by its hash), so it wins and the
 * upload is dropped. A hard link is the atomic "create if absent" (rename would replace a
 * file a racing process just placed, perhaps with other compression than its row says); a
 * file system without hard links gets check-then-rename, the Python store's way.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import { ioError } from "./io_error.ts";
import { removeQuietly } from "./temp_file.ts";

export type Placement = { placed: true } | { placed: false; existingSize: number };

const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK", "ENOSYS"]);

export async function placeBlob(platform: Platform, tempPath: string, dest: string): Promise<Placement> {
  let useLink = true;
  // Retried because a racing gc or delete may remove what we found between two calls.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (useLink) {
      try {
        await platform.link(tempPath, dest);
        await removeQuietly(platform, tempPath); // a leftover name is swept with the other stale uploads
        return { placed: true };
      } catch (err) {
        const code = errnoCode(err);
        if (code !== undefined && NO_HARD_LINKS.has(code)) useLink = false;
        else if (code !== "EEXIST") throw placeError(dest, err);
      }
    }
    let kind: string;
    let size = 0;
    try {
      const st = await platform.stat(dest);
      kind = st.kind;
      size = st.size;
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw placeError(dest, err);
      if (useLink) continue;
      kind = "absent";
    }
    if (kind === "file") {
      await removeQuietly(platform, tempPath);
      return { placed: false, existingSize: size };
    }
    if (kind === "absent" || kind === "symlink") {
      // rename replaces a planted symlink itself, never what it points to.
      try {
        await platform.rename(tempPath, dest);
        return { placed: true };
      } catch (err) {
        throw placeError(dest, err);
      }
    }
    throw new TldrsError("EIO", `Cannot store blob at "${dest}": a ${kind} is in the way; remove it and retry`, { path: dest, data: { kind } });
  }
  throw new TldrsError("EIO", `Cannot store blob at "${dest}": it kept appearing and disappearing (a concurrent gc?); retry`, { path: dest });
}

function placeError(dest: string, err: unknown): unknown {
  return ioError(err, `Cannot store blob at "${dest}"`, dest);
}
