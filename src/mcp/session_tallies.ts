/**
 * What the delta saved, per session, since this server started. The store records what was
 * delivered (deliveries, their token estimates) but not how often a symbol came back as
 * UNCHANGED: that is counted here, in memory, for `session_stats`. The schema is the Python
 * store's and stays as it is; a count that outlives the server would need a table of its own.
 */
import type { ContextDeltaStats } from "../context/run_context.ts";

export interface SessionTally {
  contextCalls: number;
  unchangedHits: number;
  tokensSaved: number;
}

/** Sessions remembered at most; the least recently used is forgotten first (memory stays flat). */
const MAX_SESSIONS = 1000;

export class SessionTallies {
  readonly #bySession = new Map<string, SessionTally>();
  /** When counting began (ISO-8601). */
  readonly since: string;

  constructor(since: string) {
    this.since = since;
  }

  add(delta: ContextDeltaStats): void {
    const tally = this.get(delta.sessionId);
    tally.contextCalls += 1;
    tally.unchangedHits += delta.unchanged;
    tally.tokensSaved += delta.tokensSaved;
    this.#bySession.delete(delta.sessionId);
    this.#bySession.set(delta.sessionId, tally);
    if (this.#bySession.size > MAX_SESSIONS) this.#bySession.delete(this.#bySession.keys().next().value!);
  }

  get(sessionId: string): SessionTally {
    return this.#bySession.get(sessionId) ?? { contextCalls: 0, unchangedHits: 0, tokensSaved: 0 };
  }
}
