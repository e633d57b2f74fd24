/**
 * Deliveries: which symbol went to which session, with which etag and representation.
 * Upserts keyed by (session_id, symbol_id), as the Python store writes them.
 */
import type { Sql, SqlValue } from "../engine/sql.ts";
import { argRangeError, argTypeError } from "../errors.ts";
import { keepsCodeSnapshot, type Representation } from "./representation.ts";
import { checkKnownKeys, checkObject, checkOptionalString } from "../options.ts";
import { checkEtag, checkId, checkRepresentation, checkTokenEstimate, checkVhsRef } from "./validate.ts";

/** One delivery to record; `recordDeliveries` takes these for one session. */
export interface DeliveryInput {
  symbolId: string;
  /** The symbol's content tag when it was sent; compared by `checkDelta`. */
  etag: string;
  representation: Representation;
  /** Where the sent text is stored (`vhs://<hash>`, or the bare hash). Required for `vhs_ref`. */
  vhsRef?: string | null;
  /** Non-negative integer. */
  tokenEstimate?: number | null;
  /** The code as sent; kept only for `full` and `incremental`, dropped for the others. */
  codeSnapshot?: string | null;
}

/** A stored delivery. Fields are as the row holds them (rows may come from the Python store). */
export interface Delivery {
  sessionId: string;
  symbolId: string;
  etag: string;
  /** One of REPRESENTATIONS when written by tldrs or the Python store. */
  representation: string;
  vhsRef: string | null;
  tokenEstimate: number | null;
  codeSnapshot: string | null;
  /** Python isoformat UTC timestamp. */
  lastAccessed: string;
}

/** A delivery after its checks: what goes into the row. */
export interface DeliveryRow {
  symbolId: string;
  etag: string;
  representation: Representation;
  vhsRef: string | null;
  tokenEstimate: number | null;
  codeSnapshot: string | null;
}

const INPUT_KEYS = ["sessionId", "symbolId", "etag", "representation", "vhsRef", "tokenEstimate", "codeSnapshot"];

/**
 * Checks one delivery; `name` is how errors refer to it (`delivery`, `deliveries[3]`).
 * Unknown fields are refused: `token_estimate` for `tokenEstimate` would otherwise be
 * dropped silently. A `sessionId` field, if present, must equal `sessionId`.
 */
export function checkDelivery(name: string, value: unknown, sessionId: string): DeliveryRow {
  const d = checkObject(name, value);
  checkKnownKeys(name, d, INPUT_KEYS);
  if (d["sessionId"] !== undefined && d["sessionId"] !== sessionId) {
    throw argRangeError(`${name}.sessionId`, `nothing or the batch's session id ${JSON.stringify(sessionId)}`, d["sessionId"]);
  }
  const representation = checkRepresentation(`${name}.representation`, d["representation"]);
  const vhsRef = checkVhsRef(`${name}.vhsRef`, d["vhsRef"]);
  if (representation === "vhs_ref" && vhsRef === null) {
    // A "vhs_ref" delivery without its ref could never be rehydrated: refuse it up front.
    throw argTypeError(`${name}.vhsRef`, 'a VHS ref when representation is "vhs_ref"', d["vhsRef"]);
  }
  const codeSnapshot = checkOptionalString(`${name}.codeSnapshot`, d["codeSnapshot"]);
  return {
    symbolId: checkId(`${name}.symbolId`, d["symbolId"]),
    etag: checkEtag(`${name}.etag`, d["etag"]),
    representation,
    vhsRef,
    tokenEstimate: checkTokenEstimate(`${name}.tokenEstimate`, d["tokenEstimate"]),
    codeSnapshot: keepsCodeSnapshot(representation) ? codeSnapshot : null,
  };
}

const UPSERT = `
INSERT INTO deliveries
  (session_id, symbol_id, etag, representation, vhs_ref, token_estimate, code_snapshot, last_accessed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(session_id, symbol_id) DO UPDATE SET
  etag = excluded.etag,
  representation = excluded.representation,
  vhs_ref = excluded.vhs_ref,
  token_estimate = excluded.token_estimate,
  code_snapshot = excluded.code_snapshot,
  last_accessed = excluded.last_accessed`;

/**
 * Upserts `rows` with one prepared statement, inside the caller's transaction. Also
 * touches the session's `last_accessed`: a session that is being delivered to is in
 * use, and must not expire under `cleanupExpired` while the agent works.
 */
export function upsertDeliveries(db: Sql, sessionId: string, rows: readonly DeliveryRow[], now: string): void {
  const stmt = db.prepare(UPSERT);
  for (const r of rows) stmt.run([sessionId, r.symbolId, r.etag, r.representation, r.vhsRef, r.tokenEstimate, r.codeSnapshot, now]);
  db.run("UPDATE sessions SET last_accessed = ? WHERE session_id = ?", [now, sessionId]);
}

export function selectDelivery(db: Sql, sessionId: string, symbolId: string): Delivery | null {
  const row = db.get(
    `SELECT session_id, symbol_id, etag, representation, vhs_ref, token_estimate, code_snapshot, last_accessed
     FROM deliveries WHERE session_id = ? AND symbol_id = ?`,
    [sessionId, symbolId],
  );
  return row ? toDelivery(row) : null;
}

/**
 * The code last sent in full or as a diff, base for the next incremental diff; null if
 * none (never delivered, or last delivered as a signature, slice or ref).
 */
export function selectPreviousCode(db: Sql, sessionId: string, symbolId: string): string | null {
  const v = db.get(
    `SELECT code_snapshot FROM deliveries
     WHERE session_id = ? AND symbol_id = ? AND representation IN ('full', 'incremental')`,
    [sessionId, symbolId],
  )?.[0];
  return typeof v === "string" ? v : null;
}

function toDelivery(r: SqlValue[]): Delivery {
  return {
    sessionId: String(r[0]),
    symbolId: String(r[1]),
    etag: String(r[2]),
    representation: String(r[3]),
    vhsRef: r[4] === null ? null : String(r[4]),
    tokenEstimate: r[5] === null ? null : Number(r[5]),
    codeSnapshot: r[6] === null ? null : String(r[6]),
    lastAccessed: String(r[7]),
  };
}
