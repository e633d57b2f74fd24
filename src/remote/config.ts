/**
 * The remote's configuration, from the `remote` option of openStore (the CLI's --remote
 * lands there) or env TLDRS_REMOTE, with the standard AWS environment for the rest:
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (or
 * AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL). Explicit options win.
 *
 * Credentials are kept out of the config object: they live in a closure of the signer
 * (credentials.ts), so no error, log line or JSON of the config can carry them.
 */
import { TldrsError, argRangeError, argTypeError } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import { checkEndpoint, checkRegion, formatRemoteUrl, parseRemoteUrl, type RemoteLocation } from "./location.ts";

export interface RemoteCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RemoteOptions {
  /** `s3://<bucket>/<prefix>` (required). */
  url: string;
  /** Default env AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; unset: AWS itself. */
  endpoint?: string;
  /** Default env AWS_REGION, then AWS_DEFAULT_REGION, then "us-east-1". */
  region?: string;
  /** Default env AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN. */
  credentials?: RemoteCredentials;
  /** A request with no answer (or a download with no byte) for this long fails and is retried. Default 60000. */
  timeoutMs?: number;
  /** Retries after the first attempt, on throttling (429, SlowDown), 5xx, timeouts and broken connections. Default 4. */
  retries?: number;
  /** Backoff before retry n is a random time up to retryBaseMs * 2^n (full jitter), at most 20 s. Default 250. */
  retryBaseMs?: number;
  /** Blobs larger than this go up as a multipart upload of parts of this size; memory per transfer stays below it. Default 8 MiB, at least 5 MiB (the S3 minimum part). */
  partBytes?: number;
  /** Blobs transferred at once by push and pull. Default 4. */
  concurrency?: number;
}

export interface RemoteConfig {
  location: RemoteLocation;
  /** `s3://bucket/prefix`, as messages show it. */
  url: string;
  endpoint: string | undefined;
  region: string;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  partBytes: number;
  concurrency: number;
}

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const DEFAULTS = { timeoutMs: 60_000, retries: 4, retryBaseMs: 250, partBytes: 8 * 1024 * 1024, concurrency: 4 };

/**
 * Reads a variable; one the runtime refuses to show (Deno without --allow-env for it) counts
 * as unset, so that a script granted only TLDRS_VHS_HOME still opens its store.
 */
export function readEnv(platform: Platform, name: string): string | undefined {
  try {
    return platform.env(name) || undefined;
  } catch {
    return undefined;
  }
}

const KNOWN = ["url", "endpoint", "region", "credentials", "timeoutMs", "retries", "retryBaseMs", "partBytes", "concurrency"];

/** The options as given (a string is the URL alone), checked for shape; values are checked by resolveRemote. */
export function readRemoteOption(value: unknown): RemoteOptions {
  if (typeof value === "string") return { url: value };
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw argTypeError("options.remote", "an s3:// URL string, a RemoteOptions object or false", value);
  for (const key of Object.keys(value)) {
    if (!KNOWN.includes(key)) throw argTypeError(`options.remote.${key}`, `one of the known options (${KNOWN.join(", ")})`, (value as Record<string, unknown>)[key]);
  }
  const opts = value as RemoteOptions;
  if (typeof opts.url !== "string") throw argTypeError("options.remote.url", "an s3:// URL string", opts.url);
  for (const key of ["endpoint", "region"] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== "string") throw argTypeError(`options.remote.${key}`, "a string", opts[key]);
  }
  return opts;
}

function count(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw argTypeError(`options.remote.${name}`, "an integer", value);
  if (value < min) throw argRangeError(`options.remote.${name}`, `an integer >= ${min}`, value);
  return value;
}

/** The config of `options`, with the AWS environment of `platform` filling what they leave out. */
export function resolveRemote(platform: Platform, options: RemoteOptions): RemoteConfig {
  const env = (name: string) => readEnv(platform, name);
  const location = parseRemoteUrl(options.url);
  const endpointText = options.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL");
  return {
    location,
    url: formatRemoteUrl(location),
    endpoint: endpointText === undefined ? undefined : checkEndpoint(endpointText),
    region: checkRegion(options.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1"),
    timeoutMs: count("timeoutMs", options.timeoutMs, DEFAULTS.timeoutMs, 1),
    retries: count("retries", options.retries, DEFAULTS.retries, 0),
    retryBaseMs: count("retryBaseMs", options.retryBaseMs, DEFAULTS.retryBaseMs, 0),
    partBytes: count("partBytes", options.partBytes, DEFAULTS.partBytes, MIN_PART_BYTES),
    concurrency: count("concurrency", options.concurrency, DEFAULTS.concurrency, 1),
  };
}

/**
 * The credentials to sign with, or the error to raise when the remote is first used
 * (not at open: a store whose remote lacks credentials still serves local work).
 */
export function resolveCredentials(platform: Platform, given: RemoteCredentials | undefined, url: string): RemoteCredentials | TldrsError {
  const token = readEnv(platform, "AWS_SESSION_TOKEN");
  const source = given ?? {
    accessKeyId: readEnv(platform, "AWS_ACCESS_KEY_ID") ?? "",
    secretAccessKey: readEnv(platform, "AWS_SECRET_ACCESS_KEY") ?? "",
    ...(token ? { sessionToken: token } : {}),
  };
  const where = given ? "options.remote.credentials" : "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (on Deno, also allow reading them: --allow-env)";
  if (typeof source !== "object" || source === null || typeof source.accessKeyId !== "string" || typeof source.secretAccessKey !== "string" || !source.accessKeyId || !source.secretAccessKey) {
    return new TldrsError("EREMOTEAUTH", `Cannot use remote "${url}": no credentials; set ${where}`);
  }
  // Values are never quoted in messages: they are secrets.
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && (typeof value !== "string" || /[\u0000-\u0020\u007f-\uffff]/.test(value))) {
      return new TldrsError("EREMOTEAUTH", `Cannot use remote "${url}": the ${name === "sessionToken" ? "session token" : name === "accessKeyId" ? "access key id" : "secret access key"} has a character that is not printable ASCII`);
    }
  }
  return source.sessionToken ? { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey, sessionToken: source.sessionToken } : { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey };
}
