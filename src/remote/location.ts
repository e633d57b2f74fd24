/**
 * Where blobs live on the remote: `s3://<bucket>/<prefix>` parsed and checked, the endpoint
 * URL checked, and the object key of a blob, which mirrors the local layout under the prefix:
 * `<prefix>/blobs/<h0h1>/<h2h3>/<hash>`. Everything here is outside input (an environment
 * variable, a flag, an option), so it is strict: a value that could change which host or
 * which key a request goes to is refused, never repaired.
 */
import { TldrsError } from "../errors.ts";

export interface RemoteLocation {
  bucket: string;
  /** '' or slash-separated safe segments, no leading or trailing slash. */
  prefix: string;
}

export function configError(what: string, detail: string, data?: Record<string, unknown>): TldrsError {
  return new TldrsError("EREMOTECONFIG", `Invalid remote ${what}: ${detail}`, data ? { data } : {});
}

/** Control characters (C0, DEL, C1): never part of a bucket, key, URL or region. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Quoted for a message: short, and with control characters shown as escapes. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? value.slice(0, 100) + "..." : value);
}

/**
 * S3 bucket naming rules (general purpose buckets): 3-63 characters, lowercase letters,
 * digits, dots and hyphens, a letter or digit at both ends, no `..`, `.-` or `-.`, not
 * shaped like an IP address.
 */
export function checkBucket(bucket: string): string {
  const bad = (why: string) => configError("bucket", `${shown(bucket)} ${why}`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw bad("is not a valid bucket name (3-63 lowercase letters, digits, dots and hyphens, a letter or digit at each end)");
  }
  if (/\.\.|\.-|-\./.test(bucket)) throw bad("has two dots, or a dot beside a hyphen");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) throw bad("is shaped like an IP address");
  return bucket;
}

/** Prefix segments: letters, digits and `._=-`; no empty, `.` or `..` segment. */
export function checkPrefix(prefix: string): string {
  const bad = (why: string) => configError("prefix", `${shown(prefix)} ${why}`);
  if (CONTROL.test(prefix)) throw bad("has a control character");
  if (prefix.length > 512) throw bad("is longer than 512 characters");
  const trimmed = prefix.replace(/^\/|\/$/g, "");
  if (trimmed === "") return "";
  for (const segment of trimmed.split("/")) {
    if (segment === "" || segment === "." || segment === "..") throw bad("has an empty, '.' or '..' segment");
    if (!/^[A-Za-z0-9._=-]+$/.test(segment)) throw bad("may only hold letters, digits, '.', '_', '=', '-' and '/'");
  }
  return trimmed;
}

/** Parses `s3://bucket` or `s3://bucket/prefix`. */
export function parseRemoteUrl(value: string): RemoteLocation {
  if (typeof value !== "string" || value === "") throw configError("URL", `expected s3://<bucket>/<prefix>, got ${typeof value === "string" ? '""' : typeof value}`);
  if (CONTROL.test(value)) throw configError("URL", `${shown(value)} has a control character`);
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(value);
  if (!match) throw configError("URL", `${shown(value)} is not of the form s3://<bucket>/<prefix>`);
  return { bucket: checkBucket(match[1]!), prefix: checkPrefix(match[2] ?? "") };
}

export function formatRemoteUrl(location: RemoteLocation): string {
  return `s3://${location.bucket}${location.prefix ? "/" + location.prefix : ""}`;
}

/**
 * An endpoint such as `http://127.0.0.1:9000` or `https://<account>.r2.cloudflarestorage.com`:
 * http or https only, no user name or password in it (credentials come from AWS_* only, so
 * they never sit in a URL that may be printed), no query or fragment. Returned without a
 * trailing slash; a base path is kept.
 */
export function checkEndpoint(value: string): string {
  if (CONTROL.test(value)) throw configError("endpoint", `${shown(value)} has a control character`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError("endpoint", `${shown(value)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw configError("endpoint", `${shown(value)} must start with http:// or https://`);
  if (url.username || url.password) throw configError("endpoint", "it holds a user name or password; give credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead");
  if (url.search || url.hash || value.includes("?") || value.includes("#")) throw configError("endpoint", `${shown(value)} must not have a query or fragment`);
  if (!/^[A-Za-z0-9._~/-]*$/.test(url.pathname)) throw configError("endpoint", `${shown(value)} has a path with characters other than letters, digits and ._~/-`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

export function checkRegion(value: string): string {
  if (!/^[a-z0-9-]{1,32}$/.test(value)) throw configError("region", `${shown(value)} is not a region name (lowercase letters, digits and hyphens, such as "us-east-1" or "auto")`);
  return value;
}

/** The object key of a blob: the local layout under the prefix. */
export function objectKey(prefix: string, hash: string): string {
  const key = `blobs/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;
  return prefix ? `${prefix}/${key}` : key;
}

/**
 * The URL of `key`. A custom endpoint is addressed path-style (`<endpoint>/<bucket>/<key>`),
 * which MinIO, R2, Ceph and GCS interop all serve; AWS itself virtual-hosted
 * (`https://<bucket>.s3.<region>.amazonaws.com/<key>`), except for bucket names with dots,
 * which the wildcard TLS certificate does not cover.
 */
export function objectUrl(target: { endpoint: string | undefined; region: string; bucket: string }, key: string): string {
  if (target.endpoint) return `${target.endpoint}/${target.bucket}/${key}`;
  if (target.bucket.includes(".")) return `https://s3.${target.region}.amazonaws.com/${target.bucket}/${key}`;
  return `https://${target.bucket}.s3.${target.region}.amazonaws.com/${key}`;
}
