/**
 * Moving a staged upload into blobs/<aa>/<bb>/<hash>, only if no blob is there: a hard link
 * is the atomic "create if absent" (rename would replace a file a racing process just placed,
 * perhaps with other compression than its row says); a file system without hard links gets
 * check-then-rename, the Python store's way. An existing file is left for the caller to judge
 * (put_blob.ts: it is the same content by its name unless it is damaged). The temp file stays
 * where it is unless a rename consumed it: the caller removes it once the row is written.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import { publishByLink } from "../file_ops.ts";
import type { Platform } from "../platform/port.ts";
import { ioError } from "./io_error.ts";

export type Placement = { placed: true; tempConsumed: boolean } | { placed: false };

export async function placeBlob(platform: Platform, tempPath: string, dest: string): Promise<Placement> {
  let useLink = true;
  // Retried because a racing gc or delete may remove what we found between two calls.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (useLink) {
      let outcome;
      try {
        outcome = await publishByLink(platform, tempPath, dest);
      } catch (err) {
        throw placeError(dest, err);
      }
      if (outcome === "linked") return { placed: true, tempConsumed: false };
      if (outcome === "unsupported") useLink = false;
    }
    let kind: string;
    try {
      kind = (await platform.stat(dest)).kind;
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw placeError(dest, err);
      if (useLink) continue;
      kind = "absent";
    }
    if (kind === "file") return { placed: false };
    if (kind === "absent" || kind === "symlink") {
      // rename replaces a planted symlink itself, never what it points to.
      await replaceBlobFile(platform, tempPath, dest);
      return { placed: true, tempConsumed: true };
    }
    throw new TldrsError("EIO", `Cannot store blob at "${dest}": a ${kind} is in the way; remove it and retry`, { path: dest, data: { kind } });
  }
  throw new TldrsError("EIO", `Cannot store blob at "${dest}": it kept appearing and disappearing (a concurrent gc?); retry`, { path: dest });
}

/** Puts the staged file at `dest` by rename, replacing what is there (atomic). */
export async function replaceBlobFile(platform: Platform, tempPath: string, dest: string): Promise<void> {
  try {
    await platform.rename(tempPath, dest);
  } catch (err) {
    throw placeError(dest, err);
  }
}

function placeError(dest: string, err: unknown): unknown {
  return ioError(err, `Cannot store blob at "${dest}"`, dest);
}
