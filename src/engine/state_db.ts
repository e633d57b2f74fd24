/**
 * StateDb: the one persistence seam. vhs/ and state/ only see read(fn) and write(fn), and speak
 * the small SQL interface of sql.ts; underneath runs one of two engines (DESIGN section 3):
 * sql.js (sqljs_engine.ts, everywhere) or the runtime's own SQLite (native_engine.ts), chosen by
 * choice.ts. What both share lives here:
 *
 *   write(fn): tldrs lock (tagged with the engine) -> sweep leftovers now and then
 *              -> engine.write(fn) -> release the lock
 *   read(fn):  engine.read(fn) (no lock)
 *
 * Calls of one StateDb run one at a time, in order. A StateDb that holds its lock until close
 * (internal: `tldrs context`, one logical operation of several writes) takes the lock at its
 * first write and keeps it; sql.js then flushes once, at close.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import { dirname } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { ensureStoreRoot } from "../store_marks.ts";
import { chooseEngine, engineRequest, type EngineChoice, type EngineInfo } from "./choice.ts";
import type { Engine } from "./engine.ts";
import { sweepFlushLeftovers } from "./flush.ts";
import { acquireLock, DEFAULT_LOCK_OPTIONS, type HeldLock, type LockOptions } from "./lock.ts";
import { NativeEngine } from "./native_engine.ts";
import type { Sql } from "./sql.ts";
import { loadSqlJs } from "./sqljs.ts";
import { DEFAULT_MAX_IMAGE_BYTES, SqlJsEngine } from "./sqljs_engine.ts";

export { DEFAULT_MAX_IMAGE_BYTES } from "./sqljs_engine.ts";

export interface StateDbOptions {
  lock?: Partial<LockOptions>;
  /** Refuse database files larger than this (sql.js: the image must fit WASM memory twice). */
  maxImageBytes?: number;
  /** The sql.js package folder to load the engine from (tests of a damaged install). */
  sqljsPackage?: URL;
  /** "auto" (default: env TLDRS_ENGINE, else native where the runtime has it), "sqljs" or "native". */
  engine?: EngineChoice;
}

/** Settings of tldrs's own callers, not part of the public options. */
export interface StateDbInternal {
  /** How errors and `--version` name where an explicit engine came from (default "options.engine"). */
  engineFrom?: string;
  /** Take the lock at the first write and keep it until close (one lock, one flush). */
  holdLockUntilClose?: boolean;
  /** Native engine: how long its connection is kept without an operation (tests hold it open). */
  idleCloseMs?: number;
}

