/**
 * Access times, coalesced. has/info/get record an access (gc evicts by last_accessed, and
 * the Python store updates it on every read), but a read must not cost a database flush:
 * each flush rewrites the whole image. So accesses wait here, in memory, and are written
 * with the next write transaction of this store (put, delete, gc, ...), when a pending
 * access is older than `intervalMs` (checked on the next read: no timer keeps the process
 * alive), when too many are pending, or on close().
 *
 * The cost of the trade: accesses of a process that exits without close() are lost. Access
 * times are hints for gc, and gc keeps recently *written* blobs by created time anyway.
 */
import type { Sql } from "../engine/sql.ts";
import { touchObject } from "./objects_table.ts";

export const ACCESS_FLUSH_INTERVAL_MS = 60_000;
export const ACCESS_FLUSH_MAX_PENDING = 10_000;

export class PendingAccesses {
  /** hash -> ISO timestamp of its latest access. */
  private readonly pending = new Map<string, string>();
  private oldestMs: number | undefined;

  constructor(
    private readonly intervalMs = ACCESS_FLUSH_INTERVAL_MS,
    private readonly maxPending = ACCESS_FLUSH_MAX_PENDING,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  record(hash: string, at: string, nowMs: number): void {
    this.pending.set(hash, at);
    this.oldestMs ??= nowMs;
  }

  /** The pending access time of `hash`, if any (so reads show what will be written). */
  latest(hash: string): string | undefined {
    return this.pending.get(hash);
  }

  hashes(): string[] {
    return [...this.pending.keys()];
  }

  forget(hash: string): void {
    this.pending.delete(hash);
    if (this.pending.size === 0) this.oldestMs = undefined;
  }

  due(nowMs: number): boolean {
    return this.pending.size >= this.maxPending || (this.oldestMs !== undefined && nowMs - this.oldestMs >= this.intervalMs);
  }

  /**
   * Writes the pending accesses inside the caller's transaction. Returns the batch, to be
   * passed to `committed` once the transaction is on disk (a failed one keeps them pending).
   */
  apply(db: Sql): Map<string, string> {
    const batch = new Map(this.pending);
    for (const [hash, at] of batch) touchObject(db, hash, at);
    return batch;
  }

  committed(batch: Map<string, string>): void {
    for (const [hash, at] of batch) {
      if (this.pending.get(hash) === at) this.pending.delete(hash);
    }
    if (this.pending.size === 0) this.oldestMs = undefined;
  }
}

/** The later of two ISO timestamps of the same form (both stores write UTC isoformat). */
export function laterTimestamp(a: string, b: string | undefined): string {
  return b !== undefined && b > a ? b : a;
}
