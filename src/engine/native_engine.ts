/**
 * The native engine: the runtime's own SQLite (node:sqlite, bun:sqlite), bound by the platform
 * adapter, on the same file, schema and checks as sql.js, in WAL mode like the Python store.
 * A commit costs about the same at any database size, and SQLite's own fcntl locks make it safe
 * beside the Python store by construction. The protocol (docs/format.md, "Native engine"):
 *
 * - A connection kept between operations, closed after IDLE_CLOSE_MS without one (and at close):
 *   closing last, SQLite checkpoints and deletes the -wal and -shm, so a long-lived process (an
 *   MCP server) holds them only while it works, and a sql.js process beside it waits a moment at
 *   most. Kept, a write costs its commit's fsync of the WAL (about 1.5 ms here) instead of an
 *   open, a checkpoint and a second fsync per operation (about 3 ms, what the Python store pays).
 * - Before opening: the name must be a regular file (a symlink or FIFO is refused unopened),
 *   and a file that is empty (with no -wal), truncated or not SQLite is refused, never written.
 * - On open: trusted_schema=OFF before any statement reads the schema; SQLITE_DBCONFIG_DEFENSIVE
 *   where the binding can set it; extensions never enabled; busy_timeout = the lock timeout.
 * - The cheap schema checks (schema objects that would run SQL, our columns) whenever the schema
 *   cookie moves. No integrity_check on open: it reads the whole file (480 ms at 40 MB, paid by
 *   every CLI call), and SQLite finds damage in a page when it reads it (ECORRUPT), changing only
 *   the pages a commit writes; `tldrs doctor` runs it (checkIntegrity).
 * - Write: under the tldrs lock (StateDb takes it), journal_mode=WAL, synchronous=FULL (the WAL
 *   is fsynced at each commit: a commit reported is on disk, whether or not a checkpoint
 *   follows), BEGIN IMMEDIATE, fn, a touch of page 1 so the file change counter moves (sql.js
 *   processes notice the change by it), lock still ours, COMMIT, close.
 * - Read: no lock, except in WAL mode while a sql.js writer holds the lock: that writer may
 *   rename a new file over the name, and a connection that spans the rename would checkpoint
 *   the next writer's frames into the old file at its close. So a reader starts its transaction
 *   (which creates the -wal, the sign a sql.js writer waits on) and then looks at the lock: a
 *   sql.js holder makes it close and retry with backoff. One of the two always sees the other.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import { randomHex } from "../file_ops.ts";
import { dirname } from "../platform/path.ts";
import type { FileStat, NativeConnection, NativeSqlite, Platform, ReadableFile } from "../platform/port.ts";
import { Backoff } from "./backoff.ts";
import type { EngineInfo } from "./choice.ts";
import type { Engine } from "./engine.ts";
import { assertDatabaseHeader, HEADER_SIZE } from "./image.ts";
import { checkSchemaObjects, checkUpgraded, corruptionOf } from "./load_checks.ts";
import { isStale, lockTimeout, mayReplaceFile, readLockHolder, type HeldLock, type LockHolder, type LockOptions } from "./lock.ts";
import { dropNative, holdNative, nativeOpen, type NativeHolder } from "./native_holders.ts";
import { NativeSql } from "./native_sql.ts";
import { addReadShims, assertWritable, ensureSchema, SCHEMA_VERSION, userVersion } from "./schema.ts";
import { scalar, type Sql } from "./sql.ts";
import { readAt } from "../platform/read_at.ts";

/** A database file as found before opening it. */
interface FileSeen {
  dev: number;
  ino: number;
}

/** The connection of one operation. */
interface Connection {
  native: NativeConnection;
  /** The file it was opened on (a sql.js writer may rename a new one over the name). */
  file: FileSeen;
  /** The file is in WAL mode (always, after this engine's first write). */
  wal: boolean;
}

type Mode = "read" | "write";

/**
 * How long a connection is kept without an operation. Short: a sql.js process beside this one
 * waits for the -wal to go; long enough that the operations of one request (an MCP tool call, a
 * context call) share one connection.
 */
export const IDLE_CLOSE_MS = 100;


