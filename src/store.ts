/**
 * openStore: resolves the store folder and assembles the VHS and state stores over one
 * StateDb (one database file, one lock, one in-memory image per process).
 */
import { optionalNonNegative, readOptions } from "./options.ts";
import { resolveStoreRoot } from "./store_root.ts";
import { storePaths } from "./store_paths.ts";
import type { EngineChoice, EngineInfo } from "./engine/choice.ts";
import type { LockOptions } from "./engine/lock.ts";
import { StateDb, type StateDbInternal } from "./engine/state_db.ts";
import type { Platform } from "./platform/port.ts";
import { StateStore } from "./state/state_store.ts";
import { VhsStore } from "./vhs/vhs_store.ts";
import type { RemoteOptions } from "./remote/config.ts";
import { openRemote, type VhsRemote } from "./remote/remote.ts";

export interface OpenStoreOptions {
  /** Project folder: the store is `<project>/.tldrs`. */
  project?: string;
  /** The store folder itself (wins over `project`). */
  root?: string;
  /** Writer lock timing. */
  lock?: Partial<LockOptions>;
  /** Refuse database files larger than this many bytes (sql.js engine). */
  maxImageBytes?: number;
  /**
   * The shared blob tier: `s3://bucket/prefix` or RemoteOptions; unset: env TLDRS_REMOTE;
   * false: none, whatever the environment says.
   */
  remote?: string | RemoteOptions | false;
  /**
   * "auto" (the default): the runtime's own SQLite where it has one (node:sqlite in Node 22.13+
   * and Deno 2, bun:sqlite in Bun), sql.js elsewhere. "native" where there is none is an
   * EENGINE error, never a fallback. Unset: env TLDRS_ENGINE, else "auto".
   */
  engine?: EngineChoice;
}

export interface Store {
  /** Absolute path of the store folder (`.tldrs`). */
  readonly root: string;
  /** `<root>/tldrs_state.db` */
  readonly dbPath: string;
  /** `<root>/blobs` */
  readonly blobRoot: string;
  readonly vhs: VhsStore;
  readonly state: StateStore;
  /** The remote (push, pull, has), or null if none is configured. */
  readonly remote: VhsRemote | null;
  /** Which engine runs underneath (sql.js or the runtime's SQLite), and why. */
  readonly engine: EngineInfo;
  close(): Promise<void>;
}

/**
 * The engine underneath a store, for tldrs's own tools (doctor) and tests: not on the public
 * surface, where a caller's SQL could bypass every check of the stores.
 */
const engines = new WeakMap<Store, StateDb>();

export function stateDbOf(store: Store): StateDb {
  const db = engines.get(store);
  if (!db) throw new TypeError("not a store opened by openStore");
  return db;
}

export { DB_FILENAME, resolveStoreRoot, STORE_DIRNAME } from "./store_root.ts";
export type { StorePaths } from "./store_paths.ts";

const OPEN_STORE_KEYS = ["project", "root", "lock", "maxImageBytes", "remote", "engine"] as const;
const LOCK_KEYS = ["timeoutMs", "staleMs"] as const;

/**
 * The options' shape, checked before anything is opened: a misspelled `projet` would otherwise
 * open (and create) a store in the working folder, and a lock timeout of text never expires.
 * `project`, `root`, `remote` and `engine` are checked where they are read.
 */
function checkOpenStoreOptions(options: unknown): OpenStoreOptions {
  const checked = readOptions("options", options, OPEN_STORE_KEYS);
  const lock = readOptions("options.lock", checked["lock"], LOCK_KEYS);
  optionalNonNegative("options.lock.timeoutMs", lock["timeoutMs"], { allowInfinity: true });
  optionalNonNegative("options.lock.staleMs", lock["staleMs"], { allowInfinity: true });
  optionalNonNegative("options.maxImageBytes", checked["maxImageBytes"], { allowInfinity: true });
  return checked as OpenStoreOptions;
}

export function openStoreWith(platform: Platform, options: OpenStoreOptions = {}): Promise<Store> {
  return openStoreInternal(platform, options, {});
}

/**
 * openStoreWith with settings of tldrs's own callers: the CLI names `--engine` in messages, and
 * `tldrs context` holds the lock from its first write to close (one lock, one flush).
 */
export async function openStoreInternal(platform: Platform, options: OpenStoreOptions, internal: StateDbInternal): Promise<Store> {
  checkOpenStoreOptions(options);
  const paths = storePaths(resolveStoreRoot(platform, options));
  const db = await StateDb.open(
    platform,
    paths.dbPath,
    {
      ...(options.lock ? { lock: options.lock } : {}),
      ...(options.maxImageBytes !== undefined ? { maxImageBytes: options.maxImageBytes } : {}),
      ...(options.engine !== undefined ? { engine: options.engine } : {}),
    },
    internal,
  );
  let closed = false;
  let opened;
  try {
    opened = openRemote(platform, options.remote, (readThrough) => new VhsStore(platform, db, paths, readThrough));
  } catch (err) {
    await db.close();
    throw err;
  }
  const { vhs, remote } = opened;
  const state = new StateStore(platform, db, paths);
  const store: Store = {
    ...paths,
    vhs,
    state,
    remote,
    engine: db.engine,
    async close() {
      // Idempotent: a second close (a finally after an explicit close) is not an error.
      if (closed) return;
      closed = true;
      await vhs.close();
      await db.close();
    },
  };
  engines.set(store, db);
  return store;
}
