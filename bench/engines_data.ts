/** The rows of the engines benchmark, the same for tldrs (both engines) and the Python side. */
import type { DeliveryInput } from "../src/state/deliveries.ts";

export const SESSION = "bench-session";

/** `count` deliveries of symbols offset..offset+count-1, with etags of `round`. */
export function batch(count: number, offset: number, round: number): DeliveryInput[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    return {
      symbolId: `src/module_${n % 97}.py:Symbol${n}`,
      etag: `etag-${n}-${round}`,
      representation: i % 4 === 0 ? "signature_only" : "full",
      tokenEstimate: 120 + (i % 50),
      codeSnapshot: i % 4 === 0 ? null : `def symbol_${n}():\n    return ${i}\n`,
    };
  });
}

/** symbolId -> etag for the first `count` symbols as built (round 0), one in three edited since. */
export function openerEtags(count: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let n = 0; n < count; n++) out[`src/module_${n % 97}.py:Symbol${n}`] = n % 3 === 0 ? "edited" : `etag-${n}-0`;
  return out;
}
