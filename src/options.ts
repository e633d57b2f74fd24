/**
 * Argument checks shared by the public verbs (vhs/, state/, context/, store.ts): one wording
 * for each. A bad argument is a TypeError (wrong type) or RangeError (right type, value not
 * allowed) whose message names it (`options.ttl`, `deliveries[3].tokenEstimate`), and a
 * misspelled option is caught, never ignored.
 */
import { argRangeError, argTypeError } from "./errors.ts";

/** An object (not null, not an array). */
export function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw argTypeError(name, "an object", value);
  return value as Record<string, unknown>;
}

/** Catches misspelled options (`ttl` for `ttlSeconds`), which would otherwise be ignored silently. */
export function checkKnownKeys(name: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw argTypeError(`${name}.${key}`, `one of the known options (${known.join(", ")})`, (value as Record<string, unknown>)[key]);
  }
}

/** An options object of `known` keys; absent (undefined) is no options. */
export function readOptions(name: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  const options = checkObject(name, value);
  checkKnownKeys(name, options, known);
  return options;
}

export function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw argTypeError(name, "a boolean", value);
  return value;
}

/** A number >= 0 (finite unless `allowInfinity`), an integer if `integer`. */
export function optionalNonNegative(name: string, value: unknown, opts: { integer?: boolean; allowInfinity?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value)) throw argTypeError(name, "a number", value);
  const kind = opts.integer ? "an integer" : "a number";
  if (value < 0) throw argRangeError(name, `${kind} >= 0`, value);
  if (!Number.isFinite(value) && !opts.allowInfinity) throw argRangeError(name, `a finite ${kind.replace(/^an? /, "")} >= 0`, value);
  if (opts.integer && Number.isFinite(value) && !Number.isInteger(value)) throw argRangeError(name, `${kind} >= 0`, value);
  return value;
}

export function requiredPath(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw argTypeError(name, "a non-empty path string", value);
  return value;
}

export function checkOptionalString(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw argTypeError(name, "a string", value);
  return value;
}

export function checkNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== "string") throw argTypeError(name, "a non-empty string", value);
  if (value === "") throw argRangeError(name, "a non-empty string", value);
  return value;
}
