/**
 * Strict readers for numeric flags. yargs turns "abc" into NaN and accepts "-3", so
 * numbers are declared as strings and parsed here, with a message naming the flag.
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
