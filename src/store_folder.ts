/**
 * The rule for the folders inside the store (blobs/, blobs/<aa>/, blobs/<aa>/<bb>/, tmp/,
 * quarantine/, cache/), for every operation that reads, lists, writes or deletes through
 * them: a folder, never a symbolic link. A link planted there would lead our reads, listings,
 * writes and deletes to files outside the store (gc took outside files in as blobs and deleted
 * them). A link is refused with an error naming it; anything else that is not a folder holds
 * no file of ours (reads find nothing there, walks report it as a stray) and is never written
 * through. The store folder itself may be a link: the user chose where it lives.
 *
 * Checked by lstat just before use: a process that can rename inside .tldrs/ between the check
 * and the use can still win that race (documented in RELIABILITY.md).
 */
import { TldrsError, errnoCode } from "./errors.ts";
import type { EntryKind, Platform } from "./platform/port.ts";

function refusal(path: string, what: string, kind: string): TldrsError {
  return new TldrsError("EIO", `Refusing to use "${path}": it is ${what}, and tldrs reads and writes its files only in real folders inside the store; remove it and retry`, { path, data: { kind } });
}

/** What is at a store folder's path ("absent" if nothing); throws for a symbolic link. */
export async function storeFolderKind(platform: Platform, path: string): Promise<EntryKind | "absent"> {
  let kind: EntryKind;
  try {
    kind = (await platform.stat(path)).kind; // lstat: the link itself, not where it leads
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return "absent";
    throw new TldrsError("EIO", `Cannot check folder "${path}": ${(err as Error).message}`, { path, cause: err, data: { errno: errnoCode(err) } });
  }
  if (kind === "symlink") throw refusal(path, "a symbolic link", kind);
  return kind;
}

/** True if each of `paths` (outermost first) is a real folder; false if one is absent or not a folder. */
export async function storeFoldersExist(platform: Platform, ...paths: string[]): Promise<boolean> {
  for (const path of paths) {
    if ((await storeFolderKind(platform, path)) !== "dir") return false;
  }
  return true;
}

/** Creates `path` (0755 under the umask) if missing and checks that it is a real folder. */
export async function ensureStoreFolder(platform: Platform, path: string): Promise<void> {
  let mkdirError: unknown;
  try {
    await platform.mkdir(path, 0o755);
  } catch (err) {
    mkdirError = err; // judged below from what is there
  }
  const kind = await storeFolderKind(platform, path);
  if (kind === "absent") {
    const cause = mkdirError;
    throw new TldrsError("EIO", `Cannot create folder "${path}": ${(cause as Error | undefined)?.message ?? "it is missing"}`, { path, cause, data: { errno: errnoCode(cause) } });
  }
  if (kind !== "dir") throw refusal(path, "not a folder", kind);
}
