/** get and getText: the bytes of a blob whole, checked against its length and sha256. */
import { formatRef, parseRef } from "../ref.ts";
import { checkedBytes } from "./blob_file.ts";
import { guarded, recordAccess, type VhsContext } from "./context.ts";
import { openForReadThrough } from "./read_blob.ts";

/** The bytes of `ref`, checked against its length and sha256. */
export async function get(ctx: VhsContext, ref: string): Promise<Uint8Array> {
  const hash = parseRef(ref);
  return guarded(`Cannot read blob "${formatRef(hash)}"`, async () => {
    const read = await openForReadThrough(ctx, hash);
    const out = new Uint8Array(read.size);
    let at = 0;
    for await (const chunk of checkedBytes(read)) {
      out.set(chunk, at);
      at += chunk.length;
    }
    await recordAccess(ctx, hash);
    return out;
  });
}

/** The content of `ref` decoded as UTF-8 (a BOM is kept, so text round-trips exactly). */
export async function getText(ctx: VhsContext, ref: string): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await get(ctx, ref));
}
