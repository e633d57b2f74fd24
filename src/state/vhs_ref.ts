/**
 * The one check deliveries need on a VHS ref: its form. A delivery only stores the
 * ref string; whether the blob exists is the VHS store's business. The same rule as
 * vhs/ref.ts (strict, no trimming), restated here because state/ sits beside vhs/ and
 * depends only on engine/ and platform/ (DESIGN section 4).
 */

const REF = /^vhs:\/\/([0-9a-f]{64})$/;
const BARE_HASH = /^[0-9a-f]{64}$/;

/** `vhs://<64 lowercase hex>` for a ref or a bare hash (DESIGN section 2); null for anything else. */
export function canonicalVhsRef(value: string): string | null {
  if (BARE_HASH.test(value)) return `vhs://${value}`;
  return REF.test(value) ? value : null;
}
