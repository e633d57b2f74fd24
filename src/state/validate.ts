/**
 * Argument checks of the state verbs' own values (ids, etags, representations, refs); the
 * generic ones (objects, known keys, strings) are src/options.ts, shared by every verb.
 */
import { argRangeError, argTypeError } from "../errors.ts";
import { isRepresentation, REPRESENTATIONS, type Representation } from "./representation.ts";
import { canonicalRef } from "../ref.ts";

/** A session or symbol id: any non-empty string without NUL (SQLite C strings end there). */
export function isId(value: unknown): value is string {
  return typeof value === "string" && value !== "" && !value.includes("\u0000");
}

export function checkId(name: string, value: unknown): string {
  if (isId(value)) return value;
  if (typeof value !== "string") throw argTypeError(name, "a non-empty string", value);
  throw argRangeError(name, "a non-empty string without NUL characters", value);
}

/** An etag: a non-empty string. */
export function isEtag(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

export function checkEtag(name: string, value: unknown): string {
  if (isEtag(value)) return value;
  if (typeof value !== "string") throw argTypeError(name, "a string", value);
  throw argRangeError(name, "a non-empty string", value);
}

export function checkRepresentation(name: string, value: unknown): Representation {
  if (typeof value !== "string") throw argTypeError(name, `one of ${REPRESENTATIONS.join(", ")}`, value);
  if (!isRepresentation(value)) throw argRangeError(name, `one of ${REPRESENTATIONS.join(", ")}`, value);
  return value;
}

/** A token count: a non-negative safe integer, or absent (undefined or null). */
export function checkTokenEstimate(name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number") throw argTypeError(name, "a non-negative integer", value);
  if (!Number.isSafeInteger(value) || value < 0) throw argRangeError(name, "a non-negative integer", value);
  return value;
}

/** A VHS ref (`vhs://` + 64 lowercase hex, or the bare hash), returned in its `vhs://` form; or absent. */
export function checkVhsRef(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw argTypeError(name, "a VHS ref string", value);
  const ref = canonicalRef(value);
  if (ref === null) throw argRangeError(name, "a VHS ref (vhs:// followed by 64 lowercase hex)", value);
  return ref;
}
