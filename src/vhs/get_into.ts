/** getInto: a blob passed to a writer chunk by chunk, in reused buffers, checked as it goes. */
import { argTypeError } from "../errors.ts";
import { formatRef, parseRef } from "../ref.ts";
import { pumpChecked } from "./blob_file.ts";
import { asStoreError, guarded, recordAccess, type VhsContext } from "./context.ts";
import { WriteFailure } from "./pump.ts";
import { openForReadThrough } from "./read_blob.ts";

/**
 * Passes the bytes of `ref` to `write` as they are read and checked (as getStream: length and
 * sha256; damage found late rejects after the bytes already passed), with the next read
 * under way while `write` runs. The buffers are reused: a chunk is only valid until the
 * promise `write` returned settles (copy what you keep). An error of `write` rejects as it is.
 */
export async function getInto(ctx: VhsContext, ref: string, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const hash = parseRef(ref);
  if (typeof write !== "function") throw argTypeError("write", "a function", write);
  const what = `Cannot read blob "${formatRef(hash)}"`;
  const read = await guarded(what, () => openForReadThrough(ctx, hash));
  await recordAccess(ctx, hash).catch(async (err: unknown) => {
    await read.opened.file.close().catch(() => undefined);
    throw err;
  });
  await pumpChecked(read, write).catch((err: unknown) => {
    throw err instanceof WriteFailure ? err.cause : asStoreError(err, what);
  });
}
