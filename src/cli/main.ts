/**
 * `tldrs` command line: parse with yargs, run the chosen command, map errors to exit
 * codes. `main(argv, io)` never exits the process, so tests call it in-process.
 *
 * The hot commands' plain forms are read by fast_path.ts without loading yargs or the other
 * commands (a cold process's start-up is most of its time); everything else, --help and every
 * usage error included, goes through yargs, loaded here only then.
 */
import { statSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import type { Argv } from "yargs";
import { camel, checkPathText, checkSwitchForms, describeUnknown, rawNumberTexts } from "./args.ts";
import type { Args, CommandContext, CommandGroup, CommandSpec } from "./command.ts";
import { CliFailure, EXIT_OK, isBrokenPipe, reportError, UsageError } from "./errors.ts";
import { fastParse } from "./fast_path.ts";
import { GLOBAL_OPTIONS } from "./global_options.ts";
import { processIo, type CliIo } from "./io.ts";
import { packageVersion } from "./version.ts";

function withExamples(y: Argv, spec: CommandSpec): Argv {
  let out = spec.options ? spec.options(y) : y;
  for (const [cmd, desc] of spec.examples) out = out.example(cmd, desc);
  return out;
}

interface KnownOptions {
  /** Every option key (and alias) yargs knows at this point of the parse, globals included. */
  key: Record<string, unknown>;
  /** The switches (boolean options), --help, --version and --json included. */
  boolean: string[];
  number: string[];
}

function optionsOf(y: Argv): KnownOptions {
  return (y as unknown as { getOptions(): KnownOptions }).getOptions();
}

/** Options whose value may be "-" (stdout): yargs leaves a lone "-" after a flag unread. */
const DASH_VALUED = new Set(["--out"]);

function withDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (DASH_VALUED.has(argv[i]!) && argv[i + 1] === "-") out.push(`${argv[i++]}=-`);
    else out.push(argv[i]!);
  }
  return out;
}

/** The Python CLI's `tldrs --print-completion SHELL` is `tldrs completion SHELL` here. */
function withPythonAliases(argv: string[]): string[] {
  if (argv[0] === "--print-completion") return ["completion", ...argv.slice(1)];
  if (argv[0]?.startsWith("--print-completion=")) return ["completion", argv[0].slice("--print-completion=".length), ...argv.slice(1)];
  return argv;
}

export interface MainOptions {
  /** false: every command line through yargs (the tests compare the two parsers). */
  fastPath?: boolean;
}

/** The command yargs (or the fast path) chose, with its arguments. */
export interface Selected {
  spec: CommandSpec;
  args: Args;
  /** The switches and number options the command knows, for the strict readers. */
  switches: readonly string[];
  numbers: readonly string[];
}

/** What yargs made of a command line: a command to run, text to print (--help), or a usage error. */
export type YargsResult = { selected: Selected } | { output: string } | { error: UsageError };

export async function main(rawArgv: string[], io: CliIo = processIo(), options: MainOptions = {}): Promise<number> {
  const argv = withDashValues(withPythonAliases(rawArgv));
  if (asksForVersion(argv)) return printVersion(argv, io);
  let selected: Selected | undefined;
  const fast = options.fastPath === false ? undefined : await fastParse(argv);
  if (fast) {
    selected = fast;
  } else {
    const parsed = await parseWithYargs(argv);
    if ("error" in parsed) return finish(io, reportError(parsed.error, !!io.env["TLDRS_DEBUG"]));
    if ("output" in parsed) {
      // --help or --version: yargs produced the text and ran no command.
      if (parsed.output) await io.stdout.write(parsed.output.endsWith("\n") ? parsed.output : parsed.output + "\n");
      return EXIT_OK;
    }
    selected = parsed.selected;
  }
  const { spec, args } = selected;
  const ctx = makeContext(io, args);
  try {
    checkSwitchForms(argv, selected.switches, spec.name);
    useTypedNumbers(args, argv, selected.numbers);
    if (args["json"] === true && spec.json === "none") throw new UsageError(`--json does not apply: tldrs ${spec.name} does not print JSON`, spec.name);
    return await spec.run(ctx);
  } catch (err) {
    if (isBrokenPipe(err)) return EXIT_OK; // the reader went away (`| head`): not an error
    if (err instanceof UsageError && !err.command) return finish(io, reportError(new UsageError(err.message, spec.name), !!io.env["TLDRS_DEBUG"]));
    return finish(io, reportError(err, !!io.env["TLDRS_DEBUG"]));
  } finally {
    await ctx.closeStore();
  }
}

