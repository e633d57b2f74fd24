/**
 * Sessions: one row per agent session, with the repo fingerprint it was opened on.
 */
import type { Sql, SqlValue } from "../engine/sql.ts";
import { parseTimestamp } from "../engine/timestamp.ts";

/** The fingerprint a session was last opened with, and the one it is opened with now. */
export interface FingerprintDrift {
  previous: string;
  current: string;
}

/** What `openSession` (and `defaultSession`) report. */
export interface OpenedSession {
  sessionId: string;
  /** True if this call inserted the session. */
  created: boolean;
  /** The fingerprint now stored (the one passed in). */
  repoFingerprint: string;
  defaultLanguage: string | null;
  createdAt: string;
  lastAccessed: string;
  /**
   * Set when the session existed with another fingerprint: the repository moved (a
   * commit, a checkout) since the session was last opened, so what the agent holds may
   * be older than the files. A warning to show, not an error: etags still decide what
   * is resent. The stored fingerprint is updated, so a drift is reported once.
   */
  drift: FingerprintDrift | null;
}

export interface SessionInfo {
  sessionId: string;
  createdAt: string;
  lastAccessed: string;
  repoFingerprint: string;
  defaultLanguage: string | null;
  deliveryCount: number;
}

export interface SessionStats {
  sessionId: string;
  deliveryCount: number;
  /** Sum of the deliveries' token estimates (those without one count 0). */
  totalTokensDelivered: number;
  /** Null if the session does not exist (its deliveries, if any, are still counted). */
  createdAt: string | null;
  lastAccessed: string | null;
}

/**
 * Inserts the session if new, else touches it: `last_accessed` = now, the fingerprint
 * replaced by `repoFingerprint` (reporting drift), and `default_language` filled in only
 * if it was unset (the Python store never changes it after the insert; neither do we).
 */
export function upsertSession(db: Sql, sessionId: string, repoFingerprint: string, defaultLanguage: string | null, now: string): OpenedSession {
  const existing = db.get("SELECT created_at, repo_fingerprint, default_language FROM sessions WHERE session_id = ?", [sessionId]);
  if (!existing) {
    db.run(
      "INSERT INTO sessions (session_id, created_at, last_accessed, repo_fingerprint, default_language) VALUES (?, ?, ?, ?, ?)",
      [sessionId, now, now, repoFingerprint, defaultLanguage],
    );
    return { sessionId, created: true, repoFingerprint, defaultLanguage, createdAt: now, lastAccessed: now, drift: null };
  }
  const previous = String(existing[1]);
  const language = existing[2] === null ? defaultLanguage : String(existing[2]);
  db.run("UPDATE sessions SET last_accessed = ?, repo_fingerprint = ?, default_language = ? WHERE session_id = ?", [now, repoFingerprint, language, sessionId]);
  return {
    sessionId,
    created: false,
    repoFingerprint,
    defaultLanguage: language,
    createdAt: String(existing[0]),
    lastAccessed: now,
    drift: previous === repoFingerprint ? null : { previous, current: repoFingerprint },
  };
}

export function selectSessionStats(db: Sql, sessionId: string): SessionStats {
  const counts = db.get("SELECT COUNT(*), COALESCE(SUM(token_estimate), 0) FROM deliveries WHERE session_id = ?", [sessionId]);
  const session = db.get("SELECT created_at, last_accessed FROM sessions WHERE session_id = ?", [sessionId]);
  return {
    sessionId,
    deliveryCount: Number(counts?.[0] ?? 0),
    totalTokensDelivered: Number(counts?.[1] ?? 0),
    createdAt: session ? String(session[0]) : null,
    lastAccessed: session ? String(session[1]) : null,
  };
}

/** Every session, most recently used first (by parsed time: both stores' formats mix). */
export function selectSessions(db: Sql): SessionInfo[] {
  const rows = db.all(
    `SELECT s.session_id, s.created_at, s.last_accessed, s.repo_fingerprint, s.default_language,
            (SELECT COUNT(*) FROM deliveries d WHERE d.session_id = s.session_id)
     FROM sessions s`,
  );
  const sessions = rows.map(toSessionInfo);
  const time = (s: SessionInfo) => {
    const t = parseTimestamp(s.lastAccessed);
    return Number.isNaN(t) ? -Infinity : t;
  };
  return sessions.sort((a, b) => time(b) - time(a) || (a.sessionId < b.sessionId ? -1 : 1));
}

function toSessionInfo(r: SqlValue[]): SessionInfo {
  return {
    sessionId: String(r[0]),
    createdAt: String(r[1]),
    lastAccessed: String(r[2]),
    repoFingerprint: String(r[3]),
    defaultLanguage: r[4] === null ? null : String(r[4]),
    deliveryCount: Number(r[5]),
  };
}
