/**
 * Timestamps exactly as Python's `datetime.now(timezone.utc).isoformat()` writes them:
 * `2026-11-25T09:54:09.123456+00:00`. Both stores sort these strings and parse each
 * other's values, so the form is part of the on-disk contract.
 */

/** Formats epoch milliseconds (with fraction) as a Python-style UTC isoformat string. */
export function isoTimestamp(epochMs: number): string {
  // Round, not floor: epoch ms as a double is off by up to ~0.1 us (its ulp is 0.24 us
  // today), so floor turned 09.984741 into 09.984740 for 2 in 500 exact values (tested).
  const micros = Math.round(epochMs * 1000);
  const ms = Math.floor(micros / 1000);
  const frac = String(micros - ms * 1000).padStart(3, "0");
  // toISOString gives 2026-11-25T09:54:09.123Z; keep its seconds and milliseconds.
  return new Date(ms).toISOString().slice(0, 23) + frac + "+00:00";
}

/**
 * Parses what either store writes: with or without microseconds (Python omits them when
 * zero), with `+00:00`, `Z` or no zone (taken as UTC). Returns epoch ms, or NaN.
 */
export function parseTimestamp(value: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) return Number.NaN;
  const frac = (m[3] ?? "").padEnd(6, "0");
  const zone = m[4] === undefined || m[4] === "Z" ? "+00:00" : m[4];
  const base = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return base + Number(frac) / 1000;
}
