/**
 * Where getToFile may write. The bytes go to a temp file beside the destination, renamed over
 * it once verified, so the destination must be a name that rename may replace:
 *
 *   - outside the store folder: its folder's real path (every symlink resolved) is not the
 *     store's nor under it; `--out .tldrs/tldrs_state.db` would replace the database, and
 *     `--out` onto a blob path would corrupt that blob;
 *   - absent, or a regular file: never a symbolic link (neither written through nor replaced:
 *     a link at /dev/stdout is not ours to replace), a folder, or a device, FIFO or socket
 *     (rename would replace the device node itself; the CLI writes into those instead).
 *
 * Checked before the blob is read and again just before the rename.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import { dirname } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { ioError } from "./io_error.ts";

const NOT_A_FILE: Record<string, string> = {
  symlink: "a symbolic link, which tldrs neither writes through nor replaces; remove it, or name the file it points to",
  dir: "a folder",
  fifo: "a FIFO, not a regular file (a rename would replace it); read the blob with getStream and write it there",
  chardev: "a character device, not a regular file (a rename would replace the device itself); read the blob with getStream and write it there",
  other: "a device or socket, not a regular file; tldrs writes only regular files",
};

/** Throws unless `dest` may be created or replaced by rename (see the module comment). */
export async function checkDestination(platform: Platform, storeRoot: string, dest: string): Promise<void> {
  const folder = dirname(dest);
  let realFolder: string;
  try {
    realFolder = await platform.realPath(folder);
  } catch (err) {
    throw ioError(err, `Cannot write "${dest}"`, dest);
  }
  const realRoot = await platform.realPath(storeRoot).catch((err: unknown) => {
    if (errnoCode(err) === "ENOENT") return storeRoot; // no store yet: nothing of it to overwrite
    throw ioError(err, `Cannot check the store folder "${storeRoot}"`, storeRoot);
  });
  if (realFolder === realRoot || realFolder.startsWith(realRoot.endsWith("/") ? realRoot : `${realRoot}/`)) {
    throw new TldrsError("EIO", `Refusing to write "${dest}": it is inside the store folder "${storeRoot}", whose files only tldrs writes; choose a path outside it`, { path: dest, data: { storeRoot } });
  }
  await checkReplaceable(platform, dest);
}

/** Throws unless `dest` is absent or a regular file. */
export async function checkReplaceable(platform: Platform, dest: string): Promise<void> {
  let kind: string;
  try {
    kind = (await platform.stat(dest)).kind;
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return;
    throw ioError(err, `Cannot write "${dest}"`, dest);
  }
  if (kind === "file") return;
  throw new TldrsError("EIO", `Refusing to write "${dest}": it is ${NOT_A_FILE[kind] ?? NOT_A_FILE["other"]}`, { path: dest, data: { kind } });
}
