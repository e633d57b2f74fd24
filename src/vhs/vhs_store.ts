/**
 * VhsStore: the content-addressed blob store (DESIGN section 2). This file only assembles the
 * public namespace: each verb is a file of its own beside it (cacache's layout), taking the
 * store's context:
 *
 *   put, putFile  put.ts       -> source.ts -> stage.ts (hash, compress, temp, fsync) -> put_blob.ts
 *   get, getText  get.ts       getStream  get_stream.ts    getInto  get_into.ts
 *   getToFile     get_to_file.ts (outside the store, a regular file) -> temp -> rename
 *   has  has.ts   info  info.ts   list, stats  list.ts   delete  delete.ts
 *   gc  gc.ts     verify  verify.ts
 *
 * Reads record access times in memory (access_times.ts); they reach the database with the
 * next write of this store, after a coarse interval, or on close().
 */
import type { StateDb } from "../engine/state_db.ts";
import type { Platform } from "../platform/port.ts";
import type { StorePaths } from "../store_paths.ts";
import { PendingAccesses } from "./access_times.ts";
import { type BlobInfo, type ReadThrough, type VhsContext, writeWithAccesses } from "./context.ts";
import { deleteBlob } from "./delete.ts";
import { gc, type GcOptions, type GcReport } from "./gc.ts";
import { get, getText } from "./get.ts";
import { getInto } from "./get_into.ts";
import { getStream } from "./get_stream.ts";
import { getToFile } from "./get_to_file.ts";
import { has } from "./has.ts";
import { info } from "./info.ts";
import { OwnDirs, vhsLayout } from "./layout.ts";
import { list, type ListOptions, stats, type VhsStats } from "./list.ts";
import { put, putFile, type PutOptions } from "./put.ts";
import type { PutData } from "./source.ts";
import { verify, type VerifyOptions, type VerifyReport } from "./verify.ts";

export class VhsStore {
  readonly #ctx: VhsContext;
  #closed = false;

  constructor(
    readonly platform: Platform,
    readonly db: StateDb,
    readonly paths: StorePaths,
    /** Set when a remote is configured: get, getText, getStream, getToFile and has fall through to it. */
    readThrough?: ReadThrough,
  ) {
    this.#ctx = {
      platform,
      db,
      root: paths.root,
      layout: vhsLayout(paths.root, paths.blobRoot),
      dirs: new OwnDirs(platform, paths.root),
      accesses: new PendingAccesses(),
      readThrough,
    };
  }

  /**
   * Stores `data` and resolves to its ref. Streams are hashed and written as they arrive
   * (memory stays flat); the same content twice is one file and one row.
   * @example const ref = await store.vhs.put("hello"); // "vhs://2cf24dba..."
   */
  async put(data: PutData, options?: PutOptions): Promise<string> {
    return put(this.#open(), data, options);
  }

  /** Stores the regular file at `path` (a link, device, FIFO or socket is refused). */
  async putFile(path: string, options?: PutOptions): Promise<string> {
    return putFile(this.#open(), path, options);
  }

  /** The bytes of `ref`, checked against its length and sha256. */
  async get(ref: string): Promise<Uint8Array> {
    return get(this.#open(), ref);
  }

  /** The content of `ref` decoded as UTF-8 (a BOM is kept, so text round-trips exactly). */
  async getText(ref: string): Promise<string> {
    return getText(this.#open(), ref);
  }

  /** A stream of the bytes of `ref`, checked as it is read; read it to the end or cancel it. */
  async getStream(ref: string): Promise<ReadableStream<Uint8Array>> {
    return getStream(this.#open(), ref);
  }

  /**
   * Passes the bytes of `ref` to `write` as they are read and checked, in reused buffers (a
   * chunk is valid until the promise `write` returned settles).
   * @example await store.vhs.getInto(ref, (chunk) => new Promise((ok, fail) => socket.write(chunk, (e) => (e ? fail(e) : ok()))));
   */
  async getInto(ref: string, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    return getInto(this.#open(), ref, write);
  }

  /** Writes the bytes of `ref` to `path` (outside the store), whole and checked or not at all. */
  async getToFile(ref: string, path: string): Promise<void> {
    return getToFile(this.#open(), ref, path);
  }

  /** True if the blob file exists (the Python store's test). Records an access. */
  async has(ref: string): Promise<boolean> {
    return has(this.#open(), ref);
  }

  /** What the store knows of `ref`, or null if its file is not there. Records an access. */
  async info(ref: string): Promise<BlobInfo | null> {
    return info(this.#open(), ref);
  }

  /** Blobs by most recent access first (rows only; `verify` reconciles rows and files). */
  async list(options?: ListOptions): Promise<BlobInfo[]> {
    return list(this.#open(), options);
  }

  async stats(): Promise<VhsStats> {
    return stats(this.#open());
  }

  /** Deletes the blob's file and row; true if either existed. */
  async delete(ref: string): Promise<boolean> {
    return deleteBlob(this.#open(), ref);
  }

  /** Evicts by age and size (see GcOptions); `dryRun` reports exactly what would go. */
  async gc(options?: GcOptions): Promise<GcReport> {
    return gc(this.#open(), options);
  }

  /** Reads every blob and reconciles files and rows; `repair` fixes what it can. */
  async verify(options?: VerifyOptions): Promise<VerifyReport> {
    return verify(this.#open(), options);
  }

  /** Writes the pending access times now (one transaction). */
  async flushAccessTimes(): Promise<void> {
    const ctx = this.#open();
    if (ctx.accesses.size > 0) await writeWithAccesses(ctx, () => undefined);
  }

  /**
   * Writes the pending access times and closes. A store that cannot be written (a live
   * native SQLite connection, a read-only checkout) closes anyway: access times are hints.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flushAccessTimes();
    } catch {
      // See above: losing access times must not fail a close.
    }
    this.#closed = true;
  }

  /** The context, or a TypeError once closed (a rejection of the verb: each is async), before any argument is read. */
  #open(): VhsContext {
    if (this.#closed) throw new TypeError(`VhsStore "${this.paths.root}" is closed`);
    return this.#ctx;
  }
}
