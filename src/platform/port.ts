/**
 * The platform port: everything the store needs from its runtime, and nothing more.
 *
 * The core (engine, vhs, state, context) receives a Platform as a value and never
 * imports `node:*`, `Deno.*` or `Bun.*`. Implementations: `node.ts` (node: built-ins,
 * which Node, Deno and Bun all provide), `memory.ts` (tests), `faulty.ts` (fault and
 * crash injection around any other platform).
 *
 * Rules for implementations: errors keep their errno `code` (ENOENT, EEXIST, ...);
 * nothing is swallowed; no call follows a symlink unless it says so.
 */

/** What a name holds. "other": a block device or a socket. */
export type EntryKind = "file" | "dir" | "symlink" | "fifo" | "chardev" | "other";

export interface FileStat {
  kind: EntryKind;
  size: number;
  /** Milliseconds; precision differs between runtimes, so only compare for equality. */
  mtimeMs: number;
  /** Inode and device together identify the file across renames over its name. */
  ino: number;
  dev: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
}

export interface WritableFile {
  write(chunk: Uint8Array): Promise<void>;
  /** fsync: the bytes written so far survive a power cut. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface ReadableFile {
  /** Reads up to `buffer.length` bytes at `position`; returns the count, 0 at the end. */
  read(buffer: Uint8Array, position: number): Promise<number>;
  stat(): Promise<FileStat>;
  close(): Promise<void>;
}

export interface Hasher {
  update(chunk: Uint8Array): void;
  /** Lowercase hex digest; the hasher cannot be used afterwards. */
  digestHex(): string;
}

/** A value as SQLite stores it: INTEGER and REAL as number, TEXT, BLOB, NULL. */
export type SqliteValue = number | string | Uint8Array | null;

/**
 * The runtime's own SQLite (node:sqlite in Node 22.13+ and Deno 2, bun:sqlite in Bun), bound by
 * the adapter. A thin, strict shape: the engine (src/engine/native_engine.ts) decides pragmas,
 * locking and checks. Errors thrown by these calls carry `sqliteCode`, SQLite's primary result
 * code (5 busy, 11 corrupt, 26 not a database, ...), whatever the binding called it.
 */
export interface NativeSqlite {
  /** "node:sqlite" or "bun:sqlite". */
  readonly module: string;
  /** The SQLite library's version, e.g. "3.53.4". */
  readonly sqliteVersion: string;
  /**
   * Opens a connection. `create: false` fails (SQLITE_CANTOPEN) if the file is missing;
   * ":memory:" opens a private in-memory database. Extensions are never enabled.
   */
  open(path: string, options: { create: boolean }): NativeConnection;
}

export interface NativeConnection {
  /**
   * True if SQLITE_DBCONFIG_DEFENSIVE is on (node:sqlite from Node 24 can set it; the others
   * cannot, and the engine says so).
   */
  readonly defensive: boolean;
  /** Runs statements that return no rows. */
  exec(sql: string): void;
  prepare(sql: string): NativeStatement;
  close(): void;
}

export interface NativeStatement {
  /** Runs it; returns the number of rows changed. */
  run(params: readonly SqliteValue[]): number;
  /** Every row, as arrays of values in column order. */
  all(params: readonly SqliteValue[]): SqliteValue[][];
  finalize(): void;
}

/** What the adapter found: the runtime's SQLite, or why there is none. */
export type NativeSqliteProbe = { available: true; sqlite: NativeSqlite } | { available: false; reason: string };

export interface Platform {
  /** "node", "deno", "bun", "memory", ...: recorded in lock files for humans. */
  readonly runtime: string;
  readonly pid: number;
  hostname(): string;
  /**
   * True if a process with this pid exists on this host. Only a definite "no such process"
   * is false: EPERM and a refused check (Deno without --allow-run) count as alive, since
   * calling a live holder dead would break its lock.
   */
  isProcessAlive(pid: number): boolean;
  /** Wall clock in milliseconds since the epoch, with sub-millisecond fraction where known. */
  now(): number;
  sleep(ms: number): Promise<void>;
  randomBytes(length: number): Uint8Array;
  createHasher(): Hasher;
  env(name: string): string | undefined;
  cwd(): string;
  /** Absolute, normalized path. */
  resolve(...parts: string[]): string;

  /** Reads a resource shipped with the package (the engine's .wasm). */
  readUrl(url: URL): Promise<Uint8Array>;

  readFile(path: string): Promise<Uint8Array>;
  /** O_CREAT|O_EXCL|O_WRONLY: fails with EEXIST if anything (even a dangling symlink) is there. */
  createExclusive(path: string, mode?: number): Promise<WritableFile>;
  /** O_RDONLY|O_NOFOLLOW: fails with ELOOP on a symlink. */
  openRead(path: string): Promise<ReadableFile>;
  /** lstat: never follows a symlink. Fails with ENOENT if absent. */
  stat(path: string): Promise<FileStat>;
  /** stat that follows symlinks: what the path names in the end (for destinations the user named). */
  statFollow(path: string): Promise<FileStat>;
  /** The absolute path with every symlink resolved (realpath(3)); fails with ENOENT if a part is missing. */
  realPath(path: string): Promise<string>;
  /** Atomic replace of `to` (POSIX rename). */
  rename(from: string, to: string): Promise<void>;
  /** Hard link; fails with EEXIST if `to` exists: an atomic create-with-content. */
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /**
   * Recursive; succeeds if the folder exists. Bounded: a folder whose parent exists but that
   * still cannot be created (ENOENT, as under /proc/self) is an error, never a retry loop.
   */
  mkdir(path: string, mode?: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  chmod(path: string, mode: number): Promise<void>;
  /** fsync of a folder, so a rename in it is durable. */
  syncDir(path: string): Promise<void>;

  /**
   * The runtime's own SQLite, loaded on first call (a dynamic import, so runtimes without one
   * still load the adapter). Absent: the platform offers none (memory, fault injection).
   */
  nativeSqlite?(): Promise<NativeSqliteProbe>;
}
