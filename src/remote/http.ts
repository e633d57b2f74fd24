/**
 * One S3 request over `fetch`: signed afresh for each attempt, a timeout, bounded retries
 * with backoff on throttling, 5xx, timeouts and broken connections, and the failure as one
 * TldrsError line. Nothing of a request's headers or of a response's body reaches a message
 * except the S3 error code (letters only): the Authorization header, the security token and
 * the service's echo of the string to sign never do.
 */
import { TldrsError, type ErrorCode } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import type { RemoteConfig } from "./config.ts";
import { objectUrl } from "./location.ts";
import type { Signer } from "./sign.ts";

/** sha256 of no bytes: the payload hash of requests without a body. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 20_000;

export interface S3Request {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  key: string;
  /** Query string without `?`, already encoded. */
  query?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Hex sha256 of `body` (signed, so the service refuses a body changed on the way). */
  bodySha256?: string;
  /** Statuses besides 2xx handed back to the caller instead of raised (404 for HEAD and GET). */
  accept?: number[];
}

export interface Remote {
  readonly platform: Platform;
  readonly config: RemoteConfig;
  /** The signer, or why there is none (missing credentials): raised on first use. */
  readonly sign: Signer | TldrsError;
}

export interface S3Response {
  status: number;
  headers: Headers;
  /** The body's chunks; a stall longer than the timeout or a broken connection is an EREMOTE error with `data.retryable`. */
  chunks(): AsyncGenerator<Uint8Array>;
  /** Drops the body unread. */
  discard(): Promise<void>;
}

export function remoteError(code: ErrorCode, what: string, detail: string, data: Record<string, unknown> = {}, cause?: unknown): TldrsError {
  return new TldrsError(code, `${what}: ${detail}`, { data, ...(cause !== undefined ? { cause } : {}) });
}

/** Where the requests go, for messages: the endpoint or "AWS". */
export function endpointName(config: RemoteConfig): string {
  return config.endpoint ?? `AWS S3 (${config.region})`;
}

/** Full-jitter backoff before retry `attempt` (0-based). */
export function backoffMs(remote: Remote, attempt: number, retryAfter?: string | null): number {
  const seconds = retryAfter ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_BACKOFF_MS);
  const cap = Math.min(remote.config.retryBaseMs * 2 ** attempt, MAX_BACKOFF_MS);
  const random = remote.platform.randomBytes(2);
  return Math.floor((cap * ((random[0]! << 8) | random[1]!)) / 65536);
}

/** Sends `req`, retrying what may pass; resolves with a 2xx or accepted response, else throws. */
export async function send(remote: Remote, req: S3Request, what: string): Promise<S3Response> {
  const { config } = remote;
  if (remote.sign instanceof TldrsError) throw remote.sign;
  const sign = remote.sign;
  const url = objectUrl({ endpoint: config.endpoint, region: config.region, bucket: config.location.bucket }, req.key) + (req.query ? `?${req.query}` : "");
  const attempts = config.retries + 1;
  let last: TldrsError | undefined;
  let made = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    made++;
    if (attempt > 0) await remote.platform.sleep(backoffMs(remote, attempt - 1, last?.data?.["retryAfter"] as string | undefined));
    const headers = await sign({
      method: req.method,
      url,
      headers: { ...req.headers, "x-amz-content-sha256": req.bodySha256 ?? EMPTY_SHA256 },
      region: config.region,
    });
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, config.timeoutMs);
    let res: Response;
    try {
      res = await fetch(url, { method: req.method, headers, ...(req.body ? { body: req.body as Uint8Array<ArrayBuffer> } : {}), signal: controller.signal, redirect: "manual" });
    } catch (err) {
      clearTimeout(timer);
      last = timedOut
        ? remoteError("EREMOTE", what, `remote "${config.url}" (${endpointName(config)}) did not answer within ${config.timeoutMs} ms`, { retryable: true }, err)
        : unreachable(remote, what, err);
      if (last.data?.["retryable"] === false) break;
      continue;
    }
    clearTimeout(timer);
    if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return wrap(res, remote, controller, what);
    const code = await errorCode(res);
    last = statusError(remote, what, res.status, code, res.headers.get("retry-after"));
    if (!last.data?.["retryable"]) throw last;
  }
  throw withAttempts(last!, made);
}

function withAttempts(err: TldrsError, attempts: number): TldrsError {
  if (attempts <= 1) return err;
  return new TldrsError(err.code, `${err.message} (${attempts} attempts)`, { ...(err.data ? { data: err.data } : {}), ...(err.cause !== undefined ? { cause: err.cause } : {}) });
}

