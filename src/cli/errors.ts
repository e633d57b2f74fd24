/**
 * How failures reach the user: one line `tldrs: <what failed>: <why>` on stderr.
 * Expected failures exit 1, usage errors exit 2 (with a pointer to --help), bugs print
 * their stack and ask to be reported. TLDRS_DEBUG shows stacks for everything.
 */
import { isArgumentError, isTldrsError, errnoCode } from "../errors.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command line that does not make sense: wrong flags, missing or malformed values. */
export class UsageError extends Error {
  override name = "UsageError";
  /** The command whose --help to point at, e.g. "vhs put". */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** An expected failure with its own wording (not found, nothing to do, ...). */
export class CliFailure extends Error {
  override name = "CliFailure";
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_FAILURE) {
    super(message);
    this.exitCode = exitCode;
  }
}

const FS_REASONS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  ELOOP: "is a symbolic link",
  EEXIST: "already exists",
};

/**
 * Remedies the core's messages name as library calls, in the words of the command line: a CLI
 * user is told the command to run, not an API call.
 */
const CLI_REMEDIES: ReadonlyArray<[api: string, command: string]> = [["verify({ repair: true })", "tldrs vhs verify --repair"]];

export function inCliWords(message: string): string {
  let out = message;
  for (const [api, command] of CLI_REMEDIES) out = out.split(api).join(command);
  return out;
}

export interface Reported {
  exitCode: number;
  text: string;
}

/** Turns any thrown value into the text for stderr and the exit code. */
export function reportError(err: unknown, debug: boolean): Reported {
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : "";
  if (err instanceof UsageError) {
    const help = err.command ? `tldrs ${err.command} --help` : "tldrs --help";
    return { exitCode: EXIT_USAGE, text: `tldrs: ${err.message}\nRun "${help}" for usage.${stack}\n` };
  }
  if (err instanceof CliFailure) return { exitCode: err.exitCode, text: `tldrs: ${err.message}${stack}\n` };
  if (isTldrsError(err)) return { exitCode: EXIT_FAILURE, text: `tldrs: ${inCliWords(err.message)}${stack}\n` };
  if (isArgumentError(err)) return { exitCode: EXIT_USAGE, text: `tldrs: ${err.message}${stack}\n` };
  const code = errnoCode(err);
  const path = (err as { path?: unknown } | null)?.path;
  if (code && FS_REASONS[code] && typeof path === "string") {
    return { exitCode: EXIT_FAILURE, text: `tldrs: cannot access "${path}": ${FS_REASONS[code]}${stack}\n` };
  }
  if (code && /^E[A-Z0-9]+$/.test(code) && err instanceof Error) {
    // An operating-system failure (a reset pipe on stdin, EIO from a disk): not a bug.
    return { exitCode: EXIT_FAILURE, text: `tldrs: ${typeof path === "string" ? `cannot access "${path}": ` : ""}${err.message}${stack}\n` };
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return {
    exitCode: EXIT_FAILURE,
    text: `tldrs: internal error (a bug): ${err instanceof Error ? err.message : String(err)}\n${detail}\nPlease report it with the command you ran.\n`,
  };
}

export function isBrokenPipe(err: unknown): boolean {
  return errnoCode(err) === "EPIPE" || errnoCode(err) === "ERR_STREAM_DESTROYED";
}
