/**
 * What a delivery was sent as, and the two rules the Python store attaches to it
 * (DESIGN section 2).
 */

/** Every representation a delivery can have, as both stores write them. */
export const REPRESENTATIONS = ["full", "incremental", "signature_only", "pdg_slice", "vhs_ref"] as const;

export type Representation = (typeof REPRESENTATIONS)[number];

export function isRepresentation(value: unknown): value is Representation {
  return typeof value === "string" && (REPRESENTATIONS as readonly string[]).includes(value);
}

/**
 * Only these leave the agent holding the whole symbol (its code, or a ref to a blob
 * of it), so an equal etag means there is nothing to resend. A signature or a slice
 * with an equal etag still lacks the body.
 */
export function countsAsUnchanged(representation: string): boolean {
  return representation === "full" || representation === "vhs_ref";
}

/**
 * Only these put code in front of the agent that a later incremental diff can be
 * based on; the Python store keeps `code_snapshot` for them alone.
 */
export function keepsCodeSnapshot(representation: string): boolean {
  return representation === "full" || representation === "incremental";
}
