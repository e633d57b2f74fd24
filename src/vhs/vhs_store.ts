/**
 * VhsStore: the content-addressed blob store (DESIGN section 2). Each verb validates its
 * arguments and combines the small modules beside this one:
 *
 *   put      source.ts -> stage.ts (hash, compress, temp, fsync) -> put_blob.ts (place.ts, row)
 *   get*     read_blob.ts -> blob_file.ts (decode, check length and sha256 as bytes stream)
 *   getToFile  destination.ts (outside the store, a regular file) -> temp -> rename
 *   gc       gc.ts        verify   verify.ts
 *
 * Reads record access times in memory (access_times.ts); they reach the database with the
 * next write of this store, after a coarse interval, or on close().
 */
import { argTypeError, TldrsError, errnoCode, isArgumentError, isTldrsError } from "../errors.ts";
import type { StateDb } from "../engine/state_db.ts";
import { isoTimestamp } from "../engine/timestamp.ts";
import { basename, dirname } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import type { StorePaths } from "../store_paths.ts";
import { laterTimestamp, PendingAccesses } from "./access_times.ts";
import { checkedBytes, pumpChecked } from "./blob_file.ts";
import { flushAccessesIfDue, nowIso, type VhsContext, writeWithAccesses } from "./context.ts";
import { type GcOptions, type GcReport, runGc } from "./gc.ts";
import { identifyBlobFile } from "./identify.ts";
import { blobPath, checkBlobFolders, OwnDirs, vhsLayout } from "./layout.ts";
import { deleteObject, insertObjectIfAbsent, type ObjectRow, selectObject, selectObjects, selectRecent, selectStats } from "./objects_table.ts";
import { optionalBoolean, optionalNonNegative, readOptions, requiredPath } from "../options.ts";
import { openForRead } from "./read_blob.ts";
import { formatRef, parseRef } from "../ref.ts";
import { fileSource, mapFillErrors, type PumpSource, WriteFailure } from "./pump.ts";
import { type PutData, toByteSource } from "./source.ts";
import { openSourceFile } from "./source_file.ts";
import { checkDestination, checkReplaceable } from "./destination.ts";
import { type CompressionPlan, stageBlob } from "./stage.ts";
import { ioError } from "./io_error.ts";
import { commitStaged } from "./put_blob.ts";
import { removeQuietly } from "../file_ops.ts";
import { createTempFile } from "./temp_file.ts";
import { WritebackWriter } from "./writeback.ts";
import { runVerify, type VerifyOptions, type VerifyReport } from "./verify.ts";

export interface PutOptions {
  /**
   * true: zlib; false: never; unset (the default, as the Python store): zlib only if
   * `compressMinBytes` is given and reached. A blob that does not shrink is stored raw.
   */
  compress?: boolean;
  /** Compress blobs of at least this many bytes when `compress` is unset. No default: never. */
  compressMinBytes?: number;
  /** A ref the content must hash to: otherwise the put fails with EINTEGRITY and stores nothing. */
  expect?: string;
}

/**
 * Where a read goes when a blob is not stored here (the remote, src/remote/): `fetch` stores
 * the blob in this store once it verifies, or throws (ENOTFOUND if the remote lacks it too).
 */
export interface ReadThrough {
  fetch(hash: string): Promise<void>;
  has(hash: string): Promise<boolean>;
}

/** What the store knows of a blob: its row in `objects`. */
export type BlobInfo = ObjectRow;

export interface ListOptions {
  /** Default 20, as the Python store. */
  limit?: number;
}

export interface VhsStats {
  count: number;
  totalBytes: number;
  totalStoredBytes: number;
}

const PUT_OPTIONS = ["compress", "compressMinBytes", "expect"] as const;

export class VhsStore {
  private readonly ctx: VhsContext;
  private closed = false;

