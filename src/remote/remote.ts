/**
 * VhsRemote: the shared blob tier of a store (`store.remote`). Blobs travel, sessions and
 * deliveries do not. Verbs: push, pull, has; and the read-through that lets
 * get/getStream/getToFile/has of the local store fall through to the remote.
 */
import { TldrsError, argTypeError } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import { formatRef, parseRef } from "../ref.ts";
import type { ReadThrough } from "../vhs/context.ts";
import type { VhsStore } from "../vhs/vhs_store.ts";
import { readEnv, readRemoteOption, resolveCredentials, resolveRemote, type RemoteConfig } from "./config.ts";
import type { Remote } from "./http.ts";
import { objectKey } from "./location.ts";
import { headObject } from "./objects.ts";
import { download, pullBlob } from "./pull.ts";
import { pushBlob } from "./push.ts";
import { createSigner } from "./sign.ts";
import { eachLimited, type ProgressCallback } from "./transfer.ts";

export interface PushOptions {
  /** Push every blob of the local store (then pass no refs). */
  all?: boolean;
  /** Called with the number of bytes each time some were sent. */
  onProgress?: ProgressCallback;
}

export interface PullOptions {
  /** Called with the number of bytes each time some were received. */
  onProgress?: ProgressCallback;
}

export interface PushReport {
  /** Refs uploaded by this call. */
  pushed: string[];
  /** Refs the remote already had (nothing sent). */
  present: string[];
  /** With `all`: refs listed in the database whose file is gone (run verify). */
  missing: string[];
  /** Bytes uploaded. */
  bytes: number;
}

export interface PullReport {
  /** Refs downloaded, verified and stored by this call. */
  pulled: string[];
  /** Refs the local store already had (nothing fetched). */
  present: string[];
  /** Bytes downloaded. */
  bytes: number;
}

export class VhsRemote {
  /** `s3://bucket/prefix` (as configured, for a configuration that failed its checks). */
  readonly url: string;
  /** The custom endpoint, or undefined for AWS. */
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly #remote: Remote | TldrsError;
  readonly #vhs: VhsStore;

  constructor(remote: Remote | TldrsError, vhs: VhsStore, url: string) {
    this.#remote = remote;
    this.#vhs = vhs;
    this.url = remote instanceof TldrsError ? url : remote.config.url;
    this.endpoint = remote instanceof TldrsError ? undefined : remote.config.endpoint;
    this.region = remote instanceof TldrsError ? undefined : remote.config.region;
  }

