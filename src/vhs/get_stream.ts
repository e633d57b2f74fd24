/** getStream: a blob as a ReadableStream, checked as it is read. */
import { formatRef, parseRef } from "../ref.ts";
import { checkedBytes } from "./blob_file.ts";
import { asStoreError, guarded, recordAccess, type VhsContext } from "./context.ts";
import { openForReadThrough } from "./read_blob.ts";

/**
 * A stream of the bytes of `ref`. Not found is a rejection here; damage found while
 * streaming errors the stream instead of closing it. Read it to the end or cancel it:
 * the blob file stays open until then.
 */
export async function getStream(ctx: VhsContext, ref: string): Promise<ReadableStream<Uint8Array>> {
  const hash = parseRef(ref);
  const what = `Cannot read blob "${formatRef(hash)}"`;
  const bytes = await guarded(what, async () => checkedBytes(await openForReadThrough(ctx, hash)));
  await recordAccess(ctx, hash);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await bytes.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (err) {
          controller.error(asStoreError(err, what));
        }
      },
      async cancel() {
        await bytes.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
