/**
 * File operations over the Platform port that several layers share: one home for each rule.
 *
 *   writeNewFile    create exclusively (never through a planted name), write whole, fsync, close;
 *                   on failure what it created is removed
 *   publishByLink   put a finished file at its final name only if the name is free: a hard link
 *                   is the atomic "create if absent"; says "unsupported" where the file system
 *                   has no hard links, and each caller picks its fallback (see there)
 *   removeQuietly, unlinkIfPresent   the two deletion policies of error paths
 *   hex, randomHex  lowercase hex of bytes, the names of temp files and tokens
 *
 * Which errno policy each caller keeps (deliberate, and said where it is used):
 *   vhs/place.ts          link; taken: the blob is there (judged by its caller); no links:
 *                         check-then-rename, the Python store's way
 *   state/default_session link; taken: the other process's id wins; no links: the final name
 *                         created exclusively and written in place (readers wait out the instant)
 *   engine/flush.ts       a link to the previous image, for undo; no links: proceed without undo
 *   engine/lock.ts        a lock put back after a check: best effort, any failure ignored
 */
import { errnoCode } from "./errors.ts";
import type { Platform } from "./platform/port.ts";

/** `link` errors of file systems without hard links (some network and FUSE mounts, FAT). */
const LINK_UNSUPPORTED: ReadonlySet<string> = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV", "EMLINK"]);

/** True for a `link` failure that means "no hard links here" rather than a real failure. */
export function linksUnsupported(err: unknown): boolean {
  return LINK_UNSUPPORTED.has(errnoCode(err) ?? "");
}

/** Lowercase hex of `bytes`. */
export function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** `bytes` random bytes as hex (names of temp files, tokens). */
export function randomHex(platform: Platform, bytes: number): string {
  return hex(platform.randomBytes(bytes));
}

export interface WriteNewFileOptions {
  /** Permission bits at create (under the umask). Default 0644. */
  mode?: number;
  /** fsync before close (default true; a cache that may be lost says false). */
  sync?: boolean;
  /** Told each step as it starts, for messages that name the step. */
  onStep?: (step: "create" | "write" | "fsync") => void;
}

/**
 * Creates `path` exclusively and writes `bytes` to it whole. EEXIST (or any error of the create)
 * reaches the caller with nothing removed; a failure after the create removes the file.
 */
export async function writeNewFile(platform: Platform, path: string, bytes: Uint8Array, options: WriteNewFileOptions = {}): Promise<void> {
  options.onStep?.("create");
  const file = await platform.createExclusive(path, options.mode ?? 0o644);
  try {
    try {
      options.onStep?.("write");
      await file.write(bytes);
      if (options.sync !== false) {
        options.onStep?.("fsync");
        await file.sync();
      }
    } finally {
      await file.close();
    }
  } catch (err) {
    await removeQuietly(platform, path);
    throw err;
  }
}

/**
 * Links `from` to `to` if `to` is free: "linked"; "taken" if it exists (EEXIST); "unsupported"
 * where the file system has no hard links. Any other failure is thrown.
 */
export async function publishByLink(platform: Platform, from: string, to: string): Promise<"linked" | "taken" | "unsupported"> {
  try {
    await platform.link(from, to);
    return "linked";
  } catch (err) {
    if (errnoCode(err) === "EEXIST") return "taken";
    if (linksUnsupported(err)) return "unsupported";
    throw err;
  }
}

/**
 * Deletes `path`, ignoring every failure: for error paths, where the original error is the one
 * to report and a leftover temp name is swept later (stale_files.ts).
 */
export async function removeQuietly(platform: Platform, path: string): Promise<void> {
  try {
    await platform.unlink(path);
  } catch {
    // Best effort, see above.
  }
}

/** Deletes `path` if it is there; any failure but ENOENT is thrown. */
export async function unlinkIfPresent(platform: Platform, path: string): Promise<void> {
  try {
    await platform.unlink(path);
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw err;
  }
}