  /**
   * Uploads the blobs of `refs` (or every local blob with `{ all: true }`) that the remote
   * lacks. A ref not stored here is ENOTFOUND.
   * @example await store.remote.push([ref]); // { pushed: [ref], present: [], missing: [], bytes: 12 }
   */
  async push(refs: string[] = [], options: PushOptions = {}): Promise<PushReport> {
    const hashes = refList(refs, "refs");
    const all = options.all;
    if (all !== undefined && typeof all !== "boolean") throw argTypeError("options.all", "a boolean", all);
    if (all && hashes.length > 0) throw argTypeError("refs", "no refs when options.all is true", refs);
    if (!all && hashes.length === 0) throw argTypeError("refs", "at least one ref, or options.all", refs);
    const remote = this.#ready();
    const report: PushReport = { pushed: [], present: [], missing: [], bytes: 0 };
    const targets = all ? (await this.#vhs.list({ limit: Number.MAX_SAFE_INTEGER })).map((b) => b.hash) : hashes;
    const onBytes = (n: number) => {
      report.bytes += n;
      options.onProgress?.(n);
    };
    await eachLimited(targets, remote.config.concurrency, async (hash) => {
      const outcome = await pushBlob(remote, this.#vhs, hash, onBytes);
      if (outcome === "missing") {
        if (!all) throw new TldrsError("ENOTFOUND", `Cannot push "${formatRef(hash)}" to "${remote.config.url}": not in the local store`, { ref: formatRef(hash) });
        report.missing.push(formatRef(hash));
      } else report[outcome].push(formatRef(hash));
    });
    return sorted(report);
  }

  /**
   * Downloads the blobs of `refs` that the local store lacks; each is hashed as it streams
   * and stored only if it matches its name. A ref the remote lacks is ENOTFOUND.
   */
  async pull(refs: string[], options: PullOptions = {}): Promise<PullReport> {
    const hashes = refList(refs, "refs");
    if (hashes.length === 0) throw argTypeError("refs", "at least one ref", refs);
    const remote = this.#ready();
    const report: PullReport = { pulled: [], present: [], bytes: 0 };
    const onBytes = (n: number) => {
      report.bytes += n;
      options.onProgress?.(n);
    };
    await eachLimited(hashes, remote.config.concurrency, async (hash) => {
      report[await pullBlob(remote, this.#vhs, hash, onBytes)].push(formatRef(hash));
    });
    return sorted(report);
  }

  /** True if the remote has an object under the blob's name (one HEAD request; the local store is not asked). */
  async has(ref: string): Promise<boolean> {
    const hash = parseRef(ref);
    const remote = this.#ready();
    return (await headObject(remote, objectKey(remote.config.location.prefix, hash), `Cannot check "${formatRef(hash)}" on "${remote.config.url}"`)) !== null;
  }

  /** What is safe to show: never the credentials. */
  toJSON(): Record<string, unknown> {
    return { url: this.url, endpoint: this.endpoint, region: this.region };
  }

  #ready(): Remote {
    if (this.#remote instanceof TldrsError) throw this.#remote;
    return this.#remote;
  }
}

function refList(refs: unknown, name: string): string[] {
  if (!Array.isArray(refs)) throw argTypeError(name, "an array of refs", refs);
  return [...new Set(refs.map((r) => parseRef(r as string)))];
}

function sorted<T extends object>(report: T): T {
  for (const value of Object.values(report)) if (Array.isArray(value)) value.sort();
  return report;
}

/**
 * The remote of a store, or null: from `option` (a string or RemoteOptions; false for none)
 * or else env TLDRS_REMOTE. A malformed explicit option throws here; a malformed environment
 * is kept as the error of every remote verb, so local work goes on.
 */
export function openRemote(platform: Platform, option: unknown, vhsFor: (readThrough: ReadThrough | undefined) => VhsStore): { vhs: VhsStore; remote: VhsRemote | null } {
  if (option === false) return { vhs: vhsFor(undefined), remote: null };
  const fromEnv = option === undefined;
  const text = fromEnv ? readEnv(platform, "TLDRS_REMOTE") : undefined;
  if (fromEnv && !text) return { vhs: vhsFor(undefined), remote: null };
  let remote: Remote | TldrsError;
  let url: string;
  try {
    const options = readRemoteOption(fromEnv ? text : option);
    url = options.url;
    const config: RemoteConfig = resolveRemote(platform, options);
    const credentials = resolveCredentials(platform, options.credentials, config.url);
    remote = { platform, config, sign: credentials instanceof TldrsError ? credentials : createSigner(credentials) };
  } catch (err) {
    if (!fromEnv || !(err instanceof TldrsError)) throw err;
    url = text!;
    remote = new TldrsError(err.code, `${err.message} (from env TLDRS_REMOTE)`, err.data ? { data: err.data } : {});
  }
  const ready = (): Remote => {
    if (remote instanceof TldrsError) throw remote;
    return remote;
  };
  let created: VhsRemote | undefined;
  const vhs = vhsFor({
    fetch: (hash) => download(ready(), vhs, hash, `Cannot read blob "${formatRef(hash)}" from "${created!.url}"`),
    has: (hash) => created!.has(hash),
  });
  created = new VhsRemote(remote, vhs, url);
  return { vhs, remote: created };
}
