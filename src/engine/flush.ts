/**
 * Atomic replacement of the database file by a new image:
 * temp file in the same folder -> write -> fsync -> (keep a link to the old file) ->
 * rename over the database -> fsync the folder -> drop the old link.
 *
 * On any failure the previous file is what stays (or is put back) under the name, no
 * temp file is left, and the error goes to the caller. The link to the old file is what
 * lets a failed folder fsync be undone: after that failure the rename's durability is
 * unknown, so the transaction is reported failed and the old file restored.
 */
import { TldrsError, errnoCode, errnoReason } from "../errors.ts";
import { linksUnsupported, randomHex, removeQuietly, writeNewFile } from "../file_ops.ts";
import { basename, dirname } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { findStaleFiles, removeFiles } from "../stale_files.ts";

function flushError(path: string, step: string, cause: unknown): TldrsError {
  const code = errnoCode(cause);
  const hint = errnoReason(code) ?? (cause as Error).message;
  return new TldrsError("EIO", `Cannot write database "${path}" (${step}): ${hint}; the previous version is kept`, { path, cause, data: { step, errno: code } });
}

const STEP_NAMES = { create: "create temp file", write: "write temp file", fsync: "fsync temp file" } as const;

export interface FlushOptions {
  /**
   * Permission bits for the file; an existing file's mode is kept by passing it here.
   * Undefined: a new file, created 0644 under the umask (as blob files, and as SQLite does).
   */
  mode: number | undefined;
  /** Called just before the rename: throws if we no longer hold the writer lock. */
  beforeRename?: () => Promise<void>;
}

export async function replaceFileAtomically(platform: Platform, path: string, image: Uint8Array, options: FlushOptions): Promise<void> {
  const folder = dirname(path);
  const id = randomHex(platform, 8);
  const temp = `${path}.${id}.tmp`;
  const previous = `${path}.${id}.prev`;
  let step = "create temp file";
  try {
    await writeNewFile(platform, temp, image, { mode: options.mode ?? 0o644, onStep: (s) => (step = STEP_NAMES[s]) });
    if (options.mode !== undefined) {
      // Exactly the old file's bits: the umask applied at create may have cleared some.
      step = "set mode";
      await platform.chmod(temp, options.mode);
    }
    step = "check before the rename";
    await options.beforeRename?.();
  } catch (err) {
    await removeQuietly(platform, temp);
    throw err instanceof TldrsError ? err : flushError(path, step, err);
  }

  let keptPrevious = false;
  let newStore = false;
  try {
    step = "link previous file";
    try {
      await platform.link(path, previous);
      keptPrevious = true;
    } catch (err) {
      // No previous file (a new store), or no hard links here: proceed without undo.
      if (errnoCode(err) !== "ENOENT" && !linksUnsupported(err)) throw err;
      newStore = errnoCode(err) === "ENOENT";
    }
    step = "rename temp file over the database";
    await platform.rename(temp, path);
  } catch (err) {
    await removeQuietly(platform, temp);
    if (keptPrevious) await removeQuietly(platform, previous);
    throw flushError(path, step, err);
  }

  try {
    step = "fsync folder";
    await platform.syncDir(folder);
  } catch (err) {
    try {
      if (keptPrevious) {
        await platform.rename(previous, path);
        keptPrevious = false;
      } else if (newStore) {
        // There was no file before: undo is removing it (we hold the lock, so it is ours).
        await platform.unlink(path);
      }
    } catch {
      // Could not undo: the new image stays (it is complete); report the failure anyway.
    }
    if (keptPrevious) await removeQuietly(platform, previous);
    throw flushError(path, step, err);
  }
  if (keptPrevious) await removeQuietly(platform, previous);
}

/** Leftover temp files of crashed writers are swept after this long (doctor counts only those too). */
export const LEFTOVER_GRACE_MS = 60 * 60 * 1000;

const LEFTOVER = /^(.+?)\.(?:lock(?:\.break)?\.)?[0-9a-f]{16,32}\.(?:tmp|prev)$/;

/** True if `entry` is a temp or undo file that a writer of the database named `dbName` makes. */
export function isFlushLeftover(entry: string, dbName: string): boolean {
  return LEFTOVER.exec(entry)?.[1] === dbName;
}

/**
 * Deletes temp and undo files of `path` that a crashed writer left, if older than
 * `graceMs`. Only names this module (or the lock) makes are touched.
 */
export async function sweepFlushLeftovers(platform: Platform, path: string, graceMs: number): Promise<number> {
  const name = basename(path);
  return (await removeFiles(platform, await findStaleFiles(platform, dirname(path), (entry) => isFlushLeftover(entry, name), graceMs))).length;
}
