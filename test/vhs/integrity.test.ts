import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDeflate, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf, openTestStore, readAll } from "./helpers.ts";
import type { Store } from "../../src/store.ts";

async function expectIntegrityEverywhere(store: Store, ref: string, file: string): Promise<void> {
  const matches = { code: "EINTEGRITY", ref, path: file };
  await expect(store.vhs.get(ref)).rejects.toMatchObject(matches);
  await expect(store.vhs.getText(ref)).rejects.toMatchObject(matches);
  // getStream: either refused at open or the stream errors; it never closes normally.
  let streamError: unknown;
  try {
    await readAll(await store.vhs.getStream(ref));
  } catch (err) {
    streamError = err;
  }
  expect(streamError).toMatchObject(matches);
  // getInto: rejects, whatever it passed on before the damage was found.
  await expect(store.vhs.getInto(ref, async () => undefined)).rejects.toMatchObject(matches);
  const outDir = tempDir();
  const out = join(outDir, "out.bin");
  await expect(store.vhs.getToFile(ref, out)).rejects.toMatchObject(matches);
  expect(readdirSync(outDir)).toEqual([]); // no file, no temp left behind
  const error = await store.vhs.get(ref).catch((e: Error) => e);
  expect((error as Error).message).toContain(ref);
  expect((error as Error).message).toContain(file);
}

describe("verified reads", () => {
  for (const compress of [false, true]) {
    it(`a flipped byte in a ${compress ? "zlib" : "raw"} blob file gives an integrity error and no bytes`, async () => {
      const store = await openTestStore();
      const data = bytesOf(300_000, 11);
      const ref = await store.vhs.put(data, { compress });
      const file = blobFileOf(store, ref);
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      rmSync(file);
      writeFileSync(file, bytes);
      await expectIntegrityEverywhere(store, ref, file);
      await store.close();
    });
  }

  it("a truncated file is an integrity error", async () => {
    const store = await openTestStore();
    for (const compress of [false, true]) {
      const ref = await store.vhs.put(bytesOf(100_000, compress ? 2 : 3), { compress });
      const file = blobFileOf(store, ref);
      const bytes = readFileSync(file);
      rmSync(file);
      writeFileSync(file, bytes.subarray(0, bytes.length - 100));
      await expectIntegrityEverywhere(store, ref, file);
    }
    await store.close();
  });

  it("a flipped byte at the end of a getToFile target overwrites nothing", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put(bytesOf(10_000), { compress: false });
    const file = blobFileOf(store, ref);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 0xff;
    rmSync(file);
    writeFileSync(file, bytes);
    const out = join(tempDir(), "existing.txt");
    writeFileSync(out, "keep me");
    await expect(store.vhs.getToFile(ref, out)).rejects.toMatchObject({ code: "EINTEGRITY" });
    expect(readFileSync(out, "utf8")).toBe("keep me");
    await store.close();
  });

  it("decompression stops past the recorded size (zip bomb)", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("tiny", { compress: true });
    const file = blobFileOf(store, ref);
    // 1 GiB of zeros deflates to ~1 MB; the row says 4 bytes.
    const bomb = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      const z = createDeflate({ level: 9 });
      z.on("data", (d: Buffer) => parts.push(d));
      z.on("end", () => resolve(Buffer.concat(parts)));
      z.on("error", reject);
      const zero = Buffer.alloc(1 << 20);
      let i = 0;
      const write = () => {
        while (i < 1024) {
          i++;
          if (!z.write(zero)) return void z.once("drain", write);
        }
        z.end();
      };
      write();
    });
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    rmSync(file);
    writeFileSync(file, bomb);
    const before = process.memoryUsage().rss;
    await expect(store.vhs.get(ref)).rejects.toMatchObject({ code: "EINTEGRITY", message: expect.stringContaining("more than the recorded 4 bytes") });
    await expect(readAll(await store.vhs.getStream(ref))).rejects.toMatchObject({ code: "EINTEGRITY" });
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    await store.close();
  });

  it("a symlink planted at a blob's name is never followed", async () => {
    const store = await openTestStore();
    const data = bytesOf(5000, 4);
    const ref = await store.vhs.put(data, { compress: false });
    const file = blobFileOf(store, ref);
    const elsewhere = join(tempDir(), "target");
    writeFileSync(elsewhere, data);
    rmSync(file);
    symlinkSync(elsewhere, file);
    await expect(store.vhs.get(ref)).rejects.toMatchObject({ code: "EINTEGRITY", message: expect.stringContaining("symbolic link") });
    expect(await store.vhs.has(ref)).toBe(false);
    // A put of the same content replaces the link itself, not its target.
    expect(await store.vhs.put(data, { compress: true })).toBe(ref);
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    expect(Buffer.compare(readFileSync(elsewhere), data)).toBe(0);
    expect((await store.vhs.info(ref))!.compression).toBe("zlib");
    await store.close();
  });

  it("a row whose compression is wrong (a racing put with os.replace) still reads right", async () => {
    const store = await openTestStore();
    const data = bytesOf(200_000, 8);
    const ref = await store.vhs.put(data, { compress: false });
    const file = blobFileOf(store, ref);
    rmSync(file);
    writeFileSync(file, deflateSync(data, { level: 6 })); // file zlib, row says ''
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    const verify = await store.vhs.verify({ repair: true });
    expect(verify.wrongSizes).toEqual([ref.slice(6)]);
    expect((await store.vhs.info(ref))!.compression).toBe("zlib");
    expect(existsSync(file)).toBe(true);
    await store.close();
  });
});

describe("getInto", () => {
  it("a write that fails rejects with its own error, and the store reads on", async () => {
    const store = await openTestStore();
    const data = bytesOf(5 * 1024 * 1024 + 3, 21);
    const ref = await store.vhs.put(data);
    const broken = Object.assign(new Error("EPIPE: broken pipe, write"), { code: "EPIPE" });
    let calls = 0;
    await expect(
      store.vhs.getInto(ref, async () => {
        if (++calls === 2) throw broken;
      }),
    ).rejects.toBe(broken);
    expect(calls).toBe(2); // nothing more after the failure
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    await expect(store.vhs.getInto(`vhs://${"0".repeat(64)}`, async () => undefined)).rejects.toMatchObject({ code: "ENOTFOUND" });
    await store.close();
  });

  it("a flipped byte late in a big raw blob passes the bytes before it, then rejects", async () => {
    const store = await openTestStore();
    const data = bytesOf(4 * 1024 * 1024, 22);
    const ref = await store.vhs.put(data);
    const file = blobFileOf(store, ref);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10]! ^= 0x01;
    rmSync(file);
    writeFileSync(file, bytes);
    let passed = 0;
    await expect(store.vhs.getInto(ref, async (chunk) => void (passed += chunk.length))).rejects.toMatchObject({ code: "EINTEGRITY", ref });
    expect(passed).toBe(data.length); // every byte went out; the digest, checked at the end, failed
    await store.close();
  });
});
