/**
 * The sql.js engine: the database image held in WASM memory, replaced whole and atomically
 * after each write transaction that changed something (DESIGN section 3).
 *
 *   write: (lock held by StateDb) -> wait while a native connection is at work -> refresh
 *          -> BEGIN IMMEDIATE -> fn -> COMMIT -> if changed: export, temp file, fsync,
 *          [lock still ours, no native connection, file unchanged] rename, fsync folder
 *   read:  wait while a native connection holds rows outside the file -> refresh -> fn
 *
 * It runs wherever WASM runs, and is safe beside every tldrs process (they all take the
 * lockfile) but not beside a native SQLite writer that does not take it (the Python store):
 * without SQLite's own fcntl locks, which JavaScript cannot take on Node, what it can do is
 * narrow that race (the checks in brackets above) and refuse clearly. RELIABILITY.md says so.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import type { FileStat, Platform, ReadableFile } from "../platform/port.ts";
import { readAt } from "../platform/read_at.ts";
import { Backoff } from "./backoff.ts";
import { nativeOpen, releaseNative } from "./native_holders.ts";
import type { EngineInfo } from "./choice.ts";
import type { Engine } from "./engine.ts";
import { replaceFileAtomically } from "./flush.ts";
import { assertWholeImage, HEADER_SIZE, identityOf, isWalImage, sameIdentity, setJournalMode, stampChangeCounter, type FileIdentity } from "./image.ts";
import { checkIntegrity, checkSchemaObjects, checkUpgraded, corruptionOf } from "./load_checks.ts";
import type { HeldLock, LockOptions } from "./lock.ts";
import { assertWritable, ensureSchema } from "./schema.ts";
import type { Sql } from "./sql.ts";
import type { Database, SqlJsStatic } from "./sqljs.ts";
import { SqlJsSql } from "./sqljs_sql.ts";

/** 512 MiB: an image is held in WASM memory and copied on export; beyond this, 32-bit WASM runs out. */
export const DEFAULT_MAX_IMAGE_BYTES = 512 * 1024 * 1024;

type Mode = "read" | "write";

export class SqlJsEngine implements Engine {
  private db: Database | undefined;
  /** Identity of the file the in-memory image came from (or was last flushed to). */
  private identity: FileIdentity | undefined;
  /**
   * Permission bits of the file, kept across flushes (refreshed at every read of the file, so
   * a chmod made while this process holds the image is kept too). Undefined for a new store:
   * its file is created 0644 under the umask, like blob files and like SQLite's own.
   */
  private fileMode: number | undefined;
  /** The file was in WAL mode (the Python store's, a native engine's): flushed back as WAL. */
  private walFile = false;
  /** The image holds changes not on disk (schema upgrades made at load). */
  private dirty = false;
  /** Commits of deferred writes not yet flushed: the image is newer than the file, never reloaded. */
  private unflushed = false;

  constructor(
    private readonly platform: Platform,
    private readonly SQL: SqlJsStatic,
    private readonly path: string,
    private readonly lockOptions: LockOptions,
    private readonly maxImageBytes: number,
    readonly info: EngineInfo,
  ) {}

  async read<T>(fn: (sql: Sql) => T): Promise<T> {
    const db = this.unflushed && this.db ? this.db : await this.refresh("read");
    return this.run(db, fn);
  }

  async write<T>(fn: (sql: Sql) => T, lock: HeldLock, defer: boolean): Promise<T> {
    // Deferred commits of this process are newer than the file, and the lock has been ours since.
    const db = this.unflushed && this.db ? this.db : await this.refresh("write");
    withSql(db, (sql) => assertWritable(sql, this.path));
    const changesBefore = totalChanges(db);
    const schemaBefore = schemaVersion(db);
    db.exec("BEGIN IMMEDIATE");
    let result: T;
    try {
      result = this.run(db, fn);
      db.exec("COMMIT");
    } catch (err) {
      rollbackQuietly(db);
      const corrupt = corruptionOf(err, this.path);
      if (corrupt) this.invalidate();
      throw corrupt ?? err;
    }
    if (this.dirty || totalChanges(db) !== changesBefore || schemaVersion(db) !== schemaBefore) {
      if (defer) this.unflushed = true;
      else await this.flush(db, lock);
    }
    return result;
  }

  async flushDeferred(lock: HeldLock): Promise<void> {
    if (this.unflushed && this.db) await this.flush(this.db, lock);
  }

  release(): void {
    // Nothing is kept open between operations: the image is in memory, the file closed.
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.unflushed = false;
  }

