/**
 * The writer lock: `tldrs_state.db.lock`, created exclusively, holding an owner record.
 *
 * - Create: the record is written into the lock name created exclusively (O_EXCL: EEXIST if
 *   taken); a reader that meets it half-written takes it for garbage, which it only waits for.
 * - Stale: its process is dead on this host, or it is older than `staleMs`.
 * - Breaking a stale lock is serialized by a second lock, `<lock>.break`: a breaker
 *   re-reads the lock under it and deletes it only if it is still the one judged stale.
 *   Deleting by name after an unguarded check would delete a live process's fresh lock
 *   when two waiters judge the same stale lock at once (the open proper-lockfile bug #121).
 * - Release deletes the lock only if it still carries our token. Read-then-delete by name is
 *   only safe while nobody may judge the lock stale: on one host that is while it is younger
 *   than staleMs (less a margin). Past that, release and the removal of a dead breaker's
 *   `.break` move the file aside first (rename is atomic), then check what they moved, and put
 *   back what was not theirs; and a holder that old may no longer commit (stillHeld is false),
 *   so a write that ran that long fails instead of racing the process that broke its lock.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import { publishByLink, randomHex, unlinkIfPresent, writeNewFile } from "../file_ops.ts";
import type { FileStat, Platform } from "../platform/port.ts";
import { Backoff } from "./backoff.ts";
import { isoTimestamp } from "./timestamp.ts";

export interface LockOptions {
  /** How long to wait for a live holder before failing. */
  timeoutMs: number;
  /** A lock older than this is stale even if its process looks alive (another host, a hung process). */
  staleMs: number;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { timeoutMs: 10_000, staleMs: 30_000 };

export interface LockRecord {
  pid: number;
  host: string;
  runtime: string;
  /**
   * The engine of the holder: "sqljs" (replaces the file by rename) or "native" (writes in
   * place through SQLite). Native readers step aside for a holder that may rename; records of
   * tldrs 0.1.0 have no engine and count as "sqljs".
   */
  engine?: string;
  token: string;
  created_at: string;
  created_ms: number;
}

/** What is found at a lock path: a parsed record, or garbage (identified by its stat). */
export interface LockHolder {
  record: LockRecord | null;
  stat: FileStat;
}

export interface HeldLock {
  readonly path: string;
  readonly token: string;
  /**
   * True if the lock file still carries our token and is young enough that no process on this
   * host may be breaking it as stale (see the module comment): safe to commit under.
   */
  stillHeld(): Promise<boolean>;
  /** Deletes the lock if it is still ours; returns false if it was broken meanwhile. */
  release(): Promise<boolean>;
}

/** A lock file that cannot be parsed is only ours to break after this long (foreign or corrupt). */
const GARBAGE_GRACE_MS = 2_000;
/** The break lock is held for a few file calls; older than this, its holder died. */
const BREAK_STALE_MS = 5_000;

/** A lock this close to staleMs may be judged stale by a waiter any moment now. */
function safetyMargin(staleMs: number): number {
  return Math.min(5_000, staleMs / 5);
}

/** A lock record is one JSON line; anything longer is garbage, never read whole. */
const MAX_RECORD_BYTES = 64 * 1024;

export async function readLockHolder(platform: Platform, path: string): Promise<LockHolder | null> {
  let data: Uint8Array;
  let stat: FileStat;
  try {
    stat = await platform.stat(path);
    // A symlink (to /dev/zero, a FIFO, a huge file), a FIFO or a folder planted at the lock
    // name is garbage: reading it could block or exhaust memory. It ages like other garbage.
    if (stat.kind !== "file" || stat.size > MAX_RECORD_BYTES) return { record: null, stat };
    data = await platform.readFile(path);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return null;
    throw err;
  }
  return { record: parseRecord(data), stat };
}

function parseRecord(data: Uint8Array): LockRecord | null {
  try {
    const r = JSON.parse(new TextDecoder().decode(data)) as Partial<LockRecord>;
    if (typeof r.pid === "number" && typeof r.host === "string" && typeof r.token === "string" && typeof r.created_ms === "number") {
      return { runtime: "unknown", created_at: "", ...r } as LockRecord;
    }
  } catch {
    // fall through: garbage
  }
  return null;
}

