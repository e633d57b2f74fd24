/**
 * cleanupExpired: forgets sessions and deliveries not used for `ttlSeconds`.
 */
import type { Database } from "../engine/sqljs.ts";
import { parseTimestamp } from "../engine/timestamp.ts";

export interface CleanupResult {
  /** Sessions removed. */
  sessions: number;
  /** Deliveries removed: those of the removed sessions, and any other older than the TTL. */
  deliveries: number;
}

/**
 * The SQL function that turns a stored timestamp into epoch ms. Timestamps are parsed,
 * not compared as strings: Python's isoformat drops the microseconds when they are zero
 * (`...:09+00:00` sorts before `...:09.000000+00:00` though they are the same instant),
 * and a foreign writer may use another offset. An unparseable value counts as epoch 0,
 * that is expired, as the Python store's `cleanup_expired` treats it.
 */
const EPOCH_MS_FN = "tldrs_epoch_ms";

function epochMs(value: unknown): number {
  if (typeof value !== "string") return 0;
  const t = parseTimestamp(value);
  return Number.isNaN(t) ? 0 : t;
}

/** Deletes, inside the caller's transaction, what was last used before `cutoffMs`; counts what it really removed. */
export function deleteExpired(db: Database, cutoffMs: number): CleanupResult {
  // Registered per call: the engine may have reloaded the image into a new Database.
  // It is not "innocuous", so with trusted_schema=OFF no view or trigger can call it.
  db.create_function(EPOCH_MS_FN, epochMs);
  db.run(
    `DELETE FROM deliveries
     WHERE ${EPOCH_MS_FN}(last_accessed) < :cutoff
        OR session_id IN (SELECT session_id FROM sessions WHERE ${EPOCH_MS_FN}(last_accessed) < :cutoff)`,
    { ":cutoff": cutoffMs },
  );
  const deliveries = db.getRowsModified();
  db.run(`DELETE FROM sessions WHERE ${EPOCH_MS_FN}(last_accessed) < :cutoff`, { ":cutoff": cutoffMs });
  const sessions = db.getRowsModified();
  return { sessions, deliveries };
}