/** The S3 error code of an error response (`<Code>SlowDown</Code>`), letters only, or "". */
async function errorCode(res: Response): Promise<string> {
  if (!res.body) return "";
  try {
    const reader = res.body.getReader();
    let text = "";
    const decoder = new TextDecoder();
    while (text.length < 65536) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel().catch(() => undefined);
    return /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text)?.[1] ?? "";
  } catch {
    return "";
  }
}

function statusError(remote: Remote, what: string, status: number, code: string, retryAfter: string | null): TldrsError {
  const { config } = remote;
  const label = code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
  const data = { status, ...(code ? { s3Code: code } : {}), retryable: RETRY_STATUS.has(status) || code === "SlowDown", ...(retryAfter ? { retryAfter } : {}) };
  if (code === "AuthorizationHeaderMalformed" || code === "PermanentRedirect" || status === 301) {
    return remoteError("EREMOTECONFIG", what, `remote "${config.url}" answered ${label}: the bucket is in another region than "${config.region}"; set AWS_REGION`, data);
  }
  if (code === "RequestTimeTooSkewed") return remoteError("EREMOTEAUTH", what, `remote "${config.url}" answered ${label}: this machine's clock is off; set it right`, data);
  if (code === "NoSuchBucket") return remoteError("EREMOTE", what, `remote "${config.url}": bucket "${config.location.bucket}" does not exist at ${endpointName(config)}`, data);
  if (status === 401 || status === 403) {
    return remoteError("EREMOTEAUTH", what, `remote "${config.url}" refused the credentials (${label}); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and what they may access`, data);
  }
  if (code === "BadDigest" || code === "XAmzContentSHA256Mismatch" || code === "InvalidDigest") {
    return remoteError("EREMOTE", what, `remote "${config.url}" refused the upload (${label}): the bytes it received do not match their sha256; nothing was stored there; retry`, data);
  }
  return remoteError("EREMOTE", what, `remote "${config.url}" answered ${label}`, data);
}

/** A network failure as one line: the reason without the runtime's wrapping. */
function unreachable(remote: Remote, what: string, err: unknown): TldrsError {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = String(cause?.code ?? (err as { code?: unknown } | null)?.code ?? "");
  const message = String(cause?.message ?? (err as Error | null)?.message ?? err);
  let reason: string;
  let retryable = true;
  if (/ECONNREFUSED|ConnectionRefused/i.test(code) || /connection refused/i.test(message)) reason = "connection refused";
  else if (/ENOTFOUND|EAI_NONAME/.test(code) || /dns error|failed to lookup|not known|getaddrinfo/i.test(message)) {
    reason = "host not found";
    retryable = false;
  } else if (/ECONNRESET|UND_ERR_SOCKET|ConnectionClosed|EPIPE/.test(code) || /reset|closed/i.test(message)) reason = "the connection was closed";
  else reason = message.split("\n")[0]!.slice(0, 160);
  const { config } = remote;
  return remoteError("EREMOTE", what, `cannot reach remote "${config.url}" at ${endpointName(config)}: ${reason}; check the endpoint (AWS_ENDPOINT_URL) and the network`, { retryable, unreachable: true }, err);
}

function wrap(res: Response, remote: Remote, controller: AbortController, what: string): S3Response {
  const { config } = remote;
  return {
    status: res.status,
    headers: res.headers,
    async discard() {
      await res.body?.cancel().catch(() => undefined);
    },
    async *chunks() {
      if (!res.body) return;
      const reader = res.body.getReader();
      let received = 0;
      let finished = false;
      try {
        for (;;) {
          let stalled = false;
          const timer = setTimeout(() => {
            stalled = true;
            controller.abort();
          }, config.timeoutMs);
          let r: { done: boolean; value?: Uint8Array | undefined };
          try {
            r = await reader.read();
          } catch (err) {
            const detail = stalled ? `no data for ${config.timeoutMs} ms` : "the connection broke";
            throw remoteError("EREMOTE", what, `download from remote "${config.url}" failed after ${received} bytes: ${detail}`, { retryable: true, received }, err);
          } finally {
            clearTimeout(timer);
          }
          if (r.done || !r.value) break;
          received += r.value.length;
          yield r.value;
        }
        finished = true;
      } finally {
        if (!finished) {
          controller.abort();
          await reader.cancel().catch(() => undefined);
        }
        try {
          reader.releaseLock();
        } catch {
          // A read may still be pending after abort on some runtimes: the stream is dropped anyway.
        }
      }
    },
  };
}
