/**
 * StateStore: sessions and deliveries, the bookkeeping that lets `tldrs context`
 * answer UNCHANGED instead of resending code (issue 4, DESIGN section 2).
 *
 * Each method checks its arguments (TypeError/RangeError naming the argument), then
 * runs its SQL in ONE engine call: one `read`, or one `write` (one lock, one flush),
 * whatever the number of symbols. The SQL lives in the verb modules beside this file.
 */
import { STORE_DIRNAME } from "../store_root.ts";
import type { StateDb } from "../engine/state_db.ts";
import { isoTimestamp } from "../engine/timestamp.ts";
import { argRangeError, argTypeError } from "../errors.ts";
import { basename, dirname } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import type { StorePaths } from "../store_paths.ts";
import { deleteExpired, type CleanupResult } from "./cleanup.ts";
import { readOrCreateDefaultSessionId, sweepStaleIdTemps } from "./default_session.ts";
import { checkDelivery, selectDelivery, selectPreviousCode, upsertDeliveries, type Delivery, type DeliveryInput } from "./deliveries.ts";
import { checkEtags, computeDelta, type DeltaResult } from "./delta.ts";
import { repoFingerprint } from "./fingerprint.ts";
import { selectSessions, selectSessionStats, upsertSession, type OpenedSession, type SessionInfo, type SessionStats } from "./sessions.ts";
import { checkKnownKeys, checkNonEmptyString, checkObject, checkOptionalString } from "../options.ts";
import { checkId } from "./validate.ts";

export interface OpenSessionOptions {
  /** From `repoFingerprint()`: `git:<12 hex>`, `mtime:<seconds>` or `unknown`. */
  repoFingerprint: string;
  defaultLanguage?: string | null;
}

export interface DefaultSessionOptions {
  defaultLanguage?: string | null;
  /**
   * The project whose fingerprint the session records. Default: the folder holding the
   * store when the store is `<project>/.tldrs`, else (TLDRS_VHS_HOME or `root` put it
   * elsewhere) the current folder.
   */
  projectRoot?: string;
}

export interface CleanupOptions {
  /** Sessions and deliveries last used more than this many seconds ago are removed. */
  ttlSeconds: number;
}

/** A delivery to `recordDelivery`: one `DeliveryInput` plus its session. */
export interface SessionDelivery extends DeliveryInput {
  sessionId: string;
}

/** Temp files of a killed default-session writer are swept after this long. */
const ID_TEMP_GRACE_MS = 60 * 60 * 1000;

export class StateStore {
  /** Whether this store already swept stale default-session temp files (once per store object). */
  #sweptIdTemps = false;

  constructor(
    readonly platform: Platform,
    readonly db: StateDb,
    readonly paths: StorePaths,
  ) {}

  /**
   * Inserts the session if new, else touches it. An existing session opened with another
   * fingerprint is reported in `drift`, never refused.
   *
   * @example
   * const fp = await store.state.repoFingerprint(".");
   * const { drift } = await store.state.openSession("agent-1", { repoFingerprint: fp });
   * if (drift) console.warn(`repository moved: ${drift.previous} -> ${drift.current}`);
   */
  async openSession(sessionId: string, options: OpenSessionOptions): Promise<OpenedSession> {
    const id = checkId("sessionId", sessionId);
    const opts = checkObject("options", options);
    checkKnownKeys("options", opts, ["repoFingerprint", "defaultLanguage"]);
    const fingerprint = checkNonEmptyString("options.repoFingerprint", opts["repoFingerprint"]);
    const language = checkOptionalString("options.defaultLanguage", opts["defaultLanguage"]);
    return this.db.write((db) => upsertSession(db, id, fingerprint, language, this.now()));
  }

  /** Records one delivery (an upsert on session and symbol). */
  async recordDelivery(delivery: SessionDelivery): Promise<void> {
    const d = checkObject("delivery", delivery);
    const sessionId = checkId("delivery.sessionId", d["sessionId"]);
    const row = checkDelivery("delivery", d, sessionId);
    await this.db.write((db) => upsertDeliveries(db, sessionId, [row], this.now()));
  }

  /**
   * Records many deliveries of one session in one transaction (one lock, one flush),
   * whatever their number. All are checked before anything is written; a later entry
   * for the same symbol wins. An empty list writes nothing.
   */
  async recordDeliveries(sessionId: string, deliveries: readonly DeliveryInput[]): Promise<void> {
    const id = checkId("sessionId", sessionId);
    if (!Array.isArray(deliveries)) throw argTypeError("deliveries", "an array", deliveries);
    const rows = deliveries.map((d, i) => checkDelivery(`deliveries[${i}]`, d, id));
    if (rows.length === 0) return;
    await this.db.write((db) => upsertDeliveries(db, id, rows, this.now()));
  }

