/**
 * Refs: `vhs://` + the sha256 of the uncompressed bytes in 64 lowercase hex digits, or the
 * bare hash. Parsing is strict on purpose: a ref becomes a file name (blobs/<aa>/<bb>/<hash>),
 * so anything else (uppercase, whitespace, `../`, a short or long hash) is refused here,
 * before any file access. The Python store trims whitespace; we do not. The one home of the
 * rule: vhs/ parses refs to find files, state/ checks the refs deliveries record, context/
 * prints includes under their ref.
 */
import { TldrsError, argTypeError } from "./errors.ts";

export const VHS_SCHEME = "vhs://";

const HASH = /^[0-9a-f]{64}$/;

/** True for exactly 64 lowercase hex digits. */
export function isBlobHash(value: string): boolean {
  return HASH.test(value);
}

/**
 * Returns the hash a ref names.
 *
 * @throws TldrsError EINVALIDREF for any string that is not `vhs://<hash>` or `<hash>`;
 *   TypeError for a value that is not a string.
 * @example parseRef("vhs://" + "ab".repeat(32)) // "abab...ab"
 */
export function parseRef(ref: string): string {
  if (typeof ref !== "string") throw argTypeError("ref", "a string", ref);
  const hash = ref.startsWith(VHS_SCHEME) ? ref.slice(VHS_SCHEME.length) : ref;
  if (!HASH.test(hash)) {
    const shown = ref.length > 100 ? ref.slice(0, 100) + "..." : ref;
    throw new TldrsError("EINVALIDREF", `Invalid ref ${JSON.stringify(shown)}: expected vhs://<64 lowercase hex digits> or the bare hash`, { ref: shown });
  }
  return hash;
}

/** `vhs://<hash>` for a hash. */
export function formatRef(hash: string): string {
  return VHS_SCHEME + hash;
}

/** `vhs://<hash>` for a ref or a bare hash; null for anything else (no error: for callers that word their own). */
export function canonicalRef(value: string): string | null {
  const hash = value.startsWith(VHS_SCHEME) ? value.slice(VHS_SCHEME.length) : value;
  return HASH.test(hash) ? VHS_SCHEME + hash : null;
}
