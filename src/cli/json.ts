/**
 * JSON output with the Python CLI's field names (snake_case: stored_size, created_at,
 * total_bytes, freed_bytes, ...), so scripts written for `tldrs-vhs` keep working.
 */

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** Deep copy with snake_case keys; Sets become arrays, Maps objects. */
export function toPythonJson(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toPythonJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPythonJson(v)]));
  if (Array.isArray(value)) return value.map(toPythonJson);
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [snake(k), toPythonJson(v)]));
  }
  return value;
}

export function formatJson(value: unknown, pretty = true): string {
  return JSON.stringify(toPythonJson(value), null, pretty ? 2 : undefined) + "\n";
}

/** One compact JSON value a line (`--jsonl`): for lists, so that `| wc -l` counts and `| head` cuts at a record. */
export function formatJsonLines(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(toPythonJson(v)) + "\n").join("");
}