/**
 * Age in ms: from the record's own clock, else from the file's mtime. Negative when that start
 * time is in the future (another host's clock ahead of ours, or a forged record).
 */
export function lockAgeMs(platform: Platform, holder: LockHolder): number {
  return platform.now() - (holder.record?.created_ms ?? holder.stat.mtimeMs);
}

/**
 * Stale: its process is dead on this host, or it is older than `staleMs` (garbage: older than
 * GARBAGE_GRACE_MS). A start time more than `staleMs` in the future is stale too: no clock skew
 * we support explains it, and such a lock would otherwise block every write until deleted by
 * hand. Within `staleMs` of now it counts as just taken (ahead clocks), so it is waited out:
 * for at most twice the stale limit.
 */
export function isStale(platform: Platform, holder: LockHolder, staleMs: number): boolean {
  const age = lockAgeMs(platform, holder);
  if (age < -staleMs) return true;
  const r = holder.record;
  if (!r) return age > Math.min(GARBAGE_GRACE_MS, staleMs);
  if (r.host === platform.hostname() && !platform.isProcessAlive(r.pid)) return true;
  return age > staleMs;
}

/** The holder for messages. A start time in the future is said so, never shown as a negative age. */
export function describeHolder(platform: Platform, holder: LockHolder): string {
  const ms = lockAgeMs(platform, holder);
  const future = ms < 0 ? `started ${(-ms / 1000).toFixed(1)} s in the future by this host's clock` : undefined;
  const r = holder.record;
  if (!r) return `an unreadable lock file (${holder.stat.size} bytes, ${future ?? `${(ms / 1000).toFixed(1)} s old`})`;
  const engine = r.engine ? `, ${r.engine === "native" ? "native engine" : "sql.js engine"}` : "";
  return `pid ${r.pid} on host "${r.host}" (${r.runtime}${engine}) ${future ?? `for ${(ms / 1000).toFixed(1)} s`}`;
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  if (a.record && b.record) return a.record.token === b.record.token;
  return !a.record && !b.record && a.stat.ino === b.stat.ino && a.stat.mtimeMs === b.stat.mtimeMs && a.stat.size === b.stat.size;
}

/**
 * Creates `path` holding `record`; throws EEXIST if taken. Created in place (O_EXCL), so for a
 * moment the record may be seen partly written: a reader takes such a file for garbage, which
 * is never broken before GARBAGE_GRACE_MS, so it only waits. (A temp file hard-linked into
 * place was never seen half-written, but cost two more file calls on every write: measured
 * 0.1-0.3 ms of a native write's 2 ms.)
 */
async function createRecordFile(platform: Platform, path: string, record: LockRecord): Promise<void> {
  // No fsync: a lock outlives no crash of its machine (a dead holder's lock is stale). A failed
  // write takes the file back (ours and held by nobody else) rather than leave garbage behind.
  await writeNewFile(platform, path, new TextEncoder().encode(JSON.stringify(record) + "\n"), { sync: false });
}

/** The lock file just created at `path`, as a stat (its identity); taken back if that fails. */
async function statCreated(platform: Platform, path: string): Promise<FileStat> {
  try {
    return await platform.stat(path);
  } catch (err) {
    await platform.unlink(path).catch(() => undefined);
    throw err;
  }
}

function newRecord(platform: Platform, engine?: string): LockRecord {
  const now = platform.now();
  return {
    pid: platform.pid,
    host: platform.hostname(),
    runtime: platform.runtime,
    ...(engine !== undefined ? { engine } : {}),
    token: randomHex(platform, 16),
    created_at: isoTimestamp(now),
    created_ms: now,
  };
}

/** True if the holder may rename a new file over the database (a sql.js writer, or one that does not say). */
export function mayReplaceFile(holder: LockHolder): boolean {
  return holder.record?.engine !== "native";
}

/**
 * Deletes the lock at `path` if, under the break lock, it is still `judged`. Returns false if
 * another waiter holds the break lock (it is breaking the lock now: wait, do not spin).
 */
