/** info: what the store knows of a blob (its row), or null if its file is not there. */
import { isTldrsError } from "../errors.ts";
import { isoTimestamp } from "../engine/timestamp.ts";
import { formatRef, parseRef } from "../ref.ts";
import { blobFileExists, type BlobInfo, guarded, nowIso, recordAccess, type VhsContext, withPendingAccess, writeWithAccesses } from "./context.ts";
import { identifyBlobFile } from "./identify.ts";
import { blobPath, checkBlobFolders } from "./layout.ts";
import { insertObjectIfAbsent, selectObject } from "./objects_table.ts";

/** What the store knows of `ref`, or null if its file is not there. Records an access. */
export async function info(ctx: VhsContext, ref: string): Promise<BlobInfo | null> {
  const hash = parseRef(ref);
  return guarded(`Cannot describe blob "${formatRef(hash)}"`, () => describe(ctx, hash));
}

async function describe(ctx: VhsContext, hash: string): Promise<BlobInfo | null> {
  const path = blobPath(ctx.layout.blobRoot, hash);
  const row = await ctx.db.read((db) => selectObject(db, hash));
  if (row) {
    if (!(await blobFileExists(ctx, hash))) return null;
    const info = withPendingAccess(ctx, row); // as it was before this access, as the Python store answers
    await recordAccess(ctx, hash);
    return info;
  }
  // A file without a row: identify it by its hash and restore the row, as get does.
  if (!(await checkBlobFolders(ctx.platform, ctx.layout.blobRoot, hash))) return null;
  const found = await identifyBlobFile(ctx.platform, path, hash, formatRef(hash)).catch((err: unknown) => {
    if (isTldrsError(err, "EINTEGRITY")) return null; // a symlink or folder at its name: nothing to describe
    throw err;
  });
  if (found?.kind !== "valid") return null;
  const restored = { hash, ...found.facts, createdAt: isoTimestamp(found.mtimeMs), lastAccessed: nowIso(ctx) };
  await writeWithAccesses(ctx, (db) => insertObjectIfAbsent(db, restored)).catch(() => undefined);
  return { ...restored };
}