  private run<T>(db: Database, fn: (sql: Sql) => T): T {
    try {
      return withSql(db, fn);
    } catch (err) {
      const corrupt = corruptionOf(err, this.path);
      if (corrupt) this.invalidate(); // never flush a damaged image; the next use reloads (and checks) the file
      throw corrupt ?? err;
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
    setJournalMode(image, this.walFile);
    try {
      await replaceFileAtomically(this.platform, this.path, image, {
        mode: this.fileMode,
        beforeRename: () => this.checkBeforeRename(lock),
      });
    } catch (err) {
      // Memory holds a commit the file does not: forget it, reload on next use.
      this.invalidate();
      throw err;
    }
    this.unflushed = false;
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
   * The last look before the rename, as close to it as the file system allows: the lock is still
   * ours, no native connection is at work beside the file (waiting, up to the lock timeout, for
   * one that is), and the file is still the one this image came from. A native writer that does
   * not take our lock (the Python store) could still commit between this look and the rename:
   * that window is the documented limit of this engine.
   */
  private async checkBeforeRename(lock: HeldLock): Promise<void> {
    if (!(await lock.stillHeld())) {
      throw new TldrsError(
        "ELOCKTIMEOUT",
        `Lost the lock "${lock.path}" during a write (held for longer than its stale limit of ${this.lockOptions.staleMs / 1000} s allows, or another process judged it stale): the transaction was not written`,
        { path: lock.path },
      );
    }
    await this.waitForNativeQuiet("write");
    const now = await this.currentIdentity();
    if (now === null ? this.identity !== undefined : !sameIdentity(this.identity, now)) {
      throw new TldrsError(
        "EFOREIGNWAL",
        `Database "${this.path}" was changed by a program that does not take the tldrs lock (a native SQLite connection, such as the Python store) while this write was prepared: ` +
          `the transaction was not written, so nothing of theirs is lost; retry`,
        { path: this.path },
      );
    }
  }

  /** The identity of the file now, or null if there is none. */
  private async currentIdentity(): Promise<FileIdentity | null> {
    let file: ReadableFile;
    try {
      file = await this.platform.openRead(this.path);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return null;
      throw err;
    }
    try {
      return identityOf(await file.stat(), await readAt(file, 0, HEADER_SIZE));
    } finally {
      await file.close();
    }
  }

  private invalidate(): void {
    this.db?.close();
    this.db = undefined;
    this.identity = undefined;
    this.dirty = false;
    this.unflushed = false;
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
    await this.waitForNativeQuiet(mode);
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
    withSql(db, ensureSchema);
    this.db = db;
    this.identity = undefined;
    this.fileMode = undefined;
    this.walFile = false;
    this.dirty = true;
    return db;
  }

  private load(image: Uint8Array, st: FileStat): Database {
    assertWholeImage(image, this.path);
    const identity = identityOf(st, image.subarray(0, HEADER_SIZE));
    const wal = isWalImage(image);
    // sql.js cannot open a WAL image; the buffer is ours, so no copy (see setJournalMode).
    setJournalMode(image, false);
    let db: Database | undefined;
    let upgraded = false;
    try {
      db = new this.SQL.Database(image);
      // Before any statement touches the schema: a planted view or trigger must not call host functions.
      db.exec("PRAGMA trusted_schema=OFF");
      upgraded = withSql(db, (sql) => {
        checkSchemaObjects(sql, this.path); // first: it refuses what integrity_check would have to run
        checkIntegrity(sql, this.path); // paid only when another process changed the file; never for an image this process wrote
        const changed = ensureSchema(sql);
        checkUpgraded(sql, this.path);
        return changed;
      });
    } catch (err) {
      db?.close();
      if (err instanceof TldrsError) throw err;
      throw new TldrsError("ECORRUPT", `Database "${this.path}" is corrupt: ${String((err as Error)?.message ?? err)}; move it aside or restore a backup`, { path: this.path, cause: err });
    }
    this.db?.close(); // each leaked Database keeps a whole image in WASM memory
    this.db = db;
    this.identity = identity;
    this.fileMode = st.mode;
    this.walFile = wal;
    this.dirty = upgraded;
    return db;
  }

  /**
   * A -wal or -journal beside the file means a native SQLite connection is at work (or crashed):
   * committed rows may sit outside the main file, and renaming over the file under a live
   * connection makes both sides lose rows silently. Native tldrs processes keep one only while an
   * operation runs, so this waits (backing off, up to the lock timeout) before it refuses.
   * A read minds only a -wal holding frames: an empty one means readers, and the file is whole.
   */
  private async waitForNativeQuiet(mode: Mode): Promise<void> {
    const backoff = new Backoff(this.platform, this.lockOptions.timeoutMs);
    for (;;) {
      // Native connections of this very process first: they close between their operations when
      // asked, and this engine must not open the file by descriptor while one is open (it would
      // drop their locks at its close: native_holders.ts).
      if (nativeOpen(this.path)) {
        releaseNative(this.path);
        if (!(await backoff.wait())) {
          throw new TldrsError("ELOCKTIMEOUT", `Database "${this.path}" stayed open in a native connection of this process for ${(backoff.waited() / 1000).toFixed(1)} s: the ${mode} was not done; retry`, { path: this.path });
        }
        continue;
      }
      const side = await this.nativeSideFile(mode);
      if (!side) return;
      if (!(await backoff.wait())) {
        throw new TldrsError(
          "EFOREIGNWAL",
          `Database "${this.path}" is open in a native SQLite connection ("${side.path}" exists, ${side.size} bytes, for ${(backoff.waited() / 1000).toFixed(1)} s): ` +
            `refusing to ${mode} it, since rows committed there may not be in the main file yet; close that program ` +
            `(for example the Python tldr-swinton store), or if none is running, run: sqlite3 "${this.path}" "PRAGMA wal_checkpoint(TRUNCATE);"`,
          { path: side.path, data: { mode, sideFile: side.path, size: side.size } },
        );
      }
    }
  }

  private async nativeSideFile(mode: Mode): Promise<{ path: string; size: number } | null> {
    for (const suffix of ["-wal", "-journal"]) {
      const path = this.path + suffix;
      let st: FileStat;
      try {
        st = await this.platform.stat(path);
      } catch (err) {
        if (errnoCode(err) === "ENOENT") continue;
        throw err;
      }
      // An empty side file holds no committed rows: reading is safe, writing is not.
      if (mode === "write" || st.size > 0) return { path, size: st.size };
    }
    return null;
  }
}

/** Runs `fn` over the Sql interface of `db`, freeing its statements after. */
function withSql<T>(db: Database, fn: (sql: Sql) => T): T {
  const sql = new SqlJsSql(db);
  try {
    return fn(sql);
  } finally {
    sql.finish();
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
  // A file that grew after fstat was replaced by rename, not appended: what we read is its whole committed image.
  return readAt(file, 0, st.size);
}