export class NativeEngine implements Engine, NativeHolder {
  /** The file and schema cookie whose schema objects were last checked, and what was found. */
  private checkedSchema: { key: string; shims: boolean; complete: boolean } | undefined;
  private readonly lockPath: string;
  private conn: Connection | undefined;
  /** The last file that passed inspect(). */
  private inspected: FileSeen | undefined;
  /** An operation is running on the connection (the idle close waits for the next lull). */
  private busy = false;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Close the connection when the running operation ends (a sql.js engine of this process asked). */
  private releaseAsked = false;

  constructor(
    private readonly platform: Platform,
    private readonly sqlite: NativeSqlite,
    private readonly path: string,
    private readonly lockOptions: LockOptions,
    readonly info: EngineInfo,
    private readonly idleCloseMs = IDLE_CLOSE_MS,
  ) {
    this.lockPath = `${path}.lock`;
  }

  read<T>(fn: (sql: Sql) => T): Promise<T> {
    return this.operation(() => this.readNow(fn));
  }

  write<T>(fn: (sql: Sql) => T, lock: HeldLock): Promise<T> {
    return this.operation(() => this.writeNow(fn, lock));
  }

  private async readNow<T>(fn: (sql: Sql) => T): Promise<T> {
    const backoff = new Backoff(this.platform, this.lockOptions.timeoutMs);
    for (;;) {
      const conn = await this.connection();
      if (!conn) return this.readEmpty(fn);
      let blocker: LockHolder | null = null;
      const done = await this.run(conn, "read", async (sql) => {
        sql.exec("BEGIN");
        const { shims } = this.checkFile(sql, conn.file); // its statements start the read transaction
        // Asked each time: a kept connection opened on a rollback-journal file sees it switch to
        // WAL when any SQLite writer (another native process, Python) makes its first write.
        conn.wal = String(scalar(sql, "PRAGMA journal_mode")) === "wal";
        // Two independent looks, made at once (one file-call wait instead of two on every read):
        // our open read transaction keeps a -wal beside the file, so a sql.js writer cannot
        // rename between them, whichever answers first.
        const [holder, named] = await Promise.all([conn.wal ? this.renamingWriter() : null, this.stillNamed(conn.file)]);
        blocker = holder;
        if (blocker || !named) {
          sql.exec("ROLLBACK");
          return null;
        }
        if (shims) addReadShims(sql); // TEMP views: gone with the ROLLBACK below
        const result = fn(sql);
        sql.exec(shims ? "ROLLBACK" : "COMMIT");
        return { result };
      });
      if (done) return done.result;
      // Step aside: a sql.js writer waits for our -wal to go before it renames.
      this.closeConnection();
      if (!(await backoff.wait())) {
        if (blocker) throw lockTimeout(this.platform, this.lockPath, blocker, backoff.waited());
        throw new TldrsError("EIO", `Cannot read database "${this.path}": it was replaced again and again for ${(backoff.waited() / 1000).toFixed(1)} s`, { path: this.path });
      }
    }
  }

  private async writeNow<T>(fn: (sql: Sql) => T, lock: HeldLock): Promise<T> {
    // Under the lock no tldrs process renames the file, and SQLite writers never do: the file the
    // connection is on stays the one at the name.
    let conn = await this.connection();
    if (conn && this.conn === conn && !(await this.stillNamed(conn.file))) {
      // A connection kept from an earlier operation, on a file no longer at the name (moved or
      // replaced by hand: tldrs never renames under a live -wal): start over on what is there.
      this.closeConnection();
      conn = await this.connection();
    }
    if (!conn) {
      await this.createFile();
      conn = await this.connection();
      if (!conn) throw new TldrsError("EIO", `Cannot create database "${this.path}": it vanished as it was made`, { path: this.path });
    }
    const open = conn;
    const done = await this.run(open, "write", async (sql) => {
      if (!open.wal) {
        // The checks first, in a read transaction: a file they refuse is left exactly as it was
        // (switching it to WAL rewrites its header).
        sql.exec("BEGIN");
        this.checkFile(sql, open.file);
        assertWritable(sql, this.path);
        sql.exec("COMMIT");
        sql.exec("PRAGMA journal_mode=WAL");
        open.wal = true;
      }
      // Drops this connection's page cache, so page 1 is read again and SQLite stamps the next
      // change counter from the latest one: on a kept connection it would stamp the same value
      // after each of its own commits (it counts from the page 1 it read last).
      sql.exec("PRAGMA shrink_memory");
      sql.exec("BEGIN IMMEDIATE");
      // Under the write lock, in case a SQLite writer changed the schema meanwhile (cheap unless
      // it did: the checks are keyed by the schema cookie).
      const { complete } = this.checkFile(sql, open.file);
      assertWritable(sql, this.path);
      const upgraded = !complete && ensureSchema(sql);
      if (!complete) checkUpgraded(sql, this.path);
      const before = changeMarks(sql);
      const result = fn(sql);
      if (upgraded || changeMarks(sql) !== before) {
        // Puts page 1 into this commit, so SQLite moves the file change counter (in WAL mode it
        // does only when page 1 is written): sql.js processes tell versions apart by it.
        sql.exec(`PRAGMA user_version = ${Number(scalar(sql, "PRAGMA user_version"))}`);
      }
      if (!(await lock.stillHeld())) {
        throw new TldrsError(
          "ELOCKTIMEOUT",
          `Lost the lock "${lock.path}" during a write (held for longer than its stale limit of ${this.lockOptions.staleMs / 1000} s allows, or another process judged it stale): the transaction was not written`,
          { path: lock.path },
        );
      }
      sql.exec("COMMIT");
      return { result };
    });
    return done!.result;
  }

