/**
 * cleanupExpired: forgets sessions and deliveries not used for `ttlSeconds`.
 */
import type { Sql, SqlValue } from "../engine/sql.ts";
import { parseTimestamp } from "../engine/timestamp.ts";

export interface CleanupResult {
  /** Sessions removed. */
  sessions: number;
  /** Deliveries removed: those of the removed sessions, and any other older than the TTL. */
  deliveries: number;
}

/** Keys per DELETE statement: far below SQLite's bound-parameter limit (999 before 3.32). */
const CHUNK = 400;

/**
 * Deletes, inside the caller's transaction, what was last used before `cutoffMs`; counts what
 * it really removed.
 *
 * Timestamps are parsed, not compared as strings: Python's isoformat drops the microseconds
 * when they are zero (`...:09+00:00` sorts before `...:09.000000+00:00` though they are the
 * same instant), and a foreign writer may use another offset. An unparseable value counts as
 * expired, as the Python store's `cleanup_expired` treats it. The parsing is done here, in
 * JavaScript, over the (session, symbol, time) rows, not by a SQL function: bun:sqlite has no
 * user-defined functions, and one parser for both engines keeps their answers the same. The
 * cost is one scan of both tables, as the function called once per row cost before.
 */
export function deleteExpired(db: Sql, cutoffMs: number): CleanupResult {
  const expired = (value: SqlValue): boolean => {
    const t = typeof value === "string" ? parseTimestamp(value) : Number.NaN;
    return Number.isNaN(t) || t < cutoffMs;
  };
  const oldSessions = new Set(db.all("SELECT session_id, last_accessed FROM sessions").filter((r) => expired(r[1]!)).map((r) => r[0]!));
  const oldDeliveries = db.all("SELECT session_id, symbol_id, last_accessed FROM deliveries").filter((r) => oldSessions.has(r[0]!) || expired(r[2]!));

  let deliveries = 0;
  const deleteDelivery = db.prepare("DELETE FROM deliveries WHERE session_id = ? AND symbol_id = ?");
  for (const [sessionId, symbolId] of oldDeliveries) deliveries += deleteDelivery.run([sessionId!, symbolId!]);
  let sessions = 0;
  const ids = [...oldSessions];
  for (let at = 0; at < ids.length; at += CHUNK) {
    const part = ids.slice(at, at + CHUNK);
    sessions += db.run(`DELETE FROM sessions WHERE session_id IN (${part.map(() => "?").join(",")})`, part);
  }
  return { sessions, deliveries };
}
