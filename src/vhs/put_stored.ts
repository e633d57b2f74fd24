/**
 * A put of small in-memory content that is already stored, without staging it. The bytes are
 * all here, so their hash is known before anything is written; when the blob file under that
 * name is valid and its row exists, the put is an access, exactly as when a staged upload
 * finds the same (put_blob.ts, writeRowForExisting), and the temp file, its write, fsync and
 * removal are saved: about half the cost of such a put (measured with `npm run bench vhs`,
 * "content already stored").
 *
 * Anything else (no file, a damaged file, no row, a file-system error) answers false, and the
 * put takes the staged path, which handles each of those (and reports its errors) as before.
 */
import { dirname } from "../platform/path.ts";
import { errnoCode, TldrsError } from "../errors.ts";
import { formatRef } from "../ref.ts";
import { recordAccess, type VhsContext } from "./context.ts";
import { identifyBlobFile } from "./identify.ts";
import { blobDir, blobPath } from "./layout.ts";
import { selectObject } from "./objects_table.ts";
import { CHUNK_BYTES } from "./source.ts";

/** The largest content looked up before staging: one buffer of the staged path. */
export const STORED_LOOKUP_BYTES = CHUNK_BYTES;

/** `data` as bytes when it is in memory (a string encoded once, here); else undefined. */
export function inMemoryBytes(data: unknown): Uint8Array | undefined {
  if (typeof data === "string") return new TextEncoder().encode(data);
  return data instanceof Uint8Array ? data : undefined;
}

/** True if the blob `hash` is stored whole with its row (the put then counts as an access). */
export async function putIfStored(ctx: VhsContext, hash: string): Promise<boolean> {
  const { layout } = ctx;
  const dir = blobDir(layout.blobRoot, hash);
  const dest = blobPath(layout.blobRoot, hash);
  try {
    // The same folder checks as the staged path (remembered per store: no calls after the first).
    await ctx.dirs.ensure(layout.blobRoot, dirname(dir), dir);
    const found = await identifyBlobFile(ctx.platform, dest, hash, formatRef(hash));
    if (found.kind !== "valid") return false;
    if (!(await ctx.db.read((db) => selectObject(db, hash) !== undefined))) return false;
    await recordAccess(ctx, hash);
    // As the staged path's last step: the file relied on is still there (a racing gc or a
    // failed put's take-back may have moved it); if not, the staged path places ours.
    return (await ctx.platform.stat(dest)).kind === "file";
  } catch (err) {
    // File-system and store errors: the staged path meets them again and reports them its
    // way. Anything else (a bug, a simulated crash) is not ours to hide.
    if (err instanceof TldrsError || errnoCode(err) !== undefined) return false;
    throw err;
  }
}
