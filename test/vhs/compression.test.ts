/**
 * Compression as the Python store does it (issue 15 item 2) and only where it helps (issue 16
 * item 6): nothing by default; `compress: true`, or `compressMinBytes` reached, compresses; a
 * blob that does not shrink is stored raw, its row saying compression '', and the Python store
 * reads it. Each case fails on the 0.1 code, which compressed everything from 64 KiB on and
 * kept what it compressed whatever its size.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf, chunksOf, openTestStore, PY_STANDIN, streamOf } from "./helpers.ts";

const hasPython = spawnSync("python3", ["-c", "import sqlite3, zlib"]).status === 0;

function pyGet(root: string, ref: string): Buffer {
  const r = spawnSync("python3", [PY_STANDIN, "--root", root, "get", ref], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python get failed: ${r.stderr}`);
  return r.stdout;
}

describe("compression", () => {
  it("is off by default, as in the Python store: 1 MB of compressible bytes is stored raw", async () => {
    const store = await openTestStore();
    const data = bytesOf(1024 * 1024, 11);
    for (const ref of [await store.vhs.put(data), await store.vhs.put(streamOf(data, 65_536))]) {
      expect(await store.vhs.info(ref)).toMatchObject({ size: data.length, storedSize: data.length, compression: "" });
      expect(Buffer.compare(readFileSync(blobFileOf(store, ref)), data)).toBe(0);
    }
    const file = join(tempDir(), "in.bin");
    writeFileSync(file, data);
    expect((await store.vhs.info(await store.vhs.putFile(file)))?.compression).toBe("");
    await store.close();
  });

  it("random bytes (1:1) asked to be compressed are stored raw: by flag, by threshold, from bytes, a stream and a file", async () => {
    const root = join(tempDir(), ".tldrs");
    const store = await openTestStore(root);
    const cases: Array<[string, Uint8Array, () => Promise<string>]> = [];
    const a = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
    const b = new Uint8Array(randomBytes(100_000));
    const c = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const file = join(tempDir(), "random.bin");
    writeFileSync(file, c);
    cases.push(["bytes, compress: true", a, () => store.vhs.put(a, { compress: true })]);
    cases.push(["stream, compressMinBytes reached", b, () => store.vhs.put(chunksOf(b, 4096), { compressMinBytes: 1000 })]);
    cases.push(["file, compress: true", c, () => store.vhs.putFile(file, { compress: true })]);
    const refs: Array<[string, Uint8Array]> = [];
    for (const [what, data, put] of cases) {
      const ref = await put();
      expect(await store.vhs.info(ref), what).toMatchObject({ size: data.length, storedSize: data.length, compression: "" });
      expect(Buffer.compare(readFileSync(blobFileOf(store, ref)), data), what).toBe(0);
      expect(Buffer.compare(await store.vhs.get(ref), data), what).toBe(0);
      refs.push([ref, data]);
    }
    // Both temp files (raw and compressed) are gone.
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    expect((await store.vhs.stats()).totalStoredBytes).toBe(a.length + b.length + c.length);
    await store.close();
    if (hasPython) for (const [ref, data] of refs) expect(Buffer.compare(pyGet(root, ref), data)).toBe(0);
  });

  it("an empty blob asked to be compressed is stored raw (zlib's 8 bytes would be more)", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put(new Uint8Array(0), { compress: true });
    expect(await store.vhs.info(ref)).toMatchObject({ size: 0, storedSize: 0, compression: "" });
    expect((await store.vhs.get(ref)).length).toBe(0);
    await store.close();
  });

  it("what shrinks is stored zlib when asked, and both sides read it", async () => {
    const root = join(tempDir(), ".tldrs");
    const store = await openTestStore(root);
    const data = bytesOf(500_000, 12);
    const ref = await store.vhs.put(streamOf(data, 10_000), { compress: true });
    const info = await store.vhs.info(ref);
    expect(info).toMatchObject({ size: data.length, compression: "zlib" });
    expect(info!.storedSize).toBeLessThan(data.length);
    expect(readFileSync(blobFileOf(store, ref))[0]).toBe(0x78); // an RFC 1950 stream
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    const small = bytesOf(1000, 13);
    expect((await store.vhs.info(await store.vhs.put(small, { compressMinBytes: 1001 })))?.compression).toBe("");
    expect((await store.vhs.info(await store.vhs.put(bytesOf(1001, 14), { compressMinBytes: 1001 })))?.compression).toBe("zlib");
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    await store.close();
    if (hasPython) expect(Buffer.compare(pyGet(root, ref), data)).toBe(0);
  });

  it("compress: false wins over compressMinBytes", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put(bytesOf(10_000, 15), { compress: false, compressMinBytes: 1 });
    expect((await store.vhs.info(ref))?.compression).toBe("");
    await store.close();
  });
});
