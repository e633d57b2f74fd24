// Timestamps in the form of Python's datetime.now(timezone.utc).isoformat().
import { describe, expect, it } from "vitest";
import { isoTimestamp, parseTimestamp } from "../../src/engine/timestamp.ts";
import { hasPython, python } from "./helpers.ts";

const FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

/** Microseconds since the epoch, spread over 1970..2100, with some edge values. */
function sampleMicros(): number[] {
  const out = [1, 999_999, 1_000_000 - 1, 1_764_064_449_123_456, 4_102_444_799_999_999, 1_764_064_449_000_001];
  let x = 12345;
  for (let i = 0; i < 500; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const micros = Math.floor((x / 2 ** 31) * 4_102_444_800_000_000);
    out.push(micros % 1_000_000 === 0 ? micros + 7 : micros);
  }
  return out;
}

describe("isoTimestamp", () => {
  it("writes UTC with microseconds and +00:00", () => {
    expect(isoTimestamp(Date.UTC(2026, 10, 25, 9, 54, 9, 123) + 0.456)).toBe("2026-11-25T09:54:09.123456+00:00");
    expect(isoTimestamp(0)).toBe("1970-01-01T00:00:00.000000+00:00");
    expect(isoTimestamp(Date.now())).toMatch(FORM);
  });

  it.skipIf(!hasPython)("matches Python's isoformat() to the microsecond", () => {
    const micros = sampleMicros();
    const fromPython = JSON.parse(
      python(
        "import json,sys\nfrom datetime import datetime,timedelta,timezone\nE=datetime(1970,1,1,tzinfo=timezone.utc)\n" +
          "print(json.dumps([(E+timedelta(microseconds=int(m))).isoformat() for m in json.loads(sys.argv[1])]))",
        [JSON.stringify(micros)],
      ),
    ) as string[];
    const ours = micros.map((m) => isoTimestamp(m / 1000));
    expect(ours).toEqual(fromPython);
  });

  it("round-trips through parseTimestamp exactly", () => {
    for (const m of sampleMicros()) {
      const s = isoTimestamp(m / 1000);
      expect(isoTimestamp(parseTimestamp(s)), s).toBe(s);
    }
  });
});

describe("parseTimestamp", () => {
  it("reads Python's forms: with and without microseconds, +00:00, Z, no zone, space separator", () => {
    const base = Date.UTC(2026, 10, 25, 9, 54, 9);
    expect(parseTimestamp("2026-11-25T09:54:09+00:00")).toBe(base); // Python omits zero microseconds
    expect(parseTimestamp("2026-11-25T09:54:09.000000+00:00")).toBe(base);
    expect(parseTimestamp("2026-11-25T09:54:09.5+00:00")).toBe(base + 500);
    expect(parseTimestamp("2026-11-25T09:54:09.123456+00:00")).toBeCloseTo(base + 123.456, 6);
    expect(parseTimestamp("2026-11-25T09:54:09Z")).toBe(base);
    expect(parseTimestamp("2026-11-25 09:54:09")).toBe(base);
    expect(parseTimestamp("2026-11-25T10:54:09+01:00")).toBe(base);
    for (const bad of ["", "yesterday", "2026-11-25", "2026-11-25T09:54:09.1234567+00:00", "2026-11-25T09:54+00:00"]) {
      expect(parseTimestamp(bad), bad).toBeNaN();
    }
  });

  it.skipIf(!hasPython)("Python parses ours to the same instant, and both sort alike", () => {
    const ours = sampleMicros().map((m) => isoTimestamp(m / 1000));
    const back = JSON.parse(
      python(
        "import json,sys\nfrom datetime import datetime,timedelta,timezone\nE=datetime(1970,1,1,tzinfo=timezone.utc)\n" +
          "print(json.dumps([(datetime.fromisoformat(s)-E)//timedelta(microseconds=1) for s in json.loads(sys.argv[1])]))",
        [JSON.stringify(ours)],
      ),
    ) as number[];
    expect(back).toEqual(sampleMicros());
    const sortedByString = [...ours].sort();
    const sortedByTime = [...ours].sort((a, b) => parseTimestamp(a) - parseTimestamp(b));
    expect(sortedByString).toEqual(sortedByTime);
  });
});
