/**
 * What a StateDb runs on: the whole-image sql.js engine (sqljs_engine.ts) or the runtime's own
 * SQLite (native_engine.ts). StateDb (state_db.ts) owns what both share: the queue of calls,
 * the tldrs lockfile around every write, the sweep of leftovers; an engine owns how a read and
 * a write transaction reach the file.
 */
import type { EngineInfo } from "./choice.ts";
import type { HeldLock } from "./lock.ts";
import type { Sql } from "./sql.ts";

export interface Engine {
  readonly info: EngineInfo;
  /** Runs `fn` on the latest committed state (or this process's own deferred commits). Takes no lock. */
  read<T>(fn: (sql: Sql) => T): Promise<T>;
  /**
   * Runs `fn` in one write transaction; called with the tldrs lock held. `defer`: the commit may
   * stay in memory until flushDeferred (sql.js: one flush for several transactions of one
   * logical operation); engines whose commits cost little make every commit durable at once.
   */
  write<T>(fn: (sql: Sql) => T, lock: HeldLock, defer: boolean): Promise<T>;
  /** Makes durable what deferred writes left in memory; called with the same lock held. */
  flushDeferred(lock: HeldLock): Promise<void>;
  /** Lets go of what it keeps between operations (native: the connection, so -wal and -shm go). */
  release(): void;
  /** Frees what the engine holds. */
  close(): void;
}