  async flushDeferred(): Promise<void> {
    // Every commit is durable when write() returns.
  }

  close(): void {
    this.closeConnection();
  }

  /**
   * The connection for the next operation: the one kept from the last (its caller checks, once
   * its transaction has begun, that the name still holds that file); else a new one, after the
   * file is checked unopened. Null: no file.
   */
  private async connection(): Promise<Connection | null> {
    if (this.conn) return this.conn;
    let st: FileStat | null;
    try {
      st = await this.platform.stat(this.path).catch((err: unknown) => {
        if (errnoCode(err) === "ENOENT") return null;
        throw err;
      });
    } catch (err) {
      throw new TldrsError("EIO", `Cannot read database "${this.path}": ${(err as Error).message}`, { path: this.path, cause: err });
    }
    const same = (f: FileSeen | undefined) => f !== undefined && st !== null && st.kind === "file" && st.ino === f.ino && st.dev === f.dev;
    if (!st) return null;
    // The header checks once per file (since, SQLite has written it), unless its size says it
    // was cut by someone else (SQLite's sizes are whole pages, at least 512 bytes each).
    const intact = st.size > 0 && st.size % 512 === 0;
    const file = intact && same(this.inspected) ? this.inspected! : await this.inspect();
    if (!file) return null;
    this.inspected = file;
    let native: NativeConnection | undefined;
    try {
      native = this.sqlite.open(this.path, { create: false });
      holdNative(this.path, this);
      // Before any statement reads the schema: a planted view or trigger must not run.
      native.exec(`PRAGMA trusted_schema=OFF; PRAGMA busy_timeout=${Math.max(0, Math.round(this.lockOptions.timeoutMs))}; PRAGMA synchronous=FULL`);
      const sql = new NativeSql(native);
      const wal = String(scalar(sql, "PRAGMA journal_mode")) === "wal";
      sql.finish();
      this.conn = { native, file, wal };
      return this.conn;
    } catch (err) {
      closeQuietly(native);
      dropNative(this.path, this);
      throw this.asStoreError(err, "read");
    }
  }

  /** Runs `body` on `conn`; on any error the connection is closed (what it left open rolls back). */
  private async run<T>(conn: Connection, mode: Mode, body: (sql: NativeSql) => Promise<T>): Promise<T> {
    const sql = new NativeSql(conn.native);
    try {
      return await body(sql);
    } catch (err) {
      sql.finish();
      this.closeConnection();
      throw this.asStoreError(err, mode);
    } finally {
      sql.finish();
    }
  }

  /** Runs one operation (read or write) with the idle close held off until it ends. */
  private async operation<T>(body: () => Promise<T>): Promise<T> {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.busy = true;
    try {
      return await body();
    } finally {
      this.busy = false;
      if (this.releaseAsked) this.closeConnection();
      else this.closeWhenIdle();
    }
  }

  release(): void {
    if (this.busy) this.releaseAsked = true;
    else this.closeConnection();
  }

