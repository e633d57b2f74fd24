import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { sha256 } from "../helpers/bytes.ts";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf, chunksOf, openTestStore, readAll, streamOf } from "./helpers.ts";

const SIZES = [0, 1, 65_535, 65_536, 5 * 1024 * 1024];
const MODES: Array<[string, { compress?: boolean; compressMinBytes?: number }]> = [
  ["the default (no compression, as the Python store)", {}],
  ["compressMinBytes: 65536", { compressMinBytes: 65_536 }],
  ["compress: true", { compress: true }],
  ["compress: false", { compress: false }],
];

/** zlib if asked for (by flag or threshold) and smaller than the bytes: what does not shrink stays raw. */
function expectedCompression(data: Uint8Array, opts: { compress?: boolean; compressMinBytes?: number }): string {
  const asked = opts.compress ?? (opts.compressMinBytes !== undefined && data.length >= opts.compressMinBytes);
  return asked && deflateSync(data).length < data.length ? "zlib" : "";
}


describe("round trips", () => {
  for (const [modeName, opts] of MODES) {
    it(`sizes 0, 1, 65535, 65536, 5 MB with ${modeName}, from bytes and from streams`, async () => {
      const store = await openTestStore();
      for (const size of SIZES) {
        const data = bytesOf(size, size + 7);
        const ref = await store.vhs.put(data, opts);
        expect(ref).toBe(`vhs://${sha256(data)}`);
        // The same content from a stream in odd chunks, and from an async iterable: same ref.
        expect(await store.vhs.put(streamOf(data, 7_777), opts)).toBe(ref);
        expect(await store.vhs.put(chunksOf(data, 65_537), opts)).toBe(ref);

        const info = await store.vhs.info(ref);
        expect(info).toMatchObject({ hash: sha256(data), size, compression: expectedCompression(data, opts) });
        const file = readFileSync(blobFileOf(store, ref));
        expect(info!.storedSize).toBe(file.length);
        // What is on disk is either the raw bytes or an RFC 1950 zlib stream of them (what Python's zlib reads).
        expect(Buffer.compare(info!.compression === "zlib" ? inflateSync(file) : file, Buffer.from(data))).toBe(0);

        expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
        expect(Buffer.compare(await readAll(await store.vhs.getStream(ref)), data)).toBe(0);
        const out = join(tempDir(), "out.bin");
        await store.vhs.getToFile(ref, out);
        expect(Buffer.compare(readFileSync(out), data)).toBe(0);
        const parts: Buffer[] = [];
        await store.vhs.getInto(ref, async (chunk) => void parts.push(Buffer.from(chunk))); // copied: the buffer is reused
        expect(Buffer.compare(Buffer.concat(parts), data)).toBe(0);
      }
      expect((await store.vhs.stats()).count).toBe(SIZES.length);
      await store.close();
    });
  }

  it("strings round-trip through getText, BOM and non-ASCII included", async () => {
    const store = await openTestStore();
    for (const text of ["", "hello", "\ufeffwith BOM", "caf\u00e9 \u{1f600} \u4e2d", "x".repeat(70_000)]) {
      const ref = await store.vhs.put(text);
      expect(await store.vhs.getText(ref)).toBe(text);
      expect(ref).toBe(`vhs://${sha256(new TextEncoder().encode(text))}`);
    }
    await store.close();
  });

  it("a stream is compressed once its length reaches compressMinBytes", async () => {
    const store = await openTestStore();
    const under = bytesOf(1000, 1);
    const at = bytesOf(2000, 2);
    const refUnder = await store.vhs.put(chunksOf(under, 100), { compressMinBytes: 2000 });
    const refAt = await store.vhs.put(chunksOf(at, 100), { compressMinBytes: 2000 });
    expect((await store.vhs.info(refUnder))!.compression).toBe("");
    expect((await store.vhs.info(refAt))!.compression).toBe("zlib");
    expect(Buffer.compare(await store.vhs.get(refAt), at)).toBe(0);
    await store.close();
  });

  it("a threshold of 5 MB: one byte under stays raw, over it is compressed", async () => {
    const store = await openTestStore();
    const min = 5 * 1024 * 1024;
    const small = bytesOf(min - 1, 3);
    const big = bytesOf(min + 100, 4);
    const refSmall = await store.vhs.put(chunksOf(small, 1 << 16), { compressMinBytes: min });
    const refBig = await store.vhs.put(chunksOf(big, 1 << 16), { compressMinBytes: min });
    expect((await store.vhs.info(refSmall))!.compression).toBe("");
    expect((await store.vhs.info(refBig))!.compression).toBe("zlib");
    expect(Buffer.compare(await store.vhs.get(refBig), big)).toBe(0);
    expect(Buffer.compare(await store.vhs.get(refSmall), small)).toBe(0);
    await store.close();
  });

  it("a producer that reuses one buffer for every chunk is stored correctly", async () => {
    const store = await openTestStore();
    const expected = new Uint8Array(10 * 4096);
    const buffer = new Uint8Array(4096);
    async function* reuse() {
      for (let i = 0; i < 10; i++) {
        buffer.fill(i + 1);
        expected.fill(i + 1, i * 4096, (i + 1) * 4096);
        yield buffer;
      }
    }
    for (const compressMinBytes of [1 << 20, 8192]) {
      const ref = await store.vhs.put(reuse(), { compressMinBytes });
      expect(Buffer.compare(await store.vhs.get(ref), expected)).toBe(0);
    }
    await store.close();
  });

  it("putFile stores a file's content", async () => {
    const store = await openTestStore();
    const file = join(tempDir(), "in.bin");
    const data = bytesOf(300_000, 9);
    (await import("node:fs")).writeFileSync(file, data);
    const ref = await store.vhs.putFile(file);
    expect(ref).toBe(`vhs://${sha256(data)}`);
    expect((await store.vhs.info(ref))!.compression).toBe(""); // raw by default, as the Python store
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    await store.vhs.delete(ref);
    expect(await store.vhs.putFile(file, { compress: true })).toBe(ref);
    expect((await store.vhs.info(ref))!.compression).toBe("zlib");
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    await expect(store.vhs.putFile(join(tempDir(), "missing"))).rejects.toMatchObject({ code: "EIO" });
    await store.close();
  });

  it("files are 0644 and folders 0755 under the umask", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put(bytesOf(100_000));
    const umask = process.umask();
    const file = blobFileOf(store, ref);
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~umask);
    for (const dir of [join(file, ".."), join(file, "../.."), store.blobRoot, join(store.root, "tmp")]) {
      expect(statSync(dir).mode & 0o777).toBe(0o755 & ~umask);
    }
    await store.close();
  });

  it("list is most recently accessed first, and stats add up", async () => {
    const store = await openTestStore();
    const refs = [];
    for (let i = 0; i < 5; i++) refs.push(await store.vhs.put(`blob ${i}`));
    await store.vhs.get(refs[1]!);
    const listed = await store.vhs.list({ limit: 3 });
    expect(listed.map((b) => `vhs://${b.hash}`)).toEqual([refs[1], refs[4], refs[3]]);
    expect(await store.vhs.list({ limit: 0 })).toEqual([]);
    expect(await store.vhs.stats()).toEqual({ count: 5, totalBytes: 30, totalStoredBytes: 30 });
    expect(await store.vhs.delete(refs[0]!)).toBe(true);
    expect(await store.vhs.delete(refs[0]!)).toBe(false);
    await expect(store.vhs.get(refs[0]!)).rejects.toMatchObject({ code: "ENOTFOUND" });
    expect(await store.vhs.has(refs[0]!)).toBe(false);
    expect(await store.vhs.info(refs[0]!)).toBeNull();
    await store.close();
  });
});

describe("getToFile into a folder that does not exist", () => {
  it("fails with EIO naming the folder and creates nothing", async () => {
    const { existsSync } = await import("node:fs");
    const store = await openTestStore();
    const ref = await store.vhs.put("some bytes");
    const dir = tempDir();
    const out = join(dir, "missing", "out.bin");
    await expect(store.vhs.getToFile(ref, out)).rejects.toMatchObject({ code: "EIO", message: expect.stringContaining("does not exist") });
    expect(existsSync(join(dir, "missing"))).toBe(false);
    await store.close();
  });
});
