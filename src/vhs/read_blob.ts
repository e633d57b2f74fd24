/**
 * Opening a blob for reading, by ref: the row says how to decode it and how long it is; a
 * file without a row is identified by its hash and its row restored (the bytes are right
 * by construction, so the get succeeds). No file: not found.
 */
import { TldrsError, isTldrsError } from "../errors.ts";
import { formatRef } from "../ref.ts";
import { isoTimestamp } from "../engine/timestamp.ts";
import { chooseDecoding, type CheckedRead, openBlobFile } from "./blob_file.ts";
import { type VhsContext, nowIso, writeWithAccesses } from "./context.ts";
import { identifyBlobFile } from "./identify.ts";
import { integrityError } from "./integrity.ts";
import { blobPath, checkBlobFolders } from "./layout.ts";
import { insertObjectIfAbsent, selectObject } from "./objects_table.ts";

export function notFound(ref: string, path: string, detail: string): TldrsError {
  return new TldrsError("ENOTFOUND", `Blob "${ref}" not found: ${detail}`, { ref, path });
}

export async function openForRead(ctx: VhsContext, hash: string, ref: string): Promise<CheckedRead> {
  const { platform } = ctx;
  const path = blobPath(ctx.layout.blobRoot, hash);
  await checkBlobFolders(platform, ctx.layout.blobRoot, hash);
  const row = await ctx.db.read((db) => selectObject(db, hash));
  if (row) {
    const opened = await openBlobFile(platform, path, ref);
    if (!opened) throw notFound(ref, path, `its row exists but file "${path}" is missing; run verify({ repair: true }) to drop the row`);
    const decoding = await chooseDecoding(opened.file, opened.fileSize, row).catch(async (err: unknown) => {
      await opened.file.close();
      throw err;
    });
    if (decoding === null) {
      await opened.file.close();
      throw integrityError(ref, path, `is ${opened.fileSize} bytes, expected ${row.size}, and is not a zlib stream`, { expectedSize: row.size, fileSize: opened.fileSize });
    }
    return { platform, ref, hash, path, opened, decoding, size: row.size };
  }

  const found = await identifyBlobFile(platform, path, hash, ref);
  if (found.kind === "missing") throw notFound(ref, path, `no row and no file "${path}"`);
  if (found.kind === "corrupt") throw integrityError(ref, path, "has no row and its content does not hash to its name");
  // Restore the row now: the content is proven. Best effort: a store we cannot write
  // (a live Python connection, a read-only checkout) still serves the right bytes.
  const { facts } = found;
  await writeWithAccesses(ctx, (db) =>
    insertObjectIfAbsent(db, { hash, ...facts, createdAt: isoTimestamp(found.mtimeMs), lastAccessed: nowIso(ctx) }),
  ).catch(() => undefined);
  const opened = await openBlobFile(platform, path, ref);
  if (!opened) throw notFound(ref, path, `file "${path}" was deleted while being read`);
  return { platform, ref, hash, path, opened, decoding: facts.compression, size: facts.size };
}

/** Opens a blob here; one missing here is fetched through the remote first, if one is set. */
export async function openForReadThrough(ctx: VhsContext, hash: string): Promise<CheckedRead> {
  try {
    return await openForRead(ctx, hash, formatRef(hash));
  } catch (err) {
    if (!ctx.readThrough || !isTldrsError(err, "ENOTFOUND")) throw err;
  }
  await ctx.readThrough.fetch(hash);
  return openForRead(ctx, hash, formatRef(hash));
}
