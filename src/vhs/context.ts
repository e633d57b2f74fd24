/**
 * What the VHS verbs share: the platform, the database, the layout, the pending accesses and
 * the remote to read through; and the steps every verb takes (record an access, say which
 * blob a file-system error is about).
 */
import type { StateDb } from "../engine/state_db.ts";
import type { Sql } from "../engine/sql.ts";
import { isoTimestamp } from "../engine/timestamp.ts";
import { TldrsError, errnoCode, isArgumentError } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import { formatRef } from "../ref.ts";
import { laterTimestamp, type PendingAccesses } from "./access_times.ts";
import { ioError } from "./io_error.ts";
import { blobPath, checkBlobFolders, type OwnDirs, type VhsLayout } from "./layout.ts";
import type { ObjectRow } from "./objects_table.ts";

/**
 * Where a read goes when a blob is not stored here (the remote, src/remote/): `fetch` stores
 * the blob in this store once it verifies, or throws (ENOTFOUND if the remote lacks it too).
 */
export interface ReadThrough {
  fetch(hash: string): Promise<void>;
  has(hash: string): Promise<boolean>;
}

export interface VhsContext {
  readonly platform: Platform;
  readonly db: StateDb;
  /** The store folder (`.tldrs`): nothing is written inside it but by the store. */
  readonly root: string;
  readonly layout: VhsLayout;
  readonly dirs: OwnDirs;
  readonly accesses: PendingAccesses;
  /** Set when a remote is configured: get*, getToFile and has fall through to it. */
  readonly readThrough: ReadThrough | undefined;
}

/** What the store knows of a blob: its row in `objects`. */
export type BlobInfo = ObjectRow;

/** One write transaction that also carries the pending access times (one flush for both). */
export async function writeWithAccesses<T>(ctx: VhsContext, fn: (db: Sql) => T): Promise<T> {
  let batch: Map<string, string> | undefined;
  const result = await ctx.db.write((db) => {
    batch = ctx.accesses.apply(db);
    return fn(db);
  });
  if (batch) ctx.accesses.committed(batch);
  return result;
}

export function nowIso(ctx: VhsContext): string {
  return isoTimestamp(ctx.platform.now());
}

/** Writes the pending access times if they are due; a failure keeps them pending (a read must not fail for this). */
export async function flushAccessesIfDue(ctx: VhsContext): Promise<void> {
  if (!ctx.accesses.due(ctx.platform.now())) return;
  try {
    await writeWithAccesses(ctx, () => undefined);
  } catch {
    // Kept pending; the next write or close() tries again.
  }
}

/** Records a read of `hash` (in memory; written with the next write, when due, or at close). */
export async function recordAccess(ctx: VhsContext, hash: string): Promise<void> {
  ctx.accesses.record(hash, nowIso(ctx), ctx.platform.now());
  await flushAccessesIfDue(ctx);
}

/** A row as callers see it: pending (not yet written) accesses count, so list() orders by what callers did. */
export function withPendingAccess(ctx: VhsContext, row: ObjectRow): BlobInfo {
  return { ...row, lastAccessed: laterTimestamp(row.lastAccessed, ctx.accesses.latest(row.hash)) };
}

/** True if the blob's file is there (a regular file under real folders of ours). */
export async function blobFileExists(ctx: VhsContext, hash: string): Promise<boolean> {
  if (!(await checkBlobFolders(ctx.platform, ctx.layout.blobRoot, hash))) return false;
  const path = blobPath(ctx.layout.blobRoot, hash);
  try {
    return (await ctx.platform.stat(path)).kind === "file";
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return false;
    throw ioError(err, `Cannot check blob "${formatRef(hash)}"`, path);
  }
}

/**
 * The file-system errors the verbs' own steps do not name (a failed fstat, read or close of a
 * blob, a readdir in gc) as TldrsError EIO naming the file, so callers and the CLI see one
 * error class (DESIGN section 5). TldrsErrors, argument errors and anything without an errno
 * code (a bug, a simulated crash) pass unchanged.
 */
export function asStoreError(err: unknown, what: string): unknown {
  if (err instanceof TldrsError || isArgumentError(err)) return err;
  const path = (err as { path?: unknown } | null)?.path;
  return typeof path === "string" ? ioError(err, `${what}: file "${path}"`, path) : ioError(err, what, "");
}

/** An error of the caller's own data source, carried through a put to be rethrown as it was. */
export class CallerFailure extends Error {
  override name = "CallerFailure";
  constructor(override readonly cause: unknown) {
    super("the caller's data source failed", { cause });
  }
}

/** Runs a verb's work; errors as asStoreError says, a CallerFailure as the caller's own error. */
export async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw err instanceof CallerFailure ? err.cause : asStoreError(err, what);
  }
}
