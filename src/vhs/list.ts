/** list and stats: the rows of the objects table (verify reconciles rows and files). */
import { optionalNonNegative, readOptions } from "../options.ts";
import { type BlobInfo, type VhsContext, withPendingAccess } from "./context.ts";
import { selectObjects, selectRecent, selectStats } from "./objects_table.ts";

export interface ListOptions {
  /** Default 20, as the Python store. */
  limit?: number;
}

export interface VhsStats {
  count: number;
  totalBytes: number;
  totalStoredBytes: number;
}

/** Blobs by most recent access first (rows only; `verify` reconciles rows and files). */
export async function list(ctx: VhsContext, options?: ListOptions): Promise<BlobInfo[]> {
  const opts = readOptions("options", options, ["limit"]);
  const limit = optionalNonNegative("options.limit", opts["limit"], { integer: true }) ?? 20;
  const pendingHashes = ctx.accesses.hashes();
  const rows = await ctx.db.read((db) => {
    const seen = new Map(selectRecent(db, limit).map((r) => [r.hash, r]));
    for (const r of selectObjects(db, pendingHashes)) seen.set(r.hash, r);
    return [...seen.values()];
  });
  return rows
    .map((r) => withPendingAccess(ctx, r))
    .sort((a, b) => (a.lastAccessed === b.lastAccessed ? (a.hash < b.hash ? -1 : 1) : a.lastAccessed > b.lastAccessed ? -1 : 1))
    .slice(0, limit);
}

/** Count and sizes of the stored blobs. */
export async function stats(ctx: VhsContext): Promise<VhsStats> {
  return ctx.db.read(selectStats);
}
