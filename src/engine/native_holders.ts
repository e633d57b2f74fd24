/**
 * The native connections this process holds, by database path.
 *
 * Why it matters: SQLite's locks are POSIX fcntl locks, which belong to the process, and closing
 * ANY file descriptor the process has on the database file drops all of them, SQLite's included
 * (fcntl semantics; SQLite shares one descriptor between its own connections, but it cannot know
 * of ours). Measured: after one read of the file's bytes by this process, the Python store took
 * our kept connection for gone, folded and deleted the WAL at its close, and the next commit of
 * ours went into the unlinked WAL: lost. So tldrs never opens the database file by descriptor
 * while a native connection of this process is open on it: the native engine skips its header
 * read when another engine of the process holds the file open (that one checked it when it
 * opened), and the sql.js engine asks the process's native connections to close, and waits for
 * them, before it reads the file.
 */
export interface NativeHolder {
  /** Close the kept connection now if no operation runs, else as soon as the running one ends. */
  release(): void;
}

const holders = new Map<string, Set<NativeHolder>>();

export function holdNative(path: string, holder: NativeHolder): void {
  let set = holders.get(path);
  if (!set) holders.set(path, (set = new Set()));
  set.add(holder);
}

export function dropNative(path: string, holder: NativeHolder): void {
  const set = holders.get(path);
  set?.delete(holder);
  if (set?.size === 0) holders.delete(path);
}

/** True if a native connection of this process (other than `except`) is open on `path`. */
export function nativeOpen(path: string, except?: NativeHolder): boolean {
  for (const h of holders.get(path) ?? []) if (h !== except) return true;
  return false;
}

/** Asks every native connection of this process on `path` to close (now, or when its operation ends). */
export function releaseNative(path: string): void {
  for (const h of [...(holders.get(path) ?? [])]) h.release();
}
