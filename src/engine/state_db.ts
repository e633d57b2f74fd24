/**
 * StateDb: the SQLite database held in memory by sql.js and flushed whole, atomically,
 * after each write transaction that changed something (DESIGN section 3).
 *
 *   write(fn): lock -> refresh under the lock -> BEGIN IMMEDIATE -> fn -> COMMIT
 *              -> if changed: export, temp file, fsync, rename, fsync folder -> unlock
 *   read(fn):  refresh (no lock: every file a rename put in place is a committed state) -> fn
 *
 * This is the one persistence seam: vhs/ and state/ only see read() and write().
 */
import { TldrsError, errnoCode } from "../errors.ts";
import { dirname } from "../platform/path.ts";
import type { FileStat, Platform, ReadableFile } from "../platform/port.ts";
import { readAt } from "../platform/read_at.ts";
import { ensureStoreRoot } from "../store_marks.ts";
import { assertWholeImage, HEADER_SIZE, identityOf, sameIdentity, stampChangeCounter, withoutWalFlag, type FileIdentity } from "./image.ts";
import { acquireLock, DEFAULT_LOCK_OPTIONS, type HeldLock, type LockOptions } from "./lock.ts";
import { LEFTOVER_GRACE_MS, replaceFileAtomically, sweepFlushLeftovers } from "./flush.ts";
import { assertWritable, ensureSchema, missingColumns, sqlJsQuery } from "./schema.ts";
import { dropCommand, schemaHazard } from "./schema_check.ts";
import { loadSqlJs, type Database, type SqlJsStatic } from "./sqljs.ts";

export interface StateDbOptions {
  lock?: Partial<LockOptions>;
  /** Refuse database files larger than this (the image must fit WASM memory twice). */
  maxImageBytes?: number;
  /** The sql.js package folder to load the engine from (tests of a damaged install). */
  sqljsPackage?: URL;
}

/** 512 MiB: an image is held in WASM memory and copied on export; beyond this, 32-bit WASM runs out. */
export const DEFAULT_MAX_IMAGE_BYTES = 512 * 1024 * 1024;
/** How often a long-lived StateDb sweeps again (its first write always does). */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

type Mode = "read" | "write";

export class StateDb {
  readonly path: string;
  readonly lockPath: string;
  private readonly platform: Platform;
  private readonly SQL: SqlJsStatic;
  private readonly lockOptions: LockOptions;
  private readonly maxImageBytes: number;
  private db: Database | undefined;
  /** Identity of the file the in-memory image came from (or was last flushed to). */
  private identity: FileIdentity | undefined;
  /**
   * Permission bits of the file, kept across flushes (refreshed at every read of the file, so
   * a chmod made while this process holds the image is kept too). Undefined for a new store:
   * its file is created 0644 under the umask, like blob files and like SQLite's own.
   */
  private fileMode: number | undefined;
  /** The image holds changes not on disk (schema upgrades made at load). */
  private dirty = false;
  /** When this object last swept leftovers (platform clock), if ever. */
  private lastSweepMs: number | undefined;
  private closed = false;
  /** A lock whose release failed (an I/O error): retried before the next acquire. */
  private unreleased: HeldLock | undefined;
  /** Serializes this object's operations: sql.js has one connection, and a reload must not land mid-transaction. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(platform: Platform, SQL: SqlJsStatic, path: string, options: StateDbOptions) {
    this.platform = platform;
    this.SQL = SQL;
    this.path = path;
    this.lockPath = `${path}.lock`;
    this.lockOptions = { ...DEFAULT_LOCK_OPTIONS, ...options.lock };
    this.maxImageBytes = options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  }

  /** Loads the engine; touches no file until the first read or write. */
  static async open(platform: Platform, path: string, options: StateDbOptions = {}): Promise<StateDb> {
    const SQL = await loadSqlJs(platform, options.sqljsPackage);
    return new StateDb(platform, SQL, path, options);
  }

