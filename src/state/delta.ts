/**
 * checkDelta: which of the symbols about to be sent the session already holds.
 */
import { scalar, type Sql, type SqlValue } from "../engine/sql.ts";
import { argTypeError } from "../errors.ts";
import { countsAsUnchanged } from "./representation.ts";
import { checkEtag, checkId, isEtag, isId } from "./validate.ts";
import { canonicalRef } from "../ref.ts";

export interface DeltaResult {
  /** Delivered before in full or as a ref, with the same etag: say UNCHANGED, send nothing. */
  unchanged: Set<string>;
  /** Everything else: never delivered, another etag, or delivered only in part. */
  changed: Set<string>;
  /**
   * For the unchanged symbols whose delivery stored a VHS ref: symbolId to that ref, in
   * its `vhs://` form. A caller whose agent lost the text (a new context window, a
   * compaction) can resend the stored blob instead of re-extracting the symbol. Keys are
   * always a subset of `unchanged`; a stored value that is not a valid ref is left out.
   */
  rehydrate: Map<string, string>;
}

/** Symbol ids per statement: SQLite binds at most 32766 parameters (999 before 3.32); 500 stays far below both. */
export const DELTA_CHUNK = 500;

/** Checks the etags argument: a Map or a plain object of symbolId to etag. */
export function checkEtags(name: string, etags: unknown): Map<string, string> {
  let entries: Iterable<[unknown, unknown]>;
  if (etags instanceof Map) entries = etags;
  else if (etags !== null && typeof etags === "object" && !Array.isArray(etags)) entries = Object.entries(etags);
  else throw argTypeError(name, "a Map or an object of symbolId to etag", etags);
  const out = new Map<string, string>();
  // The argument names of the errors are built only for a bad entry: building them for each of
  // 1,000 good ones was a quarter of a checkDelta on the native engine (0.7 ms, CPU profile).
  for (const [symbolId, etag] of entries) {
    const id = isId(symbolId) ? symbolId : checkId(`${name} key`, symbolId);
    out.set(id, isEtag(etag) ? etag : checkEtag(`${name}[${JSON.stringify(id)}]`, etag));
  }
  return out;
}

/**
 * A session scan reads a row for ~0.8 us, a primary-key lookup costs ~2.2 us (measured on
 * sql.js, 10,000 deliveries): when the session holds at most this many times the
 * symbols asked about, reading all of it is cheaper than looking each one up.
 */
const SCAN_FACTOR = 2;

/** Classifies `etags` against the session's deliveries, in one read. */
export function computeDelta(db: Sql, sessionId: string, etags: ReadonlyMap<string, string>): DeltaResult {
  const result: DeltaResult = { unchanged: new Set(), changed: new Set(), rehydrate: new Map() };
  const classify = (row: SqlValue[]) => {
    const id = String(row[0]);
    const wanted = etags.get(id);
    if (wanted === undefined || row[1] !== wanted || !countsAsUnchanged(String(row[2]))) return;
    result.unchanged.add(id);
    const ref = typeof row[3] === "string" ? canonicalRef(row[3]) : null;
    if (ref !== null) result.rehydrate.set(id, ref);
  };
  const stored = Number(scalar(db, "SELECT COUNT(*) FROM deliveries WHERE session_id = ?", [sessionId]) ?? 0);
  if (stored <= etags.size * SCAN_FACTOR) scanSession(db, sessionId, classify);
  else lookUpInChunks(db, sessionId, [...etags.keys()], classify);
  for (const id of etags.keys()) if (!result.unchanged.has(id)) result.changed.add(id);
  return result;
}

const COLUMNS = "symbol_id, etag, representation, vhs_ref";

function scanSession(db: Sql, sessionId: string, onRow: (row: SqlValue[]) => void): void {
  for (const row of db.all(`SELECT ${COLUMNS} FROM deliveries WHERE session_id = ?`, [sessionId])) onRow(row);
}

/** `DELTA_CHUNK` ids per statement; one prepared statement per distinct chunk length (at most two). */
function lookUpInChunks(db: Sql, sessionId: string, ids: string[], onRow: (row: SqlValue[]) => void): void {
  for (let start = 0; start < ids.length; start += DELTA_CHUNK) {
    const chunk = ids.slice(start, start + DELTA_CHUNK);
    const stmt = db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE session_id = ? AND symbol_id IN (${chunk.map(() => "?").join(",")})`);
    for (const row of stmt.all([sessionId, ...chunk])) onRow(row);
  }
}
