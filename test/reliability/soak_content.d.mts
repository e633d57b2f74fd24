/** `size` deterministic bytes for the source id `src` (see soak_content.mjs). */
export function contentFor(src: string, size: number): Uint8Array;
