/** What the VHS verbs share: the platform, the database, the layout and the pending accesses. */
import type { StateDb } from "../engine/state_db.ts";
import type { Sql } from "../engine/sql.ts";
import { isoTimestamp } from "../engine/timestamp.ts";
import type { Platform } from "../platform/port.ts";
import type { PendingAccesses } from "./access_times.ts";
import type { OwnDirs, VhsLayout } from "./layout.ts";

export interface VhsContext {
  readonly platform: Platform;
  readonly db: StateDb;
  readonly layout: VhsLayout;
  readonly dirs: OwnDirs;
  readonly accesses: PendingAccesses;
}

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
