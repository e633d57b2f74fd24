/** delete: a blob's file and row removed. */
import { errnoCode } from "../errors.ts";
import { formatRef, parseRef } from "../ref.ts";
import { guarded, type VhsContext, writeWithAccesses } from "./context.ts";
import { ioError } from "./io_error.ts";
import { blobPath, checkBlobFolders } from "./layout.ts";
import { deleteObject } from "./objects_table.ts";

/** Deletes the blob's file and row; true if either existed. */
export async function deleteBlob(ctx: VhsContext, ref: string): Promise<boolean> {
  const hash = parseRef(ref);
  const path = blobPath(ctx.layout.blobRoot, hash);
  await guarded(`Cannot delete blob "${formatRef(hash)}"`, () => checkBlobFolders(ctx.platform, ctx.layout.blobRoot, hash));
  let removedFile = false;
  try {
    await ctx.platform.unlink(path); // the file first: a crash then leaves a row without a file, never a resurrected blob
    removedFile = true;
  } catch (err) {
    if (errnoCode(err) !== "ENOENT" && errnoCode(err) !== "ENOTDIR") {
      throw ioError(err, `Cannot delete blob "${formatRef(hash)}": file "${path}"`, path);
    }
  }
  const removedRow = await guarded(`Cannot delete blob "${formatRef(hash)}"`, () => writeWithAccesses(ctx, (db) => deleteObject(db, hash)));
  ctx.accesses.forget(hash);
  return removedFile || removedRow;
}
