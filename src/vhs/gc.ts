/**
 * gc: evicts blobs by age (last_accessed older than maxAgeDays) and then, least recently
 * used first, until the *stored* bytes fit maxSizeMb. Never evicted: the keepLast most
 * recently accessed, and blobs named by deliveries.vhs_ref of sessions that still exist
 * (an agent may still ask for them). Also sweeps stale uploads from tmp/ and adopts blob
 * files that have no row (so they age like the rest). Touches only blobs/ and tmp/.
 *
 * Files go before rows: a crash between leaves rows without files, which reads report as
 * not found and verify cleans; the other order could resurrect a deleted blob.
 */
import { errnoCode } from "../errors.ts";
import { isoTimestamp, parseTimestamp } from "../engine/timestamp.ts";
import { laterTimestamp } from "./access_times.ts";
import { optionalBoolean, optionalNonNegative, readOptions } from "../options.ts";
import { guarded, type VhsContext, writeWithAccesses } from "./context.ts";
import { identifyBlobFile } from "./identify.ts";
import { blobPath } from "./layout.ts";
import { deleteObject, insertObjectIfAbsent, type NewObject, type ObjectRow, selectAll, selectDeliveredRefs } from "./objects_table.ts";
import { formatRef, isBlobHash, VHS_SCHEME } from "../ref.ts";
import { removeFiles } from "../stale_files.ts";
import { findStaleUploads } from "./sweep.ts";
import { walkBlobs } from "./walk.ts";

export interface GcOptions {
  /** Evict blobs not accessed for this many days. */
  maxAgeDays?: number;
  /** Then evict least recently used blobs until the stored bytes are at most this many MiB. */
  maxSizeMb?: number;
  /** Never evict the N most recently accessed blobs. Default 0. */
  keepLast?: number;
  /** Report what would be done; change nothing. */
  dryRun?: boolean;
}

export interface GcVictim {
  ref: string;
  hash: string;
  size: number;
  storedSize: number;
  lastAccessed: string;
  reason: "age" | "size";
}

export interface GcReport {
  dryRun: boolean;
  /** What was (or, in a dry run, would be) deleted, in the order chosen. */
  deleted: GcVictim[];
  /** Uncompressed bytes of the deleted blobs (the Python store's `freed_bytes`). */
  freedBytes: number;
  /** Bytes on disk of the deleted blobs. */
  freedStoredBytes: number;
  /** Blobs kept because a live session's delivery names them. */
  protectedByDeliveries: number;
  /** Blob files that had no row and got one (hashes). */
  adopted: string[];
  /** Stale uploads removed from tmp/ (paths). */
  staleUploadsRemoved: string[];
}

export interface VictimPolicy {
  nowMs: number;
  maxAgeDays?: number;
  maxSizeMb?: number;
  keepLast: number;
  protectedHashes: ReadonlySet<string>;
}

/** Stored bytes of a row; rows of old Python stores may have stored_size 0 for raw blobs. */
function storedBytes(row: ObjectRow): number {
  return row.storedSize > 0 ? row.storedSize : row.size;
}

/** Chooses what to evict. Pure: the same rows and policy give the same answer, dry or not. */
export function chooseVictims(rows: readonly ObjectRow[], policy: VictimPolicy): GcVictim[] {
  // An unparseable time counts as now, as in the Python store: never evict on a guess.
  const accessMs = (row: ObjectRow) => {
    const ms = parseTimestamp(row.lastAccessed);
    return Number.isNaN(ms) ? policy.nowMs : ms;
  };
  const byRecent = [...rows].sort((a, b) => accessMs(b) - accessMs(a) || (a.hash < b.hash ? -1 : 1));
  const kept = new Set(policy.protectedHashes);
  for (const row of byRecent.slice(0, policy.keepLast)) kept.add(row.hash);

  const victims: GcVictim[] = [];
  const evict = (row: ObjectRow, reason: GcVictim["reason"]) =>
    victims.push({ ref: formatRef(row.hash), hash: row.hash, size: row.size, storedSize: storedBytes(row), lastAccessed: row.lastAccessed, reason });

  const survivors: ObjectRow[] = [];
  const cutoff = policy.maxAgeDays === undefined ? undefined : policy.nowMs - policy.maxAgeDays * 86_400_000;
  for (const row of byRecent) {
    if (cutoff !== undefined && !kept.has(row.hash) && accessMs(row) < cutoff) evict(row, "age");
    else survivors.push(row);
  }
  if (policy.maxSizeMb !== undefined) {
    const cap = policy.maxSizeMb * 1024 * 1024;
    let total = survivors.reduce((sum, row) => sum + storedBytes(row), 0);
    for (const row of survivors.reverse()) {
      if (total <= cap) break;
      if (kept.has(row.hash)) continue;
      evict(row, "size");
      total -= storedBytes(row);
    }
  }
  return victims;
}

