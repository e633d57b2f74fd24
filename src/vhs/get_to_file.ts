/** getToFile: a blob written to a file outside the store, whole and checked or not at all. */
import { removeQuietly } from "../file_ops.ts";
import { requiredPath } from "../options.ts";
import { basename, dirname } from "../platform/path.ts";
import { formatRef, parseRef } from "../ref.ts";
import { pumpChecked } from "./blob_file.ts";
import { guarded, recordAccess, type VhsContext } from "./context.ts";
import { checkDestination, checkReplaceable } from "./destination.ts";
import { ioError } from "./io_error.ts";
import { WriteFailure } from "./pump.ts";
import { openForReadThrough } from "./read_blob.ts";
import { createTempFile } from "./temp_file.ts";
import { WritebackWriter } from "./writeback.ts";

/**
 * Writes the bytes of `ref` to `path`, a regular file or a new name outside the store
 * folder, in a folder that exists (see destination.ts). They go to a temp file beside it,
 * renamed over `path` only after the checks pass: a damaged blob leaves no file.
 */
export async function getToFile(ctx: VhsContext, ref: string, path: string): Promise<void> {
  const { platform } = ctx;
  const hash = parseRef(ref);
  const dest = platform.resolve(requiredPath("path", path));
  await guarded(`Cannot write "${dest}"`, () => checkDestination(platform, ctx.root, dest));
  const read = await guarded(`Cannot read blob "${formatRef(hash)}"`, () => openForReadThrough(ctx, hash));
  let temp;
  try {
    temp = await createTempFile(platform, dirname(dest), `.${basename(dest)}.tldrs-`, ".tmp");
  } catch (err) {
    // pumpChecked has not started, so it would not close the blob: close it here.
    await read.opened.file.close().catch(() => undefined);
    throw ioError(err, `Cannot write "${dest}"`, dest);
  }
  const out = new WritebackWriter(temp.file);
  let closed = false;
  try {
    await pumpChecked(read, out.write).catch((err: unknown) => {
      throw err instanceof WriteFailure ? err.cause : err;
    });
    await out.settle();
    await temp.file.sync();
    closed = true;
    await temp.file.close();
    await checkReplaceable(platform, dest); // a device or link planted meanwhile is not renamed over
    await platform.rename(temp.path, dest);
  } catch (err) {
    if (!closed) await out.settle().catch(() => undefined);
    if (!closed) await temp.file.close().catch(() => undefined);
    await removeQuietly(platform, temp.path);
    throw ioError(err, `Cannot write "${dest}"`, dest);
  }
  await recordAccess(ctx, hash);
}