  /** Runs `fn` on the latest committed state. A read takes no lock and never writes. */
  read<T>(fn: (db: Database) => T): Promise<T> {
    return this.enqueue(async () => {
      const db = await this.refresh("read");
      try {
        return fn(db);
      } catch (err) {
        throw this.corruptionOf(err) ?? err;
      }
    });
  }

  /**
   * Runs `fn` inside one write transaction. If `fn` throws, the transaction is rolled
   * back, nothing is written, and the error is rethrown. `fn` is synchronous on purpose:
   * the lock is held only for the SQL work and the flush.
   */
  write<T>(fn: (db: Database) => T): Promise<T> {
    return this.enqueue(() => this.writeLocked(fn));
  }

  /** Frees the in-memory image. Further calls fail. */
  async close(): Promise<void> {
    await this.enqueue(async () => {
      await this.unreleased?.release().catch(() => false);
      this.unreleased = undefined;
      this.db?.close();
      this.db = undefined;
      this.closed = true;
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

  private async writeLocked<T>(fn: (db: Database) => T): Promise<T> {
    try {
      await ensureStoreRoot(this.platform, dirname(this.path));
    } catch (err) {
      throw new TldrsError("EIO", `Cannot create the folder of database "${this.path}": ${(err as Error).message}`, { path: this.path, cause: err });
    }
    if (this.unreleased) {
      // Our own lock from an earlier write whose release failed: nobody else may break it
      // before the stale limit, so this process must not wait for itself.
      const stale = this.unreleased;
      this.unreleased = undefined;
      await stale.release().catch(() => void (this.unreleased = stale));
    }
    let lock: HeldLock;
    try {
      lock = await acquireLock(this.platform, this.lockPath, this.lockOptions);
    } catch (err) {
      if (err instanceof TldrsError) throw err;
      throw new TldrsError("EIO", `Cannot take the lock "${this.lockPath}": ${(err as Error).message}`, { path: this.lockPath, cause: err });
    }
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
      const db = await this.refresh("write");
      assertWritable(db, this.path);
      const changesBefore = totalChanges(db);
      const schemaBefore = schemaVersion(db);
      db.exec("BEGIN IMMEDIATE");
      let result: T;
      try {
        result = fn(db);
        db.exec("COMMIT");
      } catch (err) {
        rollbackQuietly(db);
        throw this.corruptionOf(err) ?? err;
      }
      if (this.dirty || totalChanges(db) !== changesBefore || schemaVersion(db) !== schemaBefore) {
        await this.flush(db, lock);
      }
      return result;
    } finally {
      // The transaction's outcome stands either way; a lock we could not delete is retried
      // at our next write (other processes break it once it is older than staleMs).
      await lock.release().catch(() => void (this.unreleased = lock));
    }
  }

  private async flush(db: Database, lock: HeldLock): Promise<void> {
    let image: Uint8Array;
    try {
      image = db.export();
    } catch (cause) {
      this.invalidate();
      throw new TldrsError("ETOOLARGE", `Cannot export database "${this.path}": ${String((cause as Error)?.message ?? cause)}`, { path: this.path, cause });
    }
    // A counter the file under the lock did not have: with inode, size and mtime, it tells this
    // version from the one it replaces even where inodes are reused and mtimes are coarse.
    stampChangeCounter(image, ((this.identity?.changeCounter ?? 0) + 1) % 2 ** 32 || 1);
    try {
      await replaceFileAtomically(this.platform, this.path, image, {
        mode: this.fileMode,
        beforeRename: async () => {
          if (!(await lock.stillHeld())) {
            throw new TldrsError(
              "ELOCKTIMEOUT",
              `Lost the lock "${this.lockPath}" during a write (held for longer than its stale limit of ${this.lockOptions.staleMs / 1000} s allows, or another process judged it stale): the transaction was not written`,
              { path: this.lockPath },
            );
          }
        },
      });
    } catch (err) {
      // Memory holds a commit the file does not: forget it, reload on next use.
      this.invalidate();
      throw err;
    }
    try {
      const st = await this.platform.stat(this.path);
      this.identity = identityOf(st, image.subarray(0, HEADER_SIZE));
      this.fileMode = st.mode;
      this.dirty = false;
    } catch {
      // Committed, but its identity is unknown: the transaction stands; reload on next use.
      this.invalidate();
    }
  }

  /**
   * SQLite's own "malformed" errors (SQLITE_CORRUPT, SQLITE_NOTADB) met by a statement: damage
   * the load checks could not see. Reported as ECORRUPT naming the file; the image is dropped,
   * so nothing of it is ever flushed, and the next use reloads (and checks) the file.
   */
  private corruptionOf(err: unknown): TldrsError | null {
    if (err instanceof TldrsError || !(err instanceof Error) || !/database disk image is malformed|file is not a database/.test(err.message)) return null;
    this.invalidate();
    return new TldrsError("ECORRUPT", `Database "${this.path}" is corrupt: ${err.message}; move it aside or restore a backup`, { path: this.path, cause: err });
  }

  private invalidate(): void {
    this.db?.close();
    this.db = undefined;
    this.identity = undefined;
    this.dirty = false;
  }

  /** Returns the image of the latest committed file, reloading only if the file changed. */
  private async refresh(mode: Mode): Promise<Database> {
    try {
      return await this.refreshFromFile(mode);
    } catch (err) {
      if (err instanceof TldrsError) throw err;
      throw new TldrsError("EIO", `Cannot read database "${this.path}": ${(err as Error).message}`, { path: this.path, cause: err });
    }
  }

  private async refreshFromFile(mode: Mode): Promise<Database> {
    await this.checkForeignWriter(mode);
    let file: ReadableFile;
    try {
      file = await this.platform.openRead(this.path);
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ENOENT") return this.startEmpty();
      if (code === "ELOOP") {
        throw new TldrsError("ECORRUPT", `Database "${this.path}" is a symbolic link: refusing to use it; replace it with the file itself`, { path: this.path });
      }
      throw new TldrsError("EIO", `Cannot open database "${this.path}": ${(err as Error).message}`, { path: this.path, cause: err });
    }
    try {
      const st = await file.stat();
      if (st.kind !== "file") throw new TldrsError("ECORRUPT", `Database "${this.path}" is not a regular file`, { path: this.path });
      this.fileMode = st.mode; // a chmod changes neither inode, size nor mtime
      if (this.db && this.identity) {
        const header = await readAt(file, 0, HEADER_SIZE);
        if (sameIdentity(this.identity, identityOf(st, header))) return this.db;
      }
      return this.load(await readWhole(file, st, this.maxImageBytes, this.path), st);
    } finally {
      await file.close();
    }
  }

  private startEmpty(): Database {
    if (this.db && this.identity === undefined) return this.db; // already a new, unsaved store
    this.db?.close();
    const db = new this.SQL.Database();
    db.exec("PRAGMA trusted_schema=OFF");
    ensureSchema(db);
    this.db = db;
    this.identity = undefined;
    this.fileMode = undefined;
    this.dirty = true;
    return db;
  }

  private load(image: Uint8Array, st: FileStat): Database {
    assertWholeImage(image, this.path);
    const identity = identityOf(st, image.subarray(0, HEADER_SIZE));
    let db: Database | undefined;
    let upgraded = false;
    try {
      db = new this.SQL.Database(withoutWalFlag(image));
      // Before any statement touches the schema: a planted view or trigger must not call host functions.
      db.exec("PRAGMA trusted_schema=OFF");
      // Before integrity_check, which would evaluate SQL stored in the schema (expression and
      // partial indexes, CHECK constraints): what SQLite would have to run is refused unrun.
      const hazard = schemaHazard(sqlJsQuery(db));
      if (hazard) {
        throw new TldrsError(
          "ECORRUPT",
          `Database "${this.path}" does not have the tldrs schema: ${hazard.why}; refusing to open it, since checking or using it would run that SQL; remove it with ${dropCommand(this.path, hazard)}, or move the file aside`,
          { path: this.path, data: { object: hazard.name, type: hazard.type } },
        );
      }
      // integrity_check, not quick_check: quick_check does not compare indexes with their
      // tables, and a mutation fuzz of 1,000 images found 8% that passed it with rows missing
      // from an index (test/reliability/mutation_fuzz.test.ts). Cost, measured: 4 ms at
      // 0.3 MiB, 18 ms at 3 MiB (quick_check 3 and 7 ms), paid only when another process
      // changed the file; never for an image this process wrote.
      const check = db.exec("PRAGMA integrity_check")[0]?.values.map((r) => String(r[0])) ?? [];
      if (check.length !== 1 || check[0] !== "ok") {
        throw new TldrsError("ECORRUPT", `Database "${this.path}" is corrupt: integrity_check says ${JSON.stringify(check.slice(0, 3).join("; "))}; move it aside or restore a backup`, { path: this.path });
      }
      // Our tables must have our columns: a missing one would fail our statements with a bare SQLite error.
      const foreign = missingColumns(db, true);
      if (foreign) throw new TldrsError("ECORRUPT", `Database "${this.path}" does not have the tldrs schema: ${foreign}; refusing to use it; move it aside`, { path: this.path });
      upgraded = ensureSchema(db);
      const missing = missingColumns(db);
      if (missing) throw new TldrsError("ECORRUPT", `Database "${this.path}" does not have the tldrs schema: ${missing}; refusing to use it; move it aside`, { path: this.path });
    } catch (err) {
      db?.close();
      if (err instanceof TldrsError) throw err;
      throw new TldrsError("ECORRUPT", `Database "${this.path}" is corrupt: ${String((err as Error)?.message ?? err)}; move it aside or restore a backup`, { path: this.path, cause: err });
    }
    this.db?.close(); // each leaked Database keeps a whole image in WASM memory
    this.db = db;
    this.identity = identity;
    this.fileMode = st.mode;
    this.dirty = upgraded;
    return db;
  }

  /**
   * A -wal or -journal beside the file means a native SQLite connection is live or
   * crashed: committed rows may sit outside the main file, and renaming over the file
   * under a live connection makes both sides lose rows silently.
   */
  private async checkForeignWriter(mode: Mode): Promise<void> {
    for (const suffix of ["-wal", "-journal"]) {
      const side = this.path + suffix;
      let st: FileStat;
      try {
        st = await this.platform.stat(side);
      } catch (err) {
        if (errnoCode(err) === "ENOENT") continue;
        throw err;
      }
      // An empty side file holds no committed rows: reading is safe, writing is not.
      if (mode === "write" || st.size > 0) {
        throw new TldrsError(
          "EFOREIGNWAL",
          `Database "${this.path}" is open in a native SQLite connection ("${side}" exists, ${st.size} bytes): ` +
            `refusing to ${mode} it, since rows committed there may not be in the main file yet; close that program ` +
            `(for example the Python tldr-swinton store), or if none is running, run: sqlite3 "${this.path}" "PRAGMA wal_checkpoint(TRUNCATE);"`,
          { path: side, data: { mode, sideFile: side, size: st.size } },
        );
      }
    }
  }
}

function totalChanges(db: Database): number {
  return Number(db.exec("SELECT total_changes()")[0]?.values[0]?.[0] ?? 0);
}

function schemaVersion(db: Database): number {
  return Number(db.exec("PRAGMA schema_version")[0]?.values[0]?.[0] ?? 0);
}

/** ROLLBACK unless `fn` already ended the transaction (sql.js has no autocommit query). */
function rollbackQuietly(db: Database): void {
  try {
    db.exec("ROLLBACK");
  } catch {
    // "cannot rollback - no transaction is active": nothing to undo.
  }
}

async function readWhole(file: ReadableFile, st: FileStat, maxBytes: number, path: string): Promise<Uint8Array> {
  if (st.size > maxBytes) {
    throw new TldrsError("ETOOLARGE", `Database "${path}" is ${st.size} bytes, more than the ${maxBytes} the in-memory engine accepts; prune it with the Python store or sqlite3 (old sessions and deliveries), or move it aside`, { path, data: { size: st.size, maxBytes } });
  }
  const image = await readAt(file, 0, st.size);
  // A file that grew after fstat was replaced by rename, not appended: what we read is its whole committed image.
  return image;
}