  /**
   * Closes the kept connection once no operation has used it for IDLE_CLOSE_MS. Closing last,
   * SQLite folds the WAL into the file and deletes -wal and -shm. (A read that finds a sql.js
   * writer holding the lock closes at once, to let it rename; see read().)
   */
  private closeWhenIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (!this.conn) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.busy) this.closeConnection();
    }, this.idleCloseMs);
  }

  private closeConnection(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.releaseAsked = false;
    const kept = this.conn;
    this.conn = undefined;
    if (kept) {
      closeQuietly(kept.native);
      dropNative(this.path, this);
    }
  }

  /**
   * A new store appears whole, never as the zero-byte file SQLite creates on open (which a
   * reader would rightly refuse as damaged): the schema is written to a temp file beside it,
   * which is then linked into place (EEXIST: another program made one meanwhile; it is used)
   * and its folder fsynced. A temp left by a crash has a name the leftover sweep removes.
   */
  private async createFile(): Promise<void> {
    const temp = `${this.path}.${randomHex(this.platform, 8)}.tmp`;
    try {
      const conn = this.sqlite.open(temp, { create: true });
      try {
        // No journal file beside the temp (a crash leaves only the temp, which the sweep knows);
        // synchronous=FULL: the commit syncs it.
        conn.exec("PRAGMA trusted_schema=OFF; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=FULL");
        const sql = new NativeSql(conn);
        try {
          sql.exec("BEGIN IMMEDIATE");
          ensureSchema(sql);
          sql.exec("COMMIT");
        } finally {
          sql.finish();
        }
      } finally {
        conn.close();
      }
      try {
        await this.platform.link(temp, this.path);
      } catch (err) {
        const code = errnoCode(err);
        if (code === "EEXIST") return;
        if (code !== "EPERM" && code !== "ENOTSUP") throw err;
        // No hard links here: rename, unless a file appeared meanwhile (the window is the
        // fallback's, as for flush.ts on such file systems).
        if (await this.platform.stat(this.path).then(() => true, () => false)) return;
        await this.platform.rename(temp, this.path);
      }
      await this.platform.syncDir(dirname(this.path));
    } catch (err) {
      throw err instanceof TldrsError ? err : new TldrsError("EIO", `Cannot create database "${this.path}": ${(err as Error).message}`, { path: this.path, cause: err });
    } finally {
      await this.platform.unlink(temp).catch(() => undefined);
    }
  }

  /** A read of a store that does not exist yet: the empty schema, in memory; nothing is created. */
  private async readEmpty<T>(fn: (sql: Sql) => T): Promise<T> {
    const conn = this.sqlite.open(":memory:", { create: true });
    const sql = new NativeSql(conn);
    try {
      ensureSchema(sql);
      return fn(sql);
    } finally {
      sql.finish();
      conn.close();
    }
  }

  /**
   * The file at the name, checked before any connection opens it: null if there is none; a
   * symlink, folder or FIFO is refused unopened; a file that is not a whole SQLite database
   * (empty, truncated, another format) is refused unwritten.
   */
  private async inspect(): Promise<FileSeen | null> {
    try {
      const st = await this.platform.stat(this.path).catch((err: unknown) => {
        if (errnoCode(err) === "ENOENT") return null;
        throw err;
      });
      if (!st) return null;
      if (st.kind === "symlink") throw this.symlinkError();
      if (st.kind !== "file") throw new TldrsError("ECORRUPT", `Database "${this.path}" is not a regular file`, { path: this.path });
      const walBeside = await this.platform.stat(`${this.path}-wal`).then(
        () => true,
        () => false,
      );
      // Another engine of this process has the file open and checked it: reading it here by
      // descriptor would drop that connection's locks at our close (native_holders.ts).
      if (nativeOpen(this.path, this)) {
        if (st.size === 0 && !walBeside) assertDatabaseHeader(new Uint8Array(0), 0, this.path, false);
        return { dev: st.dev, ino: st.ino };
      }
      let file: ReadableFile;
      try {
        file = await this.platform.openRead(this.path);
      } catch (err) {
        if (errnoCode(err) === "ENOENT") return null;
        if (errnoCode(err) === "ELOOP") throw this.symlinkError();
        throw err;
      }
      try {
        const fst = await file.stat();
        if (fst.kind !== "file") throw new TldrsError("ECORRUPT", `Database "${this.path}" is not a regular file`, { path: this.path });
        assertDatabaseHeader(await readAt(file, 0, HEADER_SIZE), fst.size, this.path, walBeside);
        return { dev: fst.dev, ino: fst.ino };
      } finally {
        await file.close();
      }
    } catch (err) {
      if (err instanceof TldrsError) throw err;
      throw new TldrsError("EIO", `Cannot read database "${this.path}": ${(err as Error).message}`, { path: this.path, cause: err });
    }
  }

  private symlinkError(): TldrsError {
    return new TldrsError("ECORRUPT", `Database "${this.path}" is a symbolic link: refusing to use it; replace it with the file itself`, { path: this.path });
  }

  /** The name still holds the file inspected (a sql.js writer may have renamed a new one over it). */
  private async stillNamed(file: FileSeen): Promise<boolean> {
    const st = await this.platform.stat(this.path).catch(() => null);
    return st !== null && st.kind === "file" && st.ino === file.ino && st.dev === file.dev;
  }

  /** The live holder of the lock if it may rename a new file over the database (a sql.js writer). */
  private async renamingWriter(): Promise<LockHolder | null> {
    const holder = await readLockHolder(this.platform, this.lockPath).catch(() => null);
    if (!holder || !mayReplaceFile(holder) || isStale(this.platform, holder, this.lockOptions.staleMs)) return null;
    return holder;
  }

  /**
   * The load-time defences, inside the operation's transaction: the schema checks whenever the
   * file or its schema cookie moved (no integrity_check: see the module comment). Returns whether a read
   * needs the stand-ins of an older store's missing tables or columns (addReadShims), and whether
   * the schema is complete (no upgrade to make).
   */
  private checkFile(sql: Sql, file: FileSeen): { shims: boolean; complete: boolean } {
    const key = `${file.dev}:${file.ino}:${String(scalar(sql, "PRAGMA schema_version"))}`;
    if (this.checkedSchema?.key !== key) {
      checkSchemaObjects(sql, this.path);
      const shims = needsShims(sql);
      this.checkedSchema = { key, shims, complete: !shims && userVersion(sql) === SCHEMA_VERSION };
    }
    return this.checkedSchema;
  }

  /** SQLite's own errors as TldrsErrors naming the file; anything else (a constraint, a bad statement in `fn`) unchanged. */
  private asStoreError(err: unknown, mode: Mode): unknown {
    if (err instanceof TldrsError) return err;
    const corrupt = corruptionOf(err, this.path);
    if (corrupt) {
      this.checkedSchema = undefined;
      this.inspected = undefined;
      return corrupt;
    }
    const code = (err as { sqliteCode?: unknown } | null)?.sqliteCode;
    const message = (err as Error)?.message ?? String(err);
    if (code === 5 || code === 6) {
      return new TldrsError(
        "ELOCKTIMEOUT",
        `Database "${this.path}" stayed locked by another SQLite connection (such as the Python store) for ${(this.lockOptions.timeoutMs / 1000).toFixed(1)} s: ` +
          `the ${mode} was not done; retry, or close the program that holds it`,
        { path: this.path, cause: err },
      );
    }
    if (code === 13) return new TldrsError("EIO", `Cannot write database "${this.path}": the disk is full; free space and retry`, { path: this.path, cause: err });
    if (code === 8 || code === 10 || code === 14) {
      return new TldrsError("EIO", `Cannot ${mode} database "${this.path}": ${message}`, { path: this.path, cause: err });
    }
    return err;
  }
}

/** Rows changed by this connection and the schema cookie: a write that moves neither changed nothing. */
function changeMarks(sql: Sql): string {
  return (sql.get("SELECT total_changes(), (SELECT schema_version FROM pragma_schema_version)") ?? []).join(":");
}

function closeQuietly(conn: NativeConnection | undefined): void {
  try {
    conn?.close();
  } catch {
    // Closing rolls back what is open; a failure here changes nothing committed.
  }
}

/** Whether a table or an added column of ours is missing in the main database. */
function needsShims(sql: Sql): boolean {
  return Number(scalar(sql, "SELECT count(*) FROM pragma_table_info('deliveries', 'main') WHERE name = 'code_snapshot'")) === 0 ||
    Number(scalar(sql, "SELECT count(*) FROM pragma_table_info('objects', 'main') WHERE name IN ('stored_size', 'compression')")) < 2 ||
    Number(scalar(sql, "SELECT count(*) FROM pragma_table_info('sessions', 'main')")) === 0;
}
