/**
 * Readers for a tool's arguments, worded as the CLI words its flags (`depth must be a whole
 * number of 0 or more, got "abc"` where the CLI says `--depth must be ...`). A bad argument
 * is a UsageError: the server answers it as a tool error and goes on with the next call.
 * JSON null counts as absent: some clients send null for every optional argument.
 */
import { UsageError } from "../cli/errors.ts";
import type { ArgumentsSchema } from "./tool.ts";

export type Args = Record<string, unknown>;

function shown(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value) : JSON.stringify(value);
  return text ?? String(value);
}

function present(args: Args, name: string): unknown {
  const value = args[name];
  return value === null ? undefined : value;
}

/** The arguments as an object, with no name the schema does not know and every required one there. */
export function checkArgs(tool: string, schema: ArgumentsSchema, args: unknown): Args {
  const given = args ?? {};
  if (typeof given !== "object" || Array.isArray(given)) throw new UsageError(`${tool} takes an object of arguments, got ${shown(given)}`);
  const known = Object.keys(schema.properties);
  for (const name of Object.keys(given)) {
    if (!known.includes(name)) throw new UsageError(`unknown argument "${name}" (${tool} takes ${known.join(", ")})`);
  }
  for (const name of schema.required ?? []) {
    if (present(given as Args, name) === undefined) throw new UsageError(`missing argument "${name}"`);
  }
  return given as Args;
}

/** A string that is not blank, or undefined if absent. */
export function stringArg(args: Args, name: string): string | undefined {
  const value = present(args, name);
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${name} must be a non-empty string, got ${shown(value)}`);
  return value;
}

/** A whole number >= min, given as a JSON number or a string of digits, or undefined if absent. */
export function wholeNumberArg(args: Args, name: string, min = 0): number | undefined {
  const value = present(args, name);
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be a whole number of ${min} or more, got ${shown(value)}`);
  return n;
}

export function choiceArg<T extends string>(args: Args, name: string, choices: readonly T[]): T | undefined {
  const value = present(args, name);
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) throw new UsageError(`${name} must be one of ${choices.join(", ")}, got ${shown(value)}`);
  return value as T;
}

export function booleanArg(args: Args, name: string): boolean | undefined {
  const value = present(args, name);
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new UsageError(`${name} must be true or false, got ${shown(value)}`);
  return value;
}

/** A list of non-empty strings (one string is a list of one), or undefined if absent. */
export function stringListArg(args: Args, name: string): string[] | undefined {
  const value = present(args, name);
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.some((v) => typeof v !== "string" || v === "")) throw new UsageError(`${name} must be a list of strings, got ${shown(value)}`);
  return list as string[];
}
