/** Argument checks for option objects: misspelled options are caught, not ignored. */
import { argRangeError, argTypeError } from "../errors.ts";

export function readOptions(name: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw argTypeError(name, "an object", value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw argTypeError(`${name}.${key}`, `one of the known options (${known.join(", ")})`, (value as Record<string, unknown>)[key]);
  }
  return value as Record<string, unknown>;
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
