/**
 * Strict readers for flags. yargs turns "abc" into NaN and accepts "-3", so numbers are
 * declared as strings and parsed here, with a message naming the flag; and it reads
 * `--dry-run=yes` as false, so the forms of switches are checked on the raw arguments.
 */
import { UsageError } from "./errors.ts";

type Args = Record<string, unknown>;

function raw(args: Args, flag: string): string | undefined {
  const value = args[flag];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return String(value[value.length - 1]);
  return String(value);
}

/** A whole number >= min (default 0), or undefined if the flag is absent. */
export function intFlag(args: Args, flag: string, command: string, min = 0): number | undefined {
  const text = raw(args, flag);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${flag} must be a whole number of ${min} or more, got "${text}"`, command);
  }
  return Number(text);
}

/** A finite number >= 0 (decimals allowed), or undefined if the flag is absent. */
export function amountFlag(args: Args, flag: string, command: string): number | undefined {
  const text = raw(args, flag);
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(Number(text))) {
    throw new UsageError(`--${flag} must be a number of 0 or more, got "${text}"`, command);
  }
  return Number(text);
}

/** A required positional string that is not empty. */
export function requiredString(args: Args, name: string, command: string): string {
  const value = args[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`missing ${name.toUpperCase()}`, command);
  return value;
}

/** `dryRun` -> `dry-run`: yargs accepts both spellings of a flag. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/**
 * Refuses a switch given any value but `true` or `false`. Accepted: `--flag`, `--no-flag`,
 * `--flag=true`, `--flag=false` (and `--flag true|false`, which yargs reads the same way).
 * Everything else is a usage error: yargs would read `--dry-run=yes` as false, and a gc meant
 * as a dry run would delete.
 */
export function checkSwitchForms(argv: readonly string[], switches: readonly string[], command: string): void {
  const known = new Set(switches.map(kebab));
  for (const token of argv) {
    if (token === "--") return; // what follows is positional
    const m = /^--([^=]+)=([\s\S]*)$/.exec(token);
    if (!m) continue;
    const name = kebab(m[1]!);
    if (name.startsWith("no-") && known.has(name.slice(3))) {
      throw new UsageError(`--${name} takes no value, got "${token}"`, command);
    }
    if (known.has(name) && m[2] !== "true" && m[2] !== "false") {
      throw new UsageError(`--${name} is a switch: give it alone, as --no-${name}, or as --${name}=true or --${name}=false; got "${token}"`, command);
    }
  }
}

/**
 * A path from the command line. Node decodes arguments as UTF-8 and turns a byte that is not
 * UTF-8 into U+FFFD, so such a name would silently become another name: refused.
 */
export function checkPathText(path: string, what: string, command?: string): string {
  if (path.includes("\uFFFD")) {
    throw new UsageError(`${what} "${path}" is not a valid UTF-8 name (or holds U+FFFD): tldrs would use a different name than the one given; rename it`, command);
  }
  return path;
}
