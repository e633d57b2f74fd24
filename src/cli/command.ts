/**
 * Commands as data: each is a constant with its yargs signature, description, examples
 * and a `run` that returns the exit code. main.ts registers them in one place.
 * Handlers receive the parsed arguments and a context that opens the store lazily,
 * so `--help` and `--version` never load the engine.
 */
import type { Argv } from "yargs";
import type { Store } from "../store.ts";
import type { CliIo } from "./io.ts";

export type Args = Record<string, unknown> & { _: (string | number)[] };

export interface CommandContext {
  io: CliIo;
  args: Args;
  /** Opens the store of --project (or TLDRS_VHS_HOME); loads the engine on first call. */
  openStore(): Promise<Store>;
  /** The project folder: --project resolved against the current folder. */
  projectDir(): string;
  /** A path from the command line, resolved against the invocation's current folder. */
  resolvePath(path: string): string;
}

export interface CommandSpec {
  /** yargs command string, e.g. "put [file]". */
  command: string;
  describe: string;
  /** Full name for messages and --help pointers, e.g. "vhs put". */
  name: string;
  examples: Array<[command: string, description: string]>;
  options?: (y: Argv) => Argv;
  /**
   * What the global --json means here: "always" (the output is JSON already: accepted, no
   * change; the default), "optional" (the command prints JSON instead of its text) or "none"
   * (the output cannot be JSON, a blob's bytes or a protocol: --json is a usage error).
   */
  json?: "always" | "optional" | "none";
  /** Left out of --help and of completion (the completion helper itself). */
  hidden?: boolean;
  /** Values to offer for options in shell completion (the command checks them itself). */
  choices?: Record<string, readonly string[]>;
  run(ctx: CommandContext): Promise<number>;
}

export interface CommandGroup {
  command: string;
  describe: string;
  subcommands: CommandSpec[];
}

export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}