  /** The stored delivery of `symbolId` to `sessionId`, or null. */
  async getDelivery(sessionId: string, symbolId: string): Promise<Delivery | null> {
    const sid = checkId("sessionId", sessionId);
    const sym = checkId("symbolId", symbolId);
    return this.db.read((db) => selectDelivery(db, sid, sym));
  }

  /** The code last delivered as `full` or `incremental` (the base for a diff), or null. */
  async getPreviousCode(sessionId: string, symbolId: string): Promise<string | null> {
    const sid = checkId("sessionId", sessionId);
    const sym = checkId("symbolId", symbolId);
    return this.db.read((db) => selectPreviousCode(db, sid, sym));
  }

  /**
   * Splits `etags` (symbolId to current etag, a Map or an object) into unchanged and
   * changed for this session, in one read. Unchanged means delivered as `full` or
   * `vhs_ref` with an equal etag; `rehydrate` maps those with a stored ref to it.
   *
   * @example
   * const { unchanged, changed, rehydrate } = await store.state.checkDelta("agent-1", { "a.py:f": "e1" });
   */
  async checkDelta(sessionId: string, etags: Readonly<Record<string, string>> | ReadonlyMap<string, string>): Promise<DeltaResult> {
    const id = checkId("sessionId", sessionId);
    const wanted = checkEtags("etags", etags);
    if (wanted.size === 0) return { unchanged: new Set(), changed: new Set(), rehydrate: new Map() };
    return this.db.read((db) => computeDelta(db, id, wanted));
  }

  /**
   * Removes sessions last used more than `ttlSeconds` ago with all their deliveries, and
   * any other delivery older than that; returns how many rows it really removed.
   */
  async cleanupExpired(options: CleanupOptions): Promise<CleanupResult> {
    const opts = checkObject("options", options);
    checkKnownKeys("options", opts, ["ttlSeconds"]);
    const ttl = opts["ttlSeconds"];
    if (typeof ttl !== "number") throw argTypeError("options.ttlSeconds", "a non-negative number of seconds", ttl);
    if (!Number.isFinite(ttl) || ttl < 0) throw argRangeError("options.ttlSeconds", "a non-negative number of seconds", ttl);
    return this.db.write((db) => deleteExpired(db, this.platform.now() - ttl * 1000));
  }

  /** Delivery count and token total of a session, with its timestamps (null if it does not exist). */
  async sessionStats(sessionId: string): Promise<SessionStats> {
    const id = checkId("sessionId", sessionId);
    return this.db.read((db) => selectSessionStats(db, id));
  }

  /** Every session, most recently used first. */
  async listSessions(): Promise<SessionInfo[]> {
    return this.db.read((db) => selectSessions(db));
  }

  /**
   * Opens (creating if needed) the repo's default session, whose id is kept in
   * `<store>/default_session_id`; every process of the repo gets the same id.
   *
   * @example
   * const { sessionId, drift } = await store.state.defaultSession({ defaultLanguage: "python" });
   */
  async defaultSession(options: DefaultSessionOptions = {}): Promise<OpenedSession> {
    const opts = checkObject("options", options);
    checkKnownKeys("options", opts, ["defaultLanguage", "projectRoot"]);
    const language = checkOptionalString("options.defaultLanguage", opts["defaultLanguage"]);
    const projectRoot = opts["projectRoot"] === undefined ? this.defaultProjectRoot() : checkNonEmptyString("options.projectRoot", opts["projectRoot"]);
    const sessionId = await readOrCreateDefaultSessionId(this.platform, this.paths.root);
    if (!this.#sweptIdTemps) {
      // A process killed while creating the id file leaves its temp file, and the id file
      // then exists, so nothing would ever come back for it: the first call of each store sweeps.
      this.#sweptIdTemps = true;
      await sweepStaleIdTemps(this.platform, this.paths.root, ID_TEMP_GRACE_MS).catch(() => 0);
    }
    const fingerprint = await repoFingerprint(this.platform, projectRoot);
    return this.db.write((db) => upsertSession(db, sessionId, fingerprint, language, this.now()));
  }

  /** `git:<12 hex>` of HEAD, else `mtime:<seconds>` of the folder (see fingerprint.ts). */
  async repoFingerprint(projectRoot: string): Promise<string> {
    return repoFingerprint(this.platform, projectRoot);
  }

  private defaultProjectRoot(): string {
    return basename(this.paths.root) === STORE_DIRNAME ? dirname(this.paths.root) : this.platform.cwd();
  }

  private now(): string {
    return isoTimestamp(this.platform.now());
  }
}
