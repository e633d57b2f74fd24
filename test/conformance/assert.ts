/**
 * A tiny assert for the conformance suite: it runs under vitest (Node), Deno and Bun alike,
 * so it depends on nothing but the language. Deep equality covers what the public API
 * returns: primitives, arrays, plain objects, Uint8Array, Set and Map.
 */

export class AssertionError extends Error {
  override name = "AssertionError";
}

export function ok(value: unknown, message: string): asserts value {
  if (!value) throw new AssertionError(message);
}

export function equal(actual: unknown, expected: unknown, what = "value"): void {
  if (!deepEqual(actual, expected)) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Awaits `fn()`, which must reject with an error whose `code` is `code`; returns that error. */
export async function rejects(fn: () => Promise<unknown>, code: string, what = "call"): Promise<Error & { code?: unknown }> {
  let result: unknown;
  try {
    result = await fn();
  } catch (err) {
    const got = (err as { code?: unknown } | null)?.code;
    if (got !== code) throw new AssertionError(`${what}: expected an error with code ${code}, got ${String(got)}: ${(err as Error)?.message ?? String(err)}`);
    return err as Error & { code?: unknown };
  }
  throw new AssertionError(`${what}: expected an error with code ${code}, but it resolved to ${show(result)}`);
}

/** `fn()` must throw synchronously with `code`. */
export function throws(fn: () => unknown, code: string, what = "call"): void {
  try {
    fn();
  } catch (err) {
    const got = (err as { code?: unknown } | null)?.code;
    if (got !== code) throw new AssertionError(`${what}: expected an error with code ${code}, got ${String(got)}: ${(err as Error)?.message ?? String(err)}`);
    return;
  }
  throw new AssertionError(`${what}: expected an error with code ${code}, but it returned`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (v instanceof Set) return `Set ${show([...v])}`;
  if (v instanceof Map) return `Map ${show([...v])}`;
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > 300 ? s.slice(0, 300) + "..." : s;
  } catch {
    return String(v);
  }
}
