/**
 * One error class for the conditions callers catch, each with a stable `code`.
 * Bad arguments are plain TypeError/RangeError (with code ERR_INVALID_ARG), as
 * the platform's own APIs do.
 */

export type ErrorCode =
  | "EINVALIDREF" // not vhs://<64 lowercase hex> nor a bare hash
  | "ENOTFOUND" // ref or session not in the store; context entry, file or project not found
  | "EAMBIGUOUS" // a context entry names more than one symbol; `data.candidates` lists them
  | "EINTEGRITY" // bytes on disk do not match their hash or size
  | "ELOCKTIMEOUT" // the write lock stayed held by a live process
  | "ECORRUPT" // the database file is not a valid SQLite database
  | "ENEWERSCHEMA" // the database was written by a newer tldrs
  | "EFOREIGNWAL" // a native SQLite connection owns the file (-wal / -journal)
  | "ETOOLARGE" // the database image does not fit the WASM engine
  | "EENGINE" // the sql.js engine is missing, altered or too old
  | "EIO" // a file-system call failed; `cause` holds the original error
  | "EREMOTECONFIG" // TLDRS_REMOTE, --remote, the remote option or an AWS_* variable is malformed
  | "EREMOTEAUTH" // the remote has no credentials, or refused them
  | "EREMOTE"; // the remote is unreachable, timed out, or answered an error after retries

export class TldrsError extends Error {
  override name = "TldrsError";
  readonly code: ErrorCode;
  /** The file or ref the error is about, when there is one. */
  readonly path?: string;
  readonly ref?: string;
  readonly data?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details: { path?: string; ref?: string; data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.ref !== undefined) this.ref = details.ref;
    if (details.data !== undefined) this.data = details.data;
  }

  /** Keeps code and details when an error crosses `--json` or a worker boundary. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, path: this.path, ref: this.ref, data: this.data };
  }
}

export function isTldrsError(err: unknown, code?: ErrorCode): err is TldrsError {
  return err instanceof TldrsError && (code === undefined || err.code === code);
}

/** A TypeError for an argument of the wrong type, naming the argument. */
export function argTypeError(name: string, expected: string, got: unknown): TypeError {
  const err = new TypeError(`Invalid argument "${name}": expected ${expected}, got ${describe(got)}`);
  return Object.assign(err, { code: "ERR_INVALID_ARG" as const });
}

/** A RangeError for a value of the right type but outside what is allowed. */
export function argRangeError(name: string, expected: string, got: unknown): RangeError {
  const err = new RangeError(`Invalid argument "${name}": expected ${expected}, got ${describe(got)}`);
  return Object.assign(err, { code: "ERR_INVALID_ARG" as const });
}

export function isArgumentError(err: unknown): err is (TypeError | RangeError) & { code: "ERR_INVALID_ARG" } {
  return (err instanceof TypeError || err instanceof RangeError) && (err as { code?: unknown }).code === "ERR_INVALID_ARG";
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 80) + "..." : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}

/** The errno-like code of a platform error (ENOENT, EEXIST, ...), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * What a file-system errno means, in words for a message after a colon (the one table of the
 * library and the CLI); undefined for a code without one (say the platform's message). For a
 * `write` (creating a file), ENOENT can only mean a missing folder, and says so.
 */
export function errnoReason(code: string | undefined, op: "any" | "write" = "any"): string | undefined {
  if (code === undefined) return undefined;
  if (code === "ENOENT" && op === "write") return "its folder does not exist";
  return ERRNO_REASONS[code];
}

const ERRNO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exceeded",
  EROFS: "read-only file system",
  ELOOP: "is a symbolic link",
  EEXIST: "already exists",
};
