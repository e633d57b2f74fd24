/**
 * The two files that make a store folder a good citizen of the repository it sits in:
 *
 *   .gitignore     `*`: git ignores the folder's whole content (itself included), so `.tldrs/`
 *                  never shows up as untracked, without touching the project's own .gitignore
 *   CACHEDIR.TAG   the standard signature (https://bford.info/cachedir/): backup tools
 *                  (tar --exclude-caches, borg, restic, ...) skip the folder
 *
 * Written when tldrs creates the store folder (any command, the library, the context cache),
 * and added, if absent, to an existing folder named `.tldrs` (stores made before this, or by
 * the Python store): that name says the folder is a store. A folder named otherwise that
 * existed before (TLDRS_VHS_HOME pointed at it) is never marked: it may hold the user's own
 * files, which a `*` .gitignore would hide from git. A marker that exists is never rewritten
 * (the user may have edited it), and a marker that cannot be written is no error: the store
 * works without it.
 */
import { errnoCode } from "./errors.ts";
import { basename, joinPath } from "./platform/path.ts";
import type { Platform } from "./platform/port.ts";
import { STORE_DIRNAME } from "./store_root.ts";

export const GITIGNORE_TEXT = "# Written by tldrs: this folder is a local store and cache; git ignores all of it.\n*\n";
/** The first line is the signature the specification requires, byte for byte. */
export const CACHEDIR_TAG_TEXT =
  "Signature: 8a477f597d28d172789f06886806bc55\n" +
  "# This file is a cache directory tag created by tldrs.\n" +
  "# For information about cache directory tags, see:\n" +
  "#\thttps://bford.info/cachedir/\n";

export const STORE_MARKERS: ReadonlyArray<readonly [name: string, text: string]> = [
  [".gitignore", GITIGNORE_TEXT],
  ["CACHEDIR.TAG", CACHEDIR_TAG_TEXT],
];

/** Store folders whose markers this platform object already checked (one check per process). */
const checked = new WeakMap<Platform, Set<string>>();

/**
 * Creates the store folder `root` if missing (with its parents, as before) and writes its
 * markers when it was created here, or once per process into an existing `.tldrs` folder.
 */
export async function ensureStoreRoot(platform: Platform, root: string): Promise<void> {
  const existed = await folderExists(platform, root);
  await platform.mkdir(root);
  let seen = checked.get(platform);
  if (!seen) checked.set(platform, (seen = new Set()));
  const adopt = existed && !seen.has(root) && basename(root) === STORE_DIRNAME;
  seen.add(root);
  if (!existed || adopt) await writeMarkers(platform, root);
}

async function folderExists(platform: Platform, path: string): Promise<boolean> {
  try {
    await platform.statFollow(path); // the store folder itself may be a link: the user chose where it lives
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw err;
  }
}

/** Each marker created exclusively: one that is there (or a link, a folder) is left alone. */
async function writeMarkers(platform: Platform, root: string): Promise<void> {
  const encoder = new TextEncoder();
  for (const [name, text] of STORE_MARKERS) {
    const path = joinPath(root, name);
    let file;
    try {
      file = await platform.createExclusive(path, 0o644);
    } catch {
      continue; // EEXIST: kept as it is; anything else: the store works without it
    }
    try {
      await file.write(encoder.encode(text));
      await file.close();
    } catch {
      await file.close().catch(() => undefined);
      await platform.unlink(path).catch(() => undefined); // never leave a half-written marker
    }
  }
}
