/**
 * How failures reach the user: one line `tldrs: <what failed>: <why>` on stderr.
 * Expected failures exit 1, usage errors exit 2 (with a pointer to --help), bugs print
 * their stack and ask to be reported. TLDRS_DEBUG shows stacks for everything.
 */
import { isArgumentError, isTldrsError, errnoCode, errnoReason } from "../errors.ts";

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

/**
 * What a failure says, without the `tldrs: ` prefix, and whether it is the user's (usage),
 * expected (failure) or a bug. The CLI prints it; the MCP server returns it as a tool error,
 * so both say the same thing about the same failure.
 */
export interface DescribedError {
  kind: "usage" | "failure" | "bug";
  exitCode: number;
  message: string;
}

export function describeError(err: unknown): DescribedError {
  if (err instanceof UsageError) return { kind: "usage", exitCode: EXIT_USAGE, message: err.message };
  if (err instanceof CliFailure) return { kind: "failure", exitCode: err.exitCode, message: err.message };
  if (isTldrsError(err)) return { kind: "failure", exitCode: EXIT_FAILURE, message: inCliWords(err.message) };
  if (isArgumentError(err)) return { kind: "usage", exitCode: EXIT_USAGE, message: err.message };
  const code = errnoCode(err);
  const path = (err as { path?: unknown } | null)?.path;
  const reason = errnoReason(code);
  if (reason !== undefined && typeof path === "string") {
    return { kind: "failure", exitCode: EXIT_FAILURE, message: `cannot access "${path}": ${reason}` };
  }
  if (code && /^E[A-Z0-9]+$/.test(code) && err instanceof Error) {
    // An operating-system failure (a reset pipe on stdin, EIO from a disk): not a bug.
    return { kind: "failure", exitCode: EXIT_FAILURE, message: `${typeof path === "string" ? `cannot access "${path}": ` : ""}${err.message}` };
  }
  return { kind: "bug", exitCode: EXIT_FAILURE, message: err instanceof Error ? err.message : String(err) };
}

/** Turns any thrown value into the text for stderr and the exit code. */
export function reportError(err: unknown, debug: boolean): Reported {
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : "";
  const described = describeError(err);
  if (err instanceof UsageError) {
    const help = err.command ? `tldrs ${err.command} --help` : "tldrs --help";
    return { exitCode: EXIT_USAGE, text: `tldrs: ${err.message}\nRun "${help}" for usage.${stack}\n` };
  }
  if (described.kind !== "bug") return { exitCode: described.exitCode, text: `tldrs: ${described.message}${stack}\n` };
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return {
    exitCode: EXIT_FAILURE,
    text: `tldrs: internal error (a bug): ${described.message}\n${detail}\nPlease report it with the command you ran.\n`,
  };
}

export function isBrokenPipe(err: unknown): boolean {
  return errnoCode(err) === "EPIPE" || errnoCode(err) === "ERR_STREAM_DESTROYED";
}
