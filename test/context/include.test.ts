// --include within the limits (issue 16): `context E --include <100 MB binary> --max-bytes 5000`
// printed 190 MB of U+FFFD and used 885 MB of memory. Text now counts against the limits and
// is cut at a line with the rest listed; a binary blob is one summary line.
import { randomBytes } from "node:crypto";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { guessType } from "../../src/context/include.ts";
import { fits, utf8Length } from "../../src/context/size.ts";
import { openStoreWith } from "../../src/store.ts";
import { runWithPeakRss } from "../helpers/peak_rss.ts";
import { context, contextJson, platform, project } from "./helpers.ts";

const APP = { "app.py": "def main():\n    return helper(1)\n\n\ndef helper(x):\n    return x\n" };

async function put(dir: string, data: string | Uint8Array): Promise<string> {
  const store = await openStoreWith(platform, { project: dir });
  try {
    return await store.vhs.put(data);
  } finally {
    await store.close();
  }
}

const LOG = Array.from({ length: 400 }, (_, i) => `line ${i} of the build log ${"=".repeat(i % 50)}`).join("\n") + "\n";

describe("--include within the limits", () => {
  it("text counts against the limits: its first lines, then the rest listed with its cost", async () => {
    const dir = project(APP);
    const ref = await put(dir, LOG);
    for (const limits of [{ maxLines: 60 }, { maxBytes: 3000 }, { budget: 700 }]) {
      const { stdout, warnings } = await context(dir, "main", { ...limits, include: [ref] });
      expect(warnings, JSON.stringify(limits)).toEqual([]);
      expect(fits(stdout, { budget: 6000, ...limits }), JSON.stringify(limits)).toBe(true);
      expect(stdout).toContain("## app.py:main");
      expect(stdout).toMatch(new RegExp(`# Included ${ref} \\(first \\d+ of ${Buffer.byteLength(LOG)} bytes; the rest is cut\\)\\nline 0 of the build log \\n`));
      expect(stdout).toMatch(new RegExp(`^# ${ref}: the rest \\d+`, "m"));
      // whole lines only
      const shown = stdout.slice(stdout.indexOf("\nline 0 ") + 1, stdout.indexOf("\n# Cut to fit"));
      expect(LOG.startsWith(shown)).toBe(true);
    }
    const roomy = await context(dir, "main", { include: [ref], budget: 0 });
    expect(roomy.stdout).toContain(`# Included ${ref}\n${LOG}`);
    const doc = await contextJson(dir, "main", { include: [ref], maxBytes: 4000 });
    expect(doc.includes![0]).toMatchObject({ ref, truncated: true, size: Buffer.byteLength(LOG) });
    expect(LOG.startsWith(doc.includes![0]!.text!)).toBe(true);
    expect(doc.cut).toContainEqual(expect.objectContaining({ id: ref, cut: "include" }));
  });

  it("the entry comes first, then the include, then callees", async () => {
    const dir = project({ "app.py": 'def main():\n    return helper(1)\n\n\ndef helper(x):\n    """Help."""\n    return x\n' });
    const ref = await put(dir, "note\n".repeat(10));
    const { stdout } = await context(dir, "main", { include: [ref], maxLines: 21 });
    expect(stdout).toContain(`# Included ${ref}\n${"note\n".repeat(10)}`);
    expect(stdout).toContain("def main():\n");
    expect(stdout).not.toContain("## app.py:helper");
    expect(stdout).toMatch(/^# app\.py: helper \d+\/4$/m);
  });

  it("a binary blob (NUL bytes, or not UTF-8) is one line: size, type, how to get it; never U+FFFD", async () => {
    const dir = project(APP);
    const cases: Array<[Uint8Array, string]> = [
      [gzipSync(Buffer.from(LOG)), "gzip data"],
      [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), "PNG image"],
      [new TextEncoder().encode("text with a \u0000 NUL"), "binary data"],
      [new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]), "binary data"], // "caf\xe9": Latin-1, not UTF-8
      [randomBytes(300_000), "binary data"],
    ];
    for (const [bytes, type] of cases) {
      const ref = await put(dir, bytes);
      const { stdout } = await context(dir, "main", { include: [ref] });
      expect(stdout).toContain(`# Included ${ref}: binary, ${bytes.length} bytes (${type}); not shown: tldrs vhs get ${ref} --out FILE\n`);
      expect(stdout).not.toContain("\ufffd");
      const doc = await contextJson(dir, "main", { include: [ref] });
      expect(doc.includes).toEqual([{ ref, binary: true, size: bytes.length, type }]);
    }
  });

  it("UTF-8 text cut inside a character is cut before it", async () => {
    const dir = project(APP);
    const ref = await put(dir, "\u00e9\u4e2d\ud83d\ude00".repeat(2000));
    const { stdout } = await context(dir, "main", { include: [ref], maxBytes: 1500 });
    expect(stdout).not.toContain("\ufffd");
    expect(utf8Length(stdout)).toBeLessThanOrEqual(1500);
  });

  it("magic numbers", () => {
    expect(guessType(new TextEncoder().encode("SQLite format 3\u0000"))).toBe("SQLite database");
    expect(guessType(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2]))).toBe("ELF executable");
    expect(guessType(new Uint8Array([0x00, 0x61, 0x73, 0x6d]))).toBe("WebAssembly module");
    expect(guessType(new Uint8Array([1, 2, 3]))).toBe("binary data");
  });
});

describe("--include of a 256 MiB blob (the built binary)", () => {
  it("binary or text, --max-bytes 5000 prints at most 5000 bytes and never holds the blob", async () => {
    const dir = project(APP);
    const size = 256 * 1024 * 1024;
    const line = Buffer.from("2026-01-01T00:00:00Z INFO request handled in 12 ms, status 200\n");
    const textChunk = Buffer.concat(Array.from({ length: Math.ceil(1048576 / line.length) }, () => line)).subarray(0, 1048576);
    for (const what of ["binary", "text"] as const) {
      // Written a MiB at a time (runWithPeakRss: the parent's memory counts).
      const file = join(dir, `${what}.blob`);
      const fd = openSync(file, "w");
      for (let at = 0; at < size; at += 1048576) writeSync(fd, what === "binary" ? randomBytes(1048576) : textChunk);
      closeSync(fd);
      const store = await openStoreWith(platform, { project: dir });
      const ref = await store.vhs.putFile(file, { compressMinBytes: Number.POSITIVE_INFINITY });
      await store.close();
      rmSync(file);
      const r = await runWithPeakRss(["context", "main", "--include", ref, "--max-bytes", "5000"], dir);
      expect(r.stderr, what).toBe("");
      expect(r.code, what).toBe(0);
      expect(Buffer.byteLength(r.stdout), what).toBeLessThanOrEqual(5000);
      expect(r.stdout, what).not.toContain("\ufffd");
      expect(r.stdout, what).toContain(what === "binary" ? `: binary, ${size} bytes` : "2026-01-01T00:00:00Z INFO");
      // Holding the blob would need more than 256 MiB (the old reader: 8 times that); the runtime,
      // the engine and a grammar need about 80.
      console.log(`peak RSS for --include of ${size / 1048576} MiB of ${what}: ${Math.round(r.maxRssMiB)} MiB`);
      expect(r.maxRssMiB, what).toBeGreaterThan(0);
      expect(r.maxRssMiB, what).toBeLessThan(200);
    }
  });
});
