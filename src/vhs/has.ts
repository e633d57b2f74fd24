/** has: whether a blob is stored (here, or on the remote when one is set). */
import { parseRef } from "../ref.ts";
import { blobFileExists, recordAccess, type VhsContext } from "./context.ts";

/** True if the blob file exists (the Python store's test). Records an access. */
export async function has(ctx: VhsContext, ref: string): Promise<boolean> {
  const hash = parseRef(ref);
  if (!(await blobFileExists(ctx, hash))) return ctx.readThrough ? ctx.readThrough.has(hash) : false;
  await recordAccess(ctx, hash);
  return true;
}
