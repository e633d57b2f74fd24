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

/** `dry-run` -> `dryRun`: the second key yargs sets for a flag (its camel-case expansion). */
export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
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

/** yargs-parser's test for a value that looks like a negative number (it is read as a value, not a flag). */
const NEGATIVE = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;

/**
 * The text typed for each number option (the last time it is given), read from the raw
 * arguments: yargs declares them as numbers (so that `--help` says [number]) and turns the
 * text into Number(text), where "1e3", "0x10" and " 5" pass and "abc" is NaN. The strict
 * readers above check the text instead. An option given without a value reads as "" (yargs
 * would leave it unset, as if absent), and `--no-budget` as its own token, both refused there.
 */
export function rawNumberTexts(argv: readonly string[], numbers: readonly string[]): Map<string, string> {
  const known = new Set(numbers.map(kebab));
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") break;
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(token);
    if (!m) continue;
    const name = kebab(m[1]!);
    if (name.startsWith("no-") && known.has(name.slice(3))) {
      out.set(name.slice(3), token);
      continue;
    }
    if (!known.has(name)) continue;
    if (m[2] !== undefined) {
      out.set(name, m[2]);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && (!next.startsWith("-") || NEGATIVE.test(next))) {
      out.set(name, next);
      i++;
    } else out.set(name, "");
  }
  return out;
}

/**
 * What yargs's "Unknown argument(s): with-docs, withDocs" was about, in the words typed: each
 * unknown option once, as given (`--with-doc`), with the nearest known option when one is
 * close; a stray word as an unexpected argument.
 */
export function describeUnknown(argv: readonly string[], reported: readonly string[], knownOptions: readonly string[]): string {
  const names = [...new Set(reported.map((n) => kebab(n.trim())))].filter((n) => n !== "");
  const known = new Set(knownOptions.map(kebab));
  // `--no-cache=false`: yargs reads a negation with a value as an unknown option "no-cache".
  const negated = names.find((n) => n.startsWith("no-") && known.has(n.slice(3)));
  if (negated) {
    const token = argv.find((t) => t.startsWith(`--${negated}=`));
    if (token) return `--${negated} takes no value, got "${token}"`;
  }
  const options: string[] = [];
  const words: string[] = [];
  for (const name of names) {
    const token = argv.find((t) => {
      const m = /^(--?)([^=]+)/.exec(t);
      if (m === null) return false;
      const typed = kebab(m[2]!);
      return typed === name || typed === `no-${name}` || (m[1] === "-" && m[2]!.includes(name));
    });
    if (token !== undefined) options.push(token.replace(/=[\s\S]*$/, ""));
    else words.push(name);
  }
  const parts: string[] = [];
  const unique = [...new Set(options)];
  if (unique.length > 0) {
    const hint = unique.length === 1 ? nearest(unique[0]!, knownOptions) : undefined;
    parts.push(`unknown option${unique.length > 1 ? "s" : ""} ${unique.map((o) => `"${o}"`).join(", ")}${hint ? ` (did you mean --${hint}?)` : ""}`);
  }
  if (words.length > 0) parts.push(`unexpected argument${words.length > 1 ? "s" : ""} ${words.map((w) => `"${w}"`).join(", ")}`);
  return parts.join("; ");
}

/** The known option closest to `typed` (edit distance at most 2, or a prefix of it), if any. */
function nearest(typed: string, knownOptions: readonly string[]): string | undefined {
  const name = kebab(typed.replace(/^-+/, "").replace(/^no-/, ""));
  let best: string | undefined;
  let bestDistance = 3;
  for (const option of new Set(knownOptions.map(kebab))) {
    if (option.length <= 1) continue;
    const d = option.startsWith(name) && name.length >= 3 ? 1 : editDistance(name, option);
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
