// The soak's blob contents: a deterministic function of a source id and a size, so the
// checker can regenerate every acknowledged blob and compare it byte for byte. Shared by
// the workers (plain JavaScript, run by Node, Deno and Bun) and the checker.

const WORDS = ["alpha", "beta", "gamma", "delta", "return", "const", "function", "class", "import", "export", "0x1f", "\n", "  ", "{", "}", "(", ")", ";"];

function seedOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h || 1;
}

/** `size` bytes for `src`: text-like (compressible) with random bytes mixed in. */
export function contentFor(src, size) {
  const out = new Uint8Array(size);
  let x = seedOf(src);
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const head = new TextEncoder().encode(`${src}\n`);
  let at = 0;
  for (; at < Math.min(head.length, size); at++) out[at] = head[at];
  while (at < size) {
    const r = next();
    if ((r & 7) === 0) {
      out[at++] = r >>> 24; // a random byte now and then: not too compressible
      continue;
    }
    const word = WORDS[r % WORDS.length];
    for (let i = 0; i < word.length && at < size; i++) out[at++] = word.charCodeAt(i);
  }
  return out;
}