/** The command line through yargs: the parser of record, loaded only here. */
export async function parseWithYargs(argv: string[]): Promise<YargsResult> {
  const [{ default: yargs }, { commandGroups, topLevelCommands }] = await Promise.all([import("yargs"), import("./commands/index.ts")]);
  let selected: Selected | undefined;
  let known: KnownOptions = { key: {}, boolean: [], number: [] };
  const register = (y: Argv, spec: CommandSpec): Argv =>
    y.command(
      spec.command,
      // false keeps a command out of --help (yargs's overload for it is separate in the types).
      (spec.hidden ? false : spec.describe) as string,
      (sub) => {
        const built = withExamples(sub, spec);
        known = optionsOf(built);
        return built;
      },
      (args) => {
        selected = { spec, args: args as Args, switches: known.boolean, numbers: known.number };
      },
    );

  let parser: Argv = (yargs(argv) as unknown as Argv)
    .scriptName("tldrs")
    .usage("tldrs <command> [options]\n\nRepo-local memory for coding agents: a blob store (vhs) and session state.");
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) parser = parser.option(name, { ...o, global: true });
  parser = parser
    .version(packageVersion())
    .alias("v", "version")
    .help()
    .alias("h", "help")
    .strict()
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .demandCommand(1, "no command given")
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const group of commandGroups) {
    parser = parser.command(group.command, group.describe, (y) => {
      let g = y;
      for (const spec of group.subcommands) g = register(g, spec);
      return g.demandCommand(1, `"tldrs ${group.command}" needs a subcommand`);
    });
  }
  for (const spec of topLevelCommands) parser = register(parser, spec);
  parser = parser.example("tldrs vhs put big.log", "store a file, print its vhs:// ref").example("tldrs context main --delta", "code context for `main`, unchanged symbols elided");

  let output = "";
  try {
    await new Promise<void>((resolve, reject) => {
      parser.parse(argv, {}, (err, _args, out) => {
        output = out ?? "";
        if (err) reject(err);
        else resolve();
      });
    });
  } catch (err) {
    return { error: explainUsage(argv, err, known, commandGroups, topLevelCommands) };
  }
  return selected ? { selected } : { output };
}

async function finish(io: CliIo, reported: { exitCode: number; text: string }): Promise<number> {
  try {
    await io.stderr.write(reported.text);
  } catch {
    // stderr closed too: the exit code still says it.
  }
  return reported.exitCode;
}

function makeContext(io: CliIo, args: Args): CommandContext & { closeStore(): Promise<void> } {
  let store: Promise<import("../store.ts").Store> | undefined;
  let checkedProject: string | undefined;
  const projectDir = () => (checkedProject ??= checkedProjectDir(io, args));
  return {
    io,
    args,
    projectDir,
    resolvePath: (p) => resolvePath(io.cwd, checkPathText(p, "the path")),
    openStore() {
      store ??= (async () => {
        // Loaded here, not at the top: --help and --version must not pay for the engine.
        const { openCliStore } = await import("./open_store.ts");
        return openCliStore(io, projectDir(), args);
      })();
      return store;
    },
    async closeStore() {
      if (!store) return;
      const s = await store.catch(() => undefined);
      await s?.close();
    },
  };
}

/** `--version` or `-v` anywhere before a `--`: yargs would print only the package version. */
function asksForVersion(argv: string[]): boolean {
  const end = argv.indexOf("--");
  const head = end === -1 ? argv : argv.slice(0, end);
  return head.includes("--version") || head.includes("-v");
}

/**
 * The package version, then which engine this invocation would run and why, e.g.
 * `engine: native (node:sqlite, SQLite 3.53.4): the runtime has it`. The engine is only probed
 * (the native module's import), never loaded: sql.js is not instantiated.
 */
