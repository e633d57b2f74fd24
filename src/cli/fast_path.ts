/**
 * The hot commands (`vhs put`, `cat`, `has`, `info` and `context`) parsed without yargs.
 *
 * Why: importing yargs and building its command table cost a cold `tldrs vhs put` about 75 ms of
 * CPU of its 390 (measured with /usr/bin/time-like rusage here, Node 20), more than the whole
 * Python store's put. yargs stays the parser of record: this path takes only the plain forms of
 * a command line and hands everything else to yargs (returns undefined): help, version, short
 * flags, `--`, an unknown or repeated option, a switch with a value, a value that starts with a
 * dash, an empty word, a missing or extra argument. What it accepts it reads as yargs does (the
 * same args object; test/cli/fast_path.test.ts compares the two on a table of forms), so a
 * command cannot tell which parser ran, and every message about a bad command line is yargs's.
 *
 * The options of a command are read from its own `options(y)` declaration (a recorder stands in
 * for yargs), and the global ones from global_options.ts, so no table is kept twice.
 */
import type { Argv } from "yargs";
import { camel } from "./args.ts";
import type { Args, CommandSpec } from "./command.ts";
import { GLOBAL_OPTIONS } from "./global_options.ts";

/** The commands worth a fast path, and the one module each needs (nothing else is imported). */
const HOT: Readonly<Record<string, () => Promise<CommandSpec | undefined>>> = {
  "vhs put": () => vhsCommand("vhs put"),
  "vhs cat": () => vhsCommand("vhs cat"),
  "vhs has": () => vhsCommand("vhs has"),
  "vhs info": () => vhsCommand("vhs info"),
  context: async () => (await import("./commands/context.ts")).contextCommand,
};

async function vhsCommand(name: string): Promise<CommandSpec | undefined> {
  return (await import("./commands/vhs.ts")).vhsGroup.subcommands.find((s) => s.name === name);
}

interface Declared {
  type: "string" | "boolean" | "number";
  array: boolean;
  /** The option's name and its aliases: yargs sets each of them (and their camelCase forms). */
  keys: string[];
}

export interface FastParse {
  spec: CommandSpec;
  args: Args;
  /** The switches and number options the command knows (for the strict readers, as yargs lists them). */
  switches: string[];
  numbers: string[];
}

/** The command and its arguments, read as yargs reads them; undefined: let yargs parse it. */
export async function fastParse(argv: readonly string[]): Promise<FastParse | undefined> {
  const words = argv[0] === "vhs" ? argv.slice(0, 2) : argv.slice(0, 1);
  const load = HOT[words.join(" ")];
  if (!load) return undefined;
  const spec = await load();
  const declared = spec && declaredOptions(spec);
  if (!spec || !declared) return undefined;
  const options = new Map<string, Declared>(Object.entries(GLOBAL_OPTIONS).map(([name, o]) => [name, { type: o.type, array: false, keys: [name] }]));
  for (const d of declared.options) for (const key of d.keys) options.set(key, d);

  const args: Args = { _: [...words] };
  const given = new Set<Declared>();
  const set = (d: Declared, value: unknown) => {
    for (const key of d.keys) for (const k of [key, camel(key)]) args[k] = value;
  };
  const positionals: string[] = [];
  for (let i = words.length; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "") return undefined;
    if (token === "-" || !token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    if (!token.startsWith("--") || token === "--") return undefined;
    const eq = token.indexOf("=");
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    let value: string | undefined = eq === -1 ? undefined : token.slice(eq + 1);
    let d = options.get(name);
    let negated = false;
    if (!d && name.startsWith("no-")) {
      d = options.get(name.slice(3));
      negated = true;
      if (d?.type !== "boolean") return undefined;
    }
    if (!d || (given.has(d) && !d.array)) return undefined;
    given.add(d);
    if (d.type === "boolean") {
      // `--flag=x` and `--flag true|false` (which yargs also reads) are left to yargs and the switch check.
      const next = argv[i + 1];
      if (value !== undefined || next === "true" || next === "false") return undefined;
      set(d, !negated);
      continue;
    }
    if (value === undefined) value = argv[++i];
    if (value === undefined || value === "" || value.startsWith("-")) return undefined;
    if (d.array) {
      // yargs's array option takes every word that follows it, up to the next flag.
      const next = argv[i + 1];
      if (eq === -1 && next !== undefined && next !== "" && !next.startsWith("-")) return undefined;
      set(d, [...((args[d.keys[0]!] as string[] | undefined) ?? []), value]);
    } else set(d, value);
  }
  if (positionals.length > declared.positionals.length) return undefined;
  for (const [k, p] of declared.positionals.entries()) {
    const value = positionals[k];
    if (value === undefined) {
      if (p.required) return undefined;
      continue;
    }
    // yargs hands a lone "-" to a positional as "" (the commands read both as stdin).
    set({ type: "string", array: false, keys: [p.name] }, value === "-" ? "" : value);
  }
  args["$0"] = "tldrs";
  const keysOf = (type: Declared["type"]) => [...new Set(options.values())].filter((d) => d.type === type).flatMap((d) => d.keys);
  return { spec, args, switches: keysOf("boolean"), numbers: keysOf("number") };
}

interface DeclaredCommand {
  positionals: Array<{ name: string; required: boolean }>;
  options: Declared[];
}

/**
 * What `spec.options(y)` declares, read by a recorder that stands in for yargs: `.positional`
 * and `.option` with a type (and `alias`, `array`). Anything else it calls, or an option of
 * another kind, makes the command yargs's alone (undefined).
 */
export function declaredOptions(spec: CommandSpec): DeclaredCommand | undefined {
  const positionals = [...spec.command.matchAll(/([<[])(\w+)[>\]]/g)].map((m) => ({ name: m[2]!, required: m[1] === "<" }));
  const options: Declared[] = [];
  let plain = true;
  const recorder: Record<string, unknown> = {
    positional(name: string, o: { type?: string }) {
      if (o.type !== "string" || !positionals.some((p) => p.name === name)) plain = false;
      return recorder;
    },
    option(name: string, o: { type?: string; alias?: string | string[]; array?: boolean; default?: unknown }) {
      const type = o.type;
      if ((type !== "string" && type !== "boolean" && type !== "number") || o.default !== undefined || (o.array && type !== "string")) plain = false;
      else options.push({ type, array: o.array === true, keys: [name, ...(o.alias === undefined ? [] : [o.alias].flat())] });
      return recorder;
    },
  };
  const proxy = new Proxy(recorder, {
    get(target, key) {
      if (key in target) return target[key as string];
      plain = false;
      return () => proxy;
    },
  });
  try {
    spec.options?.(proxy as unknown as Argv);
  } catch {
    return undefined;
  }
  // An option named as a positional or a global would be read differently by yargs.
  const names = options.flatMap((d) => d.keys);
  if (names.some((n) => n in GLOBAL_OPTIONS || positionals.some((p) => p.name === n))) plain = false;
  return plain ? { positionals, options } : undefined;
}