  constructor(
    readonly platform: Platform,
    readonly db: StateDb,
    readonly paths: StorePaths,
    /** Set when a remote is configured: get, getText, getStream, getToFile and has fall through to it. */
    private readonly readThrough?: ReadThrough,
  ) {
    this.ctx = {
      platform,
      db,
      layout: vhsLayout(paths.root, paths.blobRoot),
      dirs: new OwnDirs(platform, paths.root),
      accesses: new PendingAccesses(),
    };
  }

  /**
   * Stores `data` and resolves to its ref. Streams are hashed and written as they arrive
   * (memory stays flat); the same content twice is one file and one row.
   * @example const ref = await store.vhs.put("hello"); // "vhs://2cf24dba..."
   */
  async put(data: PutData, options?: PutOptions): Promise<string> {
    this.#assertOpen();
    const plan = putPlan(options);
    // Errors of the caller's data source are the caller's: rethrown as they were.
    const source = mapFillErrors(toByteSource(data), (err) => new CallerFailure(err));
    return guarded("Cannot store blob", () => this.#putSource(source, plan));
  }

  /**
   * Stores the content of the regular file at `path`. A symbolic link is refused (pass its
   * target), and so is a device, FIFO or socket (a stream goes through `put`).
   */
  async putFile(path: string, options?: PutOptions): Promise<string> {
    this.#assertOpen();
    const plan = putPlan(options);
    const full = this.platform.resolve(requiredPath("path", path));
    const { file, size } = await openSourceFile(this.platform, full);
    try {
      const source = mapFillErrors(fileSource(file, size), (err) => ioError(err, `Cannot read "${full}"`, full));
      return await guarded("Cannot store blob", () => this.#putSource(source, plan));
    } finally {
      // Every byte was read (or the put failed for its own reason): a failed close of a
      // read-only file changes nothing, and must not fail a put that is already stored.
      await file.close().catch(() => undefined);
    }
  }

  /** The bytes of `ref`, checked against its length and sha256. */
  async get(ref: string): Promise<Uint8Array> {
    this.#assertOpen();
    const hash = parseRef(ref);
    return guarded(`Cannot read blob "${formatRef(hash)}"`, async () => {
      const read = await this.#openForRead(hash);
      const out = new Uint8Array(read.size);
      let at = 0;
      for await (const chunk of checkedBytes(read)) {
        out.set(chunk, at);
        at += chunk.length;
      }
      await this.#accessed(hash);
      return out;
    });
  }

  /** The content of `ref` decoded as UTF-8 (a BOM is kept, so text round-trips exactly). */
  async getText(ref: string): Promise<string> {
    return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await this.get(ref));
  }

  /**
   * A stream of the bytes of `ref`. Not found is a rejection here; damage found while
   * streaming errors the stream instead of closing it. Read it to the end or cancel it:
   * the blob file stays open until then.
   */
  async getStream(ref: string): Promise<ReadableStream<Uint8Array>> {
    this.#assertOpen();
    const hash = parseRef(ref);
    const what = `Cannot read blob "${formatRef(hash)}"`;
    const bytes = await guarded(what, async () => checkedBytes(await this.#openForRead(hash)));
    await this.#accessed(hash);
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const r = await bytes.next();
            if (r.done) controller.close();
            else controller.enqueue(r.value);
          } catch (err) {
            controller.error(asStoreError(err, what));
          }
        },
        async cancel() {
          await bytes.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * Passes the bytes of `ref` to `write` as they are read and checked (as getStream: length and
   * sha256; damage found late rejects after the bytes already passed), with the next read
   * under way while `write` runs. The buffers are reused: a chunk is only valid until the
   * promise `write` returned settles (copy what you keep). For copies where getToFile cannot
   * go (a pipe, a socket) at the speed of getToFile, without getStream's fresh chunk per MiB.
   * An error of `write` rejects as it is.
   * @example await store.vhs.getInto(ref, (chunk) => new Promise((ok, fail) => socket.write(chunk, (e) => (e ? fail(e) : ok()))));
   */
  async getInto(ref: string, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    this.#assertOpen();
    const hash = parseRef(ref);
    if (typeof write !== "function") throw argTypeError("write", "a function", write);
    const what = `Cannot read blob "${formatRef(hash)}"`;
    const read = await guarded(what, () => this.#openForRead(hash));
    await this.#accessed(hash).catch(async (err: unknown) => {
      await read.opened.file.close().catch(() => undefined);
      throw err;
    });
    await pumpChecked(read, write).catch((err: unknown) => {
      throw err instanceof WriteFailure ? err.cause : asStoreError(err, what);
    });
  }

  /**
   * Writes the bytes of `ref` to `path`, a regular file or a new name outside the store
   * folder, in a folder that exists (see destination.ts). They go to a temp file beside it,
   * renamed over `path` only after the checks pass: a damaged blob leaves no file.
   */
  async getToFile(ref: string, path: string): Promise<void> {
    this.#assertOpen();
    const hash = parseRef(ref);
    const dest = this.platform.resolve(requiredPath("path", path));
    await guarded(`Cannot write "${dest}"`, () => checkDestination(this.platform, this.paths.root, dest));
    const read = await guarded(`Cannot read blob "${formatRef(hash)}"`, () => this.#openForRead(hash));
    let temp;
    try {
      temp = await createTempFile(this.platform, dirname(dest), `.${basename(dest)}.tldrs-`, ".tmp");
    } catch (err) {
      // pumpChecked has not started, so it would not close the blob: close it here.
      await read.opened.file.close().catch(() => undefined);
      throw ioError(err, `Cannot write "${dest}"`, dest);
    }
    const out = new WritebackWriter(temp.file);
    let closed = false;
    try {
      await pumpChecked(read, out.write).catch((err: unknown) => {
        throw err instanceof WriteFailure ? err.cause : err;
      });
      await out.settle();
      await temp.file.sync();
      closed = true;
      await temp.file.close();
      await checkReplaceable(this.platform, dest); // a device or link planted meanwhile is not renamed over
      await this.platform.rename(temp.path, dest);
    } catch (err) {
      if (!closed) await out.settle().catch(() => undefined);
      if (!closed) await temp.file.close().catch(() => undefined);
      await removeQuietly(this.platform, temp.path);
      throw ioError(err, `Cannot write "${dest}"`, dest);
    }
    await this.#accessed(hash);
  }

  /** True if the blob file exists (the Python store's test). Records an access. */
  async has(ref: string): Promise<boolean> {
    this.#assertOpen();
    const hash = parseRef(ref);
    if (!(await this.#fileExists(hash))) return this.readThrough ? this.readThrough.has(hash) : false;
    await this.#accessed(hash);
    return true;
  }

  /** Opens a blob here; one missing here is fetched through `readThrough` first, if set. */
  async #openForRead(hash: string) {
    try {
      return await openForRead(this.ctx, hash, formatRef(hash));
    } catch (err) {
      if (!this.readThrough || !isTldrsError(err, "ENOTFOUND")) throw err;
    }
    await this.readThrough.fetch(hash);
    return openForRead(this.ctx, hash, formatRef(hash));
  }

  /** What the store knows of `ref`, or null if its file is not there. Records an access. */
  async info(ref: string): Promise<BlobInfo | null> {
    this.#assertOpen();
    const hash = parseRef(ref);
    return guarded(`Cannot describe blob "${formatRef(hash)}"`, () => this.#info(hash));
  }

  async #info(hash: string): Promise<BlobInfo | null> {
    const path = blobPath(this.ctx.layout.blobRoot, hash);
    const row = await this.db.read((db) => selectObject(db, hash));
    if (row) {
      if (!(await this.#fileExists(hash))) return null;
      const info = this.#toInfo(row); // as it was before this access, as the Python store answers
      await this.#accessed(hash);
      return info;
    }
    // A file without a row: identify it by its hash and restore the row, as get does.
    if (!(await checkBlobFolders(this.platform, this.ctx.layout.blobRoot, hash))) return null;
    const found = await identifyBlobFile(this.platform, path, hash, formatRef(hash)).catch((err: unknown) => {
      if (isTldrsError(err, "EINTEGRITY")) return null; // a symlink or folder at its name: nothing to describe
      throw err;
    });
    if (found?.kind !== "valid") return null;
    const restored = { hash, ...found.facts, createdAt: isoTimestamp(found.mtimeMs), lastAccessed: nowIso(this.ctx) };
    await writeWithAccesses(this.ctx, (db) => insertObjectIfAbsent(db, restored)).catch(() => undefined);
    return { ...restored };
  }

  /** Blobs by most recent access first (rows only; `verify` reconciles rows and files). */
  async list(options?: ListOptions): Promise<BlobInfo[]> {
    this.#assertOpen();
    const opts = readOptions("options", options, ["limit"]);
    const limit = optionalNonNegative("options.limit", opts["limit"], { integer: true }) ?? 20;
    const pendingHashes = this.ctx.accesses.hashes();
    const rows = await this.db.read((db) => {
      const seen = new Map(selectRecent(db, limit).map((r) => [r.hash, r]));
      for (const r of selectObjects(db, pendingHashes)) seen.set(r.hash, r);
      return [...seen.values()];
    });
    return rows
      .map((r) => this.#toInfo(r))
      .sort((a, b) => (a.lastAccessed === b.lastAccessed ? (a.hash < b.hash ? -1 : 1) : a.lastAccessed > b.lastAccessed ? -1 : 1))
      .slice(0, limit);
  }

  async stats(): Promise<VhsStats> {
    this.#assertOpen();
    return this.db.read(selectStats);
  }

  /** Deletes the blob's file and row; true if either existed. */
  async delete(ref: string): Promise<boolean> {
    this.#assertOpen();
    const hash = parseRef(ref);
    const path = blobPath(this.ctx.layout.blobRoot, hash);
    await guarded(`Cannot delete blob "${formatRef(hash)}"`, () => checkBlobFolders(this.platform, this.ctx.layout.blobRoot, hash));
    let removedFile = false;
    try {
      await this.platform.unlink(path); // the file first: a crash then leaves a row without a file, never a resurrected blob
      removedFile = true;
    } catch (err) {
      if (errnoCode(err) !== "ENOENT" && errnoCode(err) !== "ENOTDIR") {
        throw ioError(err, `Cannot delete blob "${formatRef(hash)}": file "${path}"`, path);
      }
    }
    const removedRow = await guarded(`Cannot delete blob "${formatRef(hash)}"`, () => writeWithAccesses(this.ctx, (db) => deleteObject(db, hash)));
    this.ctx.accesses.forget(hash);
    return removedFile || removedRow;
  }

  /** Evicts by age and size (see GcOptions); `dryRun` reports exactly what would go. */
  async gc(options?: GcOptions): Promise<GcReport> {
    this.#assertOpen();
    const opts = readOptions("options", options, ["maxAgeDays", "maxSizeMb", "keepLast", "dryRun"]);
    const maxAgeDays = optionalNonNegative("options.maxAgeDays", opts["maxAgeDays"]);
    const maxSizeMb = optionalNonNegative("options.maxSizeMb", opts["maxSizeMb"]);
    const keepLast = optionalNonNegative("options.keepLast", opts["keepLast"], { integer: true });
    const dryRun = optionalBoolean("options.dryRun", opts["dryRun"]);
    return guarded("Cannot run gc", () => runGc(this.ctx, {
      ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
      ...(maxSizeMb !== undefined ? { maxSizeMb } : {}),
      ...(keepLast !== undefined ? { keepLast } : {}),
      ...(dryRun !== undefined ? { dryRun } : {}),
    }));
  }

  /** Reads every blob and reconciles files and rows; `repair` fixes what it can. */
  async verify(options?: VerifyOptions): Promise<VerifyReport> {
    this.#assertOpen();
    const opts = readOptions("options", options, ["repair"]);
    const repair = optionalBoolean("options.repair", opts["repair"]);
    return guarded("Cannot run verify", () => runVerify(this.ctx, repair !== undefined ? { repair } : {}));
  }

  /** Writes the pending access times now (one transaction). */
  async flushAccessTimes(): Promise<void> {
    this.#assertOpen();
    if (this.ctx.accesses.size > 0) await writeWithAccesses(this.ctx, () => undefined);
  }

  /**
   * Writes the pending access times and closes. A store that cannot be written (a live
   * native SQLite connection, a read-only checkout) closes anyway: access times are hints.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flushAccessTimes();
    } catch {
      // See above: losing access times must not fail a close.
    }
    this.closed = true;
  }

  async #putSource(source: PumpSource, plan: PutPlan): Promise<string> {
    const { platform, layout, dirs } = this.ctx;
    await dirs.ensure(layout.tmpDir);
    const staged = await stageBlob(platform, layout.tmpDir, source, plan);
    if (plan.expect !== undefined && staged.hash !== plan.expect) {
      await removeQuietly(platform, staged.tempPath);
      throw new TldrsError("EINTEGRITY", `Cannot store blob "${formatRef(plan.expect)}": the content hashes to "${formatRef(staged.hash)}"; nothing was stored`, {
        ref: formatRef(plan.expect),
        data: { expected: plan.expect, actual: staged.hash, size: staged.size },
      });
    }
    await commitStaged(this.ctx, staged);
    return formatRef(staged.hash);
  }

  #toInfo(row: ObjectRow): BlobInfo {
    // Pending (not yet written) accesses count: list() orders by what callers did.
    return { ...row, lastAccessed: laterTimestamp(row.lastAccessed, this.ctx.accesses.latest(row.hash)) };
  }

  async #fileExists(hash: string): Promise<boolean> {
    if (!(await checkBlobFolders(this.platform, this.ctx.layout.blobRoot, hash))) return false;
    try {
      return (await this.platform.stat(blobPath(this.ctx.layout.blobRoot, hash))).kind === "file";
    } catch (err) {
      if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return false;
      throw ioError(err, `Cannot check blob "${formatRef(hash)}"`, blobPath(this.ctx.layout.blobRoot, hash));
    }
  }

  async #accessed(hash: string): Promise<void> {
    this.ctx.accesses.record(hash, nowIso(this.ctx), this.platform.now());
    await flushAccessesIfDue(this.ctx);
  }

  #assertOpen(): void {
    if (this.closed) throw new TypeError(`VhsStore "${this.paths.root}" is closed`);
  }
}

/**
 * The file-system errors the verbs' own steps do not name (a failed fstat, read or close of a
 * blob, a readdir in gc) as TldrsError EIO naming the file, so callers and the CLI see one
 * error class (DESIGN section 5). TldrsErrors, argument errors and anything without an errno
 * code (a bug, a simulated crash) pass unchanged.
 */
function asStoreError(err: unknown, what: string): unknown {
  if (err instanceof TldrsError || isArgumentError(err)) return err;
  const path = (err as { path?: unknown } | null)?.path;
  return typeof path === "string" ? ioError(err, `${what}: file "${path}"`, path) : ioError(err, what, "");
}

async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw err instanceof CallerFailure ? err.cause : asStoreError(err, what);
  }
}

/** An error of the caller's own data source, carried through the put to be rethrown as it was. */
class CallerFailure {
  constructor(readonly cause: unknown) {}
}

type PutPlan = CompressionPlan & { expect?: string };

function putPlan(options: PutOptions | undefined): PutPlan {
  const opts = readOptions("options", options, PUT_OPTIONS);
  const compress = optionalBoolean("options.compress", opts["compress"]);
  const minBytes = optionalNonNegative("options.compressMinBytes", opts["compressMinBytes"], { integer: true, allowInfinity: true });
  return { compress, minBytes, ...(opts["expect"] !== undefined ? { expect: parseRef(opts["expect"] as string) } : {}) };
}