/** Evicts by age and size (see GcOptions); `dryRun` reports exactly what would go. */
export async function gc(ctx: VhsContext, options?: GcOptions): Promise<GcReport> {
  const opts = readOptions("options", options, ["maxAgeDays", "maxSizeMb", "keepLast", "dryRun"]);
  const maxAgeDays = optionalNonNegative("options.maxAgeDays", opts["maxAgeDays"]);
  const maxSizeMb = optionalNonNegative("options.maxSizeMb", opts["maxSizeMb"]);
  const keepLast = optionalNonNegative("options.keepLast", opts["keepLast"], { integer: true });
  const dryRun = optionalBoolean("options.dryRun", opts["dryRun"]);
  return guarded("Cannot run gc", () => runGc(ctx, {
    ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
    ...(maxSizeMb !== undefined ? { maxSizeMb } : {}),
    ...(keepLast !== undefined ? { keepLast } : {}),
    ...(dryRun !== undefined ? { dryRun } : {}),
  }));
}

async function runGc(ctx: VhsContext, options: GcOptions): Promise<GcReport> {
  const { platform, layout } = ctx;
  const dryRun = options.dryRun === true;

  const stale = await findStaleUploads(platform, layout.tmpDir);
  const staleUploadsRemoved = dryRun ? stale : await removeFiles(platform, stale);

  const walk = await walkBlobs(platform, layout.blobRoot);
  const [rows, deliveredRefs] = await ctx.db.read((db) => [selectAll(db), selectDeliveredRefs(db)] as const);
  const known = new Set(rows.map((r) => r.hash));
  const adoptedRows: NewObject[] = [];
  for (const [hash, path] of walk.blobs) {
    if (known.has(hash)) continue;
    const found = await identifyBlobFile(platform, path, hash, formatRef(hash)).catch(() => null);
    if (found?.kind !== "valid") continue; // corrupt or unreadable: verify's business
    const at = isoTimestamp(found.mtimeMs); // the file's last write is the best evidence of its last use
    adoptedRows.push({ hash, ...found.facts, createdAt: at, lastAccessed: at });
  }
  if (!dryRun && adoptedRows.length > 0) {
    await writeWithAccesses(ctx, (db) => adoptedRows.forEach((o) => insertObjectIfAbsent(db, o)));
  }

  const current = [...rows, ...adoptedRows].map((r) => ({ ...r, lastAccessed: laterTimestamp(r.lastAccessed, ctx.accesses.latest(r.hash)) }));
  const protectedHashes = new Set<string>();
  for (const ref of deliveredRefs) {
    const hash = ref.startsWith(VHS_SCHEME) ? ref.slice(VHS_SCHEME.length) : ref;
    if (isBlobHash(hash) && (known.has(hash) || adoptedRows.some((o) => o.hash === hash))) protectedHashes.add(hash);
  }
  const victims = chooseVictims(current, {
    nowMs: platform.now(),
    keepLast: options.keepLast ?? 0,
    protectedHashes,
    ...(options.maxAgeDays !== undefined ? { maxAgeDays: options.maxAgeDays } : {}),
    ...(options.maxSizeMb !== undefined ? { maxSizeMb: options.maxSizeMb } : {}),
  });

  if (!dryRun && victims.length > 0) {
    for (const v of victims) await removeFiles(platform, [blobPath(layout.blobRoot, v.hash)]);
    // A racing put may have placed the same content again since: keep the row of a file that is back.
    const back = new Set<string>();
    for (const v of victims) {
      if (await exists(ctx, blobPath(layout.blobRoot, v.hash))) back.add(v.hash);
    }
    await writeWithAccesses(ctx, (db) => victims.forEach((v) => back.has(v.hash) || deleteObject(db, v.hash)));
    for (const v of victims) ctx.accesses.forget(v.hash);
  }

  return {
    dryRun,
    deleted: victims,
    freedBytes: victims.reduce((s, v) => s + v.size, 0),
    freedStoredBytes: victims.reduce((s, v) => s + v.storedSize, 0),
    protectedByDeliveries: protectedHashes.size,
    adopted: adoptedRows.map((o) => o.hash),
    staleUploadsRemoved,
  };
}

async function exists(ctx: VhsContext, path: string): Promise<boolean> {
  try {
    await ctx.platform.stat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return false;
    throw err;
  }
}
