/**
 * A 100 MB stream in and out with flat memory, measured in a child process on the built
 * package: peak resident memory (getrusage maxRSS) minus the resident memory before.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { runChild } from "./helpers.ts";

const LIMIT = 64 * 1024 * 1024;

const BODY = `
  const { createHash } = await import("node:crypto");
  const [root, compress] = process.argv.slice(2);
  const store = await TLDRS.openStore({ root });
  await store.vhs.get(await store.vhs.put("warm up the engine and the folders"));
  const TOTAL = 100 * 1024 * 1024;
  // 1 MiB chunks made on the fly: 6 bits of entropy a byte, so zlib has real work (about 3:4).
  async function* source(expected) {
    let x = 12345;
    for (let at = 0; at < TOTAL; at += 1 << 20) {
      const chunk = new Uint8Array(1 << 20);
      for (let i = 0; i < chunk.length; i++) { x = (x * 1103515245 + 12345) >>> 0; chunk[i] = (x >>> 24) & 0x3f; }
      expected.update(chunk);
      yield chunk;
    }
  }
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const expected = createHash("sha256");
  const ref = await store.vhs.put(source(expected), { compress: compress === "zlib" });
  const putPeak = process.resourceUsage().maxRSS * 1024;
  const got = createHash("sha256");
  let size = 0;
  const reader = (await store.vhs.getStream(ref)).getReader();
  for (;;) { const { value, done } = await reader.read(); if (done) break; got.update(value); size += value.length; }
  const getPeak = process.resourceUsage().maxRSS * 1024;
  const info = await store.vhs.info(ref);
  await store.close();
  console.log(JSON.stringify({ ref, expected: expected.digest("hex"), got: got.digest("hex"), size, before, putPeak, getPeak, compression: info.compression }));
`;

describe("flat memory", () => {
  for (const mode of ["raw", "zlib"]) {
    it(`a 100 MB stream put and get (${mode}): resident memory grows by less than 64 MB`, async () => {
      const root = join(tempDir(), ".tldrs");
      const r = await runChild<{ ref: string; expected: string; got: string; size: number; before: number; putPeak: number; getPeak: number; compression: string }>(BODY, [root, mode]);
      expect(r.ref).toBe(`vhs://${r.expected}`);
      expect(r.got).toBe(r.expected);
      expect(r.size).toBe(100 * 1024 * 1024);
      expect(r.compression).toBe(mode === "zlib" ? "zlib" : "");
      expect(r.putPeak - r.before).toBeLessThan(LIMIT);
      expect(r.getPeak - r.before).toBeLessThan(LIMIT);
      console.log(`${mode}: put +${((r.putPeak - r.before) / 2 ** 20).toFixed(1)} MiB, get +${((r.getPeak - r.before) / 2 ** 20).toFixed(1)} MiB`);
    });
  }
});

const FILE_BODY = `
  const { createHash } = await import("node:crypto");
  const { closeSync, openSync, readFileSync, writeSync } = await import("node:fs");
  const [root, input, output] = process.argv.slice(2);
  const TOTAL = 256 * 1024 * 1024;
  const expected = createHash("sha256");
  const fd = openSync(input, "w");
  const chunk = new Uint8Array(1 << 20);
  for (let at = 0; at < TOTAL; at += chunk.length) {
    for (let i = 0; i < chunk.length; i += 4096) chunk[i] = (at / 4096 + i) & 0xff;
    expected.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const store = await TLDRS.openStore({ root });
  await store.vhs.get(await store.vhs.put("warm up the engine and the folders"));
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const ref = await store.vhs.putFile(input);
  const putPeak = process.resourceUsage().maxRSS * 1024;
  await store.vhs.getToFile(ref, output);
  const getPeak = process.resourceUsage().maxRSS * 1024;
  const got = createHash("sha256");
  let size = 0;
  await store.vhs.getInto(ref, async (c) => { got.update(c); size += c.length; });
  const intoPeak = process.resourceUsage().maxRSS * 1024;
  const out = createHash("sha256");
  const fdOut = openSync(output, "r");
  const buf = new Uint8Array(1 << 20);
  for (let n; (n = (await import("node:fs")).readSync(fdOut, buf, 0, buf.length, null)) > 0; ) out.update(buf.subarray(0, n));
  closeSync(fdOut);
  await store.close();
  console.log(JSON.stringify({ ref, expected: expected.digest("hex"), got: got.digest("hex"), out: out.digest("hex"), size, before, putPeak, getPeak, intoPeak }));
`;

describe("flat memory for big files", () => {
  it("a 256 MiB file through putFile, getToFile and getInto: resident memory grows by less than 64 MB", async () => {
    const dir = tempDir();
    const r = await runChild<{ ref: string; expected: string; got: string; out: string; size: number; before: number; putPeak: number; getPeak: number; intoPeak: number }>(FILE_BODY, [join(dir, ".tldrs"), join(dir, "in.bin"), join(dir, "out.bin")]);
    expect(r.ref).toBe(`vhs://${r.expected}`);
    expect(r.got).toBe(r.expected);
    expect(r.out).toBe(r.expected);
    expect(r.size).toBe(256 * 1024 * 1024);
    for (const peak of [r.putPeak, r.getPeak, r.intoPeak]) expect(peak - r.before).toBeLessThan(LIMIT);
    const mib = (n: number) => ((n - r.before) / 2 ** 20).toFixed(1);
    console.log(`256 MiB file: putFile +${mib(r.putPeak)} MiB, getToFile +${mib(r.getPeak)} MiB, getInto +${mib(r.intoPeak)} MiB`);
  });
});