async function breakStaleLock(platform: Platform, path: string, judged: LockHolder): Promise<boolean> {
  const breakPath = `${path}.break`;
  try {
    await createRecordFile(platform, breakPath, newRecord(platform));
  } catch (err) {
    if (errnoCode(err) !== "EEXIST") throw err;
    // Another waiter is breaking: let it. Clear the break lock only if its holder died.
    const breaker = await readLockHolder(platform, breakPath);
    // Another waiter may have judged the same dead breaker and already put its own .break in
    // place: delete only what is still the one judged.
    if (breaker && isStale(platform, breaker, BREAK_STALE_MS)) return removeIfStill(platform, breakPath, (h) => sameHolder(h, breaker));
    return false;
  }
  try {
    const current = await readLockHolder(platform, path);
    if (current && sameHolder(current, judged)) await unlinkIfPresent(platform, path);
  } finally {
    await unlinkIfPresent(platform, breakPath);
  }
  return true;
}

/**
 * Deletes the file at `path` only if it is still the one `isJudged` accepts: it is moved to a
 * private name first (atomic), so what is checked is what is deleted. Anything else is put
 * back; if the name was taken again meanwhile, that holder was displaced and fails its next
 * stillHeld() check (its write reports failure instead of committing). Rare paths only.
 */
async function removeIfStill(platform: Platform, path: string, isJudged: (holder: LockHolder) => boolean): Promise<boolean> {
  const aside = `${path}.${randomHex(platform, 16)}.tmp`; // a leftover name the sweep knows
  try {
    await platform.rename(path, aside);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return false;
    throw err;
  }
  const moved = await readLockHolder(platform, aside).catch(() => null);
  if (moved && isJudged(moved)) {
    await unlinkIfPresent(platform, aside);
    return true;
  }
  // Best effort: taken again meanwhile (or no hard links, or a failure): see above.
  await publishByLink(platform, aside, path).catch(() => undefined);
  await unlinkIfPresent(platform, aside);
  return false;
}

export async function acquireLock(platform: Platform, path: string, options: LockOptions = DEFAULT_LOCK_OPTIONS, engine?: string): Promise<HeldLock> {
  const backoff = new Backoff(platform, options.timeoutMs);
  for (;;) {
    const record = newRecord(platform, engine);
    try {
      await createRecordFile(platform, path, record);
      return heldLock(platform, path, record, options.staleMs, await statCreated(platform, path));
    } catch (err) {
      if (errnoCode(err) !== "EEXIST") {
        throw new TldrsError("EIO", `Cannot create the lock "${path}": ${(err as Error).message}`, { path, cause: err });
      }
    }
    const holder = await readLockHolder(platform, path);
    if (!holder) continue; // released between our create and our read
    // Another waiter breaking it (false): wait with backoff as for a live holder. Retrying at
    // once spun a core for as long as that breaker took (up to BREAK_STALE_MS if it hung).
    if (isStale(platform, holder, options.staleMs) && (await breakStaleLock(platform, path, holder))) continue;
    if (!(await backoff.wait())) throw lockTimeout(platform, path, holder, backoff.waited());
  }
}

/** ELOCKTIMEOUT naming the holder of the lock at `path`. */
export function lockTimeout(platform: Platform, path: string, holder: LockHolder, waitedMs: number): TldrsError {
  return new TldrsError(
    "ELOCKTIMEOUT",
    `Timed out after ${(waitedMs / 1000).toFixed(1)} s waiting for the lock "${path}": held by ${describeHolder(platform, holder)}; ` +
      `if that process is gone, delete the lock file`,
    { path, data: { holder: holder.record, waitedMs: Math.round(waitedMs) } },
  );
}

function heldLock(platform: Platform, path: string, record: LockRecord, staleMs: number, file: FileStat): HeldLock {
  const { token } = record;
  // The file we created is ours while the name still holds it: one stat tells, where reading the
  // record back took three file calls (a process that judges staleness with a shorter limit may
  // have broken it and taken the name with a file of its own).
  const ours = async () => {
    let st: FileStat;
    try {
      st = await platform.stat(path);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return false;
      throw err;
    }
    return st.ino === file.ino && st.dev === file.dev;
  };
  const young = () => platform.now() - record.created_ms < staleMs - safetyMargin(staleMs);
  return {
    path,
    token,
    stillHeld: async () => young() && (await ours()),
    async release() {
      if (young()) {
        if (!(await ours())) return false;
        await unlinkIfPresent(platform, path);
        return true;
      }
      // Held so long that a waiter may be breaking it right now: check what we delete.
      return removeIfStill(platform, path, (h) => h.record?.token === token);
    },
  };
}
