/**
 * The second half of a put: a staged upload (stage.ts) becomes a blob file and its row.
 *
 *   1. place it (place.ts); if a file of that hash is already there, read it: the same
 *      content by its name, unless it is damaged (a truncated or flipped file), which is then
 *      replaced by our upload atomically: a put that returns leaves readable bytes;
 *   2. fsync the folder, write the row;
 *   3. if a step after our placement fails, take back what we placed (below), so a failed
 *      put leaves nothing behind it;
 *   4. when we relied on a file someone else placed, check after our row is written that it
 *      is still there, and put ours back if it is not (that other put may have failed and
 *      taken its file back, or a gc evicted it meanwhile).
 *
 * Taking back is safe against a racing put of the same content that relied on our file: the
 * file is first moved aside (atomic), and deleted only if a read then shows no row for it; a
 * row, or a read that fails, puts it back. A racing put whose row was written before our move
 * is seen by that read; one written after it finds the file gone at its step 4 and places its
 * own. Only a process killed inside these few calls can leave the file moved aside in tmp/,
 * where it is swept as a stale upload.
 */
import { errnoCode } from "../errors.ts";
import { dirname } from "../platform/path.ts";
import { flushAccessesIfDue, nowIso, type VhsContext, writeWithAccesses } from "./context.ts";
import { identifyBlobFile, type BlobFacts } from "./identify.ts";
import { ioError } from "./io_error.ts";
import { blobDir, blobPath } from "./layout.ts";
import { insertObjectIfAbsent, selectObject, upsertObject } from "./objects_table.ts";
import { placeBlob, replaceBlobFile } from "./place.ts";
import { formatRef } from "../ref.ts";
import type { StagedBlob } from "./stage.ts";
import { randomHex, removeQuietly } from "../file_ops.ts";

export async function commitStaged(ctx: VhsContext, staged: StagedBlob): Promise<void> {
  const { platform, layout } = ctx;
  const { hash } = staged;
  const dir = blobDir(layout.blobRoot, hash);
  const dest = blobPath(layout.blobRoot, hash);
  let tempKept = true;
  try {
    await ctx.dirs.ensure(layout.blobRoot, dirname(dir), dir);
    const placement = await placeBlob(platform, staged.tempPath, dest);
    let placedByUs = placement.placed;
    let existing: BlobFacts | undefined;
    if (placement.placed) {
      tempKept = !placement.tempConsumed;
    } else {
      const found = await identifyBlobFile(platform, dest, hash, formatRef(hash)).catch((err: unknown) => {
        if ((err as { code?: string }).code === "EINTEGRITY") return { kind: "corrupt" as const }; // a link or folder raced in
        throw err;
      });
      if (found.kind === "valid") {
        existing = found.facts;
      } else {
        // Damaged (or gone since the link failed): ours replaces it, atomically.
        await replaceBlobFile(platform, staged.tempPath, dest);
        tempKept = false;
        placedByUs = true;
      }
    }
    if (placedByUs) {
      await writeRowForPlaced(ctx, staged, dir, dest);
    } else {
      await writeRowForExisting(ctx, staged, existing!);
      if (tempKept) await stillThere(ctx, staged, dir, dest);
    }
  } finally {
    if (tempKept) await removeQuietly(platform, staged.tempPath);
  }
}

/** fsync and row for a file we placed; on failure, the file is taken back (see the header). */
async function writeRowForPlaced(ctx: VhsContext, staged: StagedBlob, dir: string, dest: string): Promise<void> {
  const at = nowIso(ctx);
  try {
    // The name must be durable before a row points at it.
    await ctx.platform.syncDir(dir).catch((err: unknown) => {
      throw ioError(err, `Cannot store blob "${formatRef(staged.hash)}" (fsync of "${dir}")`, dir);
    });
    await writeWithAccesses(ctx, (db) => upsertObject(db, { ...factsOf(staged), hash: staged.hash, createdAt: at, lastAccessed: at }));
  } catch (err) {
    await takeBack(ctx, staged.hash, dest);
    throw err;
  }
}

/** The row for content whose file was already there (valid): kept if present, else inserted. */
async function writeRowForExisting(ctx: VhsContext, staged: StagedBlob, facts: BlobFacts): Promise<void> {
  const at = nowIso(ctx);
  const row = await ctx.db.read((db) => selectObject(db, staged.hash));
  if (row) {
    // Same content again: the row stays as it is; the put counts as an access.
    ctx.accesses.record(staged.hash, at, ctx.platform.now());
    await flushAccessesIfDue(ctx);
  } else {
    await writeWithAccesses(ctx, (db) => insertObjectIfAbsent(db, { ...facts, hash: staged.hash, createdAt: at, lastAccessed: at }));
  }
}

/** Step 4 of the header: the file we relied on is still there, or ours takes its place. */
async function stillThere(ctx: VhsContext, staged: StagedBlob, dir: string, dest: string): Promise<void> {
  try {
    await ctx.platform.stat(dest);
    return;
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw ioError(err, `Cannot check blob "${formatRef(staged.hash)}"`, dest);
  }
  const placement = await placeBlob(ctx.platform, staged.tempPath, dest);
  if (!placement.placed) return; // another put placed it again meanwhile
  await ctx.platform.syncDir(dir).catch((err: unknown) => {
    throw ioError(err, `Cannot store blob "${formatRef(staged.hash)}" (fsync of "${dir}")`, dir);
  });
}

/**
 * Undoes our placement after a failure: moves the file aside, then deletes it only if a read
 * shows no row naming it (a racing put of the same content may have written one, relying on
 * it); a row, or a read that fails, puts it back. Best effort: the caller's error is the one
 * reported; a file left behind is a blob without its row, which reads adopt.
 */
async function takeBack(ctx: VhsContext, hash: string, dest: string): Promise<void> {
  const { platform } = ctx;
  const aside = `${ctx.layout.tmpDir}/upload-${platform.pid}-${randomHex(platform, 8)}`;
  try {
    await platform.rename(dest, aside);
  } catch {
    return;
  }
  const rowExists = await ctx.db.read((db) => selectObject(db, hash) !== undefined).catch(() => true);
  if (rowExists) await platform.rename(aside, dest).catch(() => undefined);
  else await removeQuietly(platform, aside);
}

function factsOf(staged: StagedBlob): BlobFacts {
  return { size: staged.size, storedSize: staged.storedSize, compression: staged.compression };
}