/** Leftover temp files of crashed writers are swept after this long. */
const LEFTOVER_GRACE_MS = 60 * 60 * 1000;
/** How often a long-lived StateDb sweeps again (its first write always does). */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export class StateDb {
  readonly path: string;
  readonly lockPath: string;
  /** Which engine runs underneath, and why. */
  readonly engine: EngineInfo;
  private readonly platform: Platform;
  private readonly impl: Engine;
  private readonly lockOptions: LockOptions;
  private readonly holdLock: boolean;
  /** The lock kept between writes of a StateDb that holds it until close. */
  private held: HeldLock | undefined;
  /** The database's folder was made (or found) by this object: mkdir once, not per write. */
  private folderMade = false;
  /** When this object last swept leftovers (platform clock), if ever. */
  private lastSweepMs: number | undefined;
  private closed = false;
  /** A lock whose release failed (an I/O error): retried before the next acquire. */
  private unreleased: HeldLock | undefined;
  /** Serializes this object's operations: one connection (sql.js: one image), and no reload mid-transaction. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(platform: Platform, impl: Engine, path: string, lockOptions: LockOptions, holdLock: boolean) {
    this.platform = platform;
    this.impl = impl;
    this.engine = impl.info;
    this.path = path;
    this.lockPath = `${path}.lock`;
    this.lockOptions = lockOptions;
    this.holdLock = holdLock;
  }

  /** Chooses and loads the engine; touches no database file until the first read or write. */
  static async open(platform: Platform, path: string, options: StateDbOptions = {}, internal: StateDbInternal = {}): Promise<StateDb> {
    const lockOptions = { ...DEFAULT_LOCK_OPTIONS, ...options.lock };
    const chosen = await chooseEngine(platform, engineRequest(platform, options.engine, internal.engineFrom ?? "options.engine"));
    let impl: Engine;
    if (chosen.name === "native") {
      impl = new NativeEngine(platform, chosen.sqlite, path, lockOptions, chosen.info, internal.idleCloseMs);
    } else {
      const SQL = await loadSqlJs(platform, options.sqljsPackage);
      impl = new SqlJsEngine(platform, SQL, path, lockOptions, options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES, chosen.info);
    }
    return new StateDb(platform, impl, path, lockOptions, internal.holdLockUntilClose ?? false);
  }

  /** Runs `fn` on the latest committed state. A read takes no lock and never writes. */
  read<T>(fn: (db: Sql) => T): Promise<T> {
    return this.enqueue(() => this.impl.read(fn));
  }

  /**
   * Runs `fn` inside one write transaction. If `fn` throws, the transaction is rolled
   * back, nothing is written, and the error is rethrown. `fn` is synchronous on purpose:
   * the lock is held only for the SQL work and the flush.
   */
  write<T>(fn: (db: Sql) => T): Promise<T> {
    return this.enqueue(() => this.writeLocked(fn));
  }

  /**
   * Lets go of what the engine keeps between operations (the native engine's connection, which
   * it would close by itself after IDLE_CLOSE_MS): afterwards the database file holds every
   * commit and no -wal or -shm of this object is left. For `tldrs doctor` and for tests that
   * read the file's bytes themselves (never do that while a native connection of the process is
   * open: see native_holders.ts).
   */
  idle(): Promise<void> {
    return this.enqueue(async () => this.impl.release());
  }

  /** Writes what a lock-holding StateDb deferred, releases the lock, frees the engine. Further calls fail. */
  async close(): Promise<void> {
    await this.enqueue(async () => {
      this.closed = true;
      const held = this.held;
      this.held = undefined;
      try {
        if (held) await this.impl.flushDeferred(held);
      } finally {
        if (held) await held.release().catch(() => false);
        await this.unreleased?.release().catch(() => false);
        this.unreleased = undefined;
        this.impl.close();
      }
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new TypeError(`StateDb "${this.path}" is closed`);
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeLocked<T>(fn: (db: Sql) => T): Promise<T> {
    const lock = this.held ?? (await this.takeLock());
    try {
      const now = this.platform.now();
      if (this.lastSweepMs === undefined || now - this.lastSweepMs >= SWEEP_INTERVAL_MS) {
        // Housekeeping: a failure here must not fail the write; it is retried next time.
        // Not only once: a long-lived process must also sweep what later crashes leave.
        this.lastSweepMs = await sweepFlushLeftovers(this.platform, this.path, LEFTOVER_GRACE_MS).then(
          () => now,
          () => this.lastSweepMs,
        );
      }
      return await this.impl.write(fn, lock, this.holdLock);
    } finally {
      if (this.holdLock) {
        this.held = lock;
      } else {
        // The transaction's outcome stands either way; a lock we could not delete is retried
        // at our next write (other processes break it once it is older than staleMs).
        await lock.release().catch(() => void (this.unreleased = lock));
      }
    }
  }

  private async takeLock(): Promise<HeldLock> {
    if (!this.folderMade) {
      // Once per StateDb: if the folder goes away later, the lock's create fails (ENOENT) and
      // the next write makes it again.
      try {
        await ensureStoreRoot(this.platform, dirname(this.path));
      } catch (err) {
        throw new TldrsError("EIO", `Cannot create the folder of database "${this.path}": ${(err as Error).message}`, { path: this.path, cause: err });
      }
      this.folderMade = true;
    }
    if (this.unreleased) {
      // Our own lock from an earlier write whose release failed: nobody else may break it
      // before the stale limit, so this process must not wait for itself.
      const stale = this.unreleased;
      this.unreleased = undefined;
      await stale.release().catch(() => void (this.unreleased = stale));
    }
    try {
      return await acquireLock(this.platform, this.lockPath, this.lockOptions, this.engine.name);
    } catch (err) {
      if (errnoCode((err as { cause?: unknown }).cause) === "ENOENT") this.folderMade = false;
      if (err instanceof TldrsError) throw err;
      throw new TldrsError("EIO", `Cannot take the lock "${this.lockPath}": ${(err as Error).message}`, { path: this.lockPath, cause: err });
    }
  }
}