async function printVersion(argv: string[], io: CliIo): Promise<number> {
  try {
    const { cliEngine } = await import("./engine_flag.ts");
    const chosen = await cliEngine(io, { _: [], engine: flagValue(argv, "--engine") });
    await io.stdout.write(`${packageVersion()}\nengine: ${chosen.info.description}\n`);
    return EXIT_OK;
  } catch (err) {
    return finish(io, reportError(err, !!io.env["TLDRS_DEBUG"]));
  }
}

/** The value of `--flag value` or `--flag=value` in argv (the last one), if given. */
function flagValue(argv: string[], flag: string): string | undefined {
  let value: string | undefined;
  argv.forEach((a, i) => {
    if (a === flag && i + 1 < argv.length) value = argv[i + 1];
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  });
  return value;
}

/**
 * The project folder of --project (default: the current folder). It must exist: tldrs creates
 * only the store folder itself, never the folders above it (a typo in --project would
 * otherwise create a whole path). The same holds for TLDRS_VHS_HOME's parent.
 */
function checkedProjectDir(io: CliIo, args: Args): string {
  const p = args["project"];
  if (p !== undefined && (typeof p !== "string" || p === "")) throw new UsageError("--project needs a folder");
  const dir = p === undefined ? io.cwd : resolvePath(io.cwd, checkPathText(p, "--project"));
  mustBeFolder(dir, `cannot use --project "${dir}"`);
  const home = io.env["TLDRS_VHS_HOME"];
  if (home) {
    const root = resolvePath(io.cwd, checkPathText(home, "TLDRS_VHS_HOME"));
    mustBeFolder(dirname(root), `cannot use the store folder "${root}" (TLDRS_VHS_HOME): its parent folder`);
  }
  return dir;
}

function mustBeFolder(path: string, what: string): void {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new CliFailure(`${what}: no such folder; tldrs creates only the store folder itself`);
  }
  if (!isFolder) throw new CliFailure(`${what}: not a folder`);
}

/** Number options hold the text typed (args.ts rawNumberTexts), for the strict readers. */
export function useTypedNumbers(args: Args, argv: readonly string[], numbers: readonly string[]): void {
  for (const [name, text] of rawNumberTexts(argv, numbers)) {
    args[name] = text;
    args[camel(name)] = text;
  }
}

/** Global options that take a value, which may come before the command's words. */
const GLOBAL_VALUED = new Set(["--project", "--remote"]);

/** The words that name the command: the arguments that are neither flags nor a global option's value. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (GLOBAL_VALUED.has(a)) i++;
    else if (!a.startsWith("-")) words.push(a);
  }
  return words;
}

/** The command a failed parse was about, and a message that names what is missing or unknown. */
function explainUsage(argv: string[], err: unknown, known: KnownOptions, commandGroups: CommandGroup[], topLevelCommands: CommandSpec[]): UsageError {
  const words = commandWords(argv);
  const group = commandGroups.find((g) => g.command === words[0]);
  const spec = group ? group.subcommands.find((s) => s.command.split(" ")[0] === words[1]) : topLevelCommands.find((s) => s.command.split(" ")[0] === words[0]);
  const name = spec?.name ?? group?.command;
  let message = (err as Error).message;
  if (spec && /^Not enough non-option arguments/.test(message)) {
    const required = [...spec.command.matchAll(/<(\w+)>/g)].map((m) => m[1]!.toUpperCase());
    if (required.length > 0) message = `missing ${required.join(" and ")}`;
  }
  const unknown = /^Unknown arguments?: ([\s\S]*)$/.exec(message);
  if (unknown) message = describeUnknown(argv, unknown[1]!.split(", "), Object.keys(known.key)) || message;
  // A word in the command's place that is no command: say so, whatever else yargs found wrong.
  if (!spec && !group && words[0] !== undefined) message = `unknown command "${words[0]}"`;
  if (group && !spec && words[1] !== undefined) message = `unknown command "${group.command} ${words[1]}"`;
  return new UsageError(message, name);
}
