import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createFaultyPlatform } from "../../src/platform/faulty.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf, openTestStore, runChild } from "./helpers.ts";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe("dedup", () => {
  it("the same content twice: one file, one row, both calls succeed, the row is kept", async () => {
    const store = await openTestStore();
    const data = bytesOf(200_000);
    const first = await store.vhs.put(data, { compress: true });
    const info = await store.vhs.info(first);
    const second = await store.vhs.put(data, { compress: false }); // other options: the first file and row stay
    expect(second).toBe(first);
    expect(filesUnder(store.blobRoot)).toEqual([blobFileOf(store, first)]);
    expect(readdirSync(join(store.root, "tmp"))).toEqual([]);
    expect(await store.vhs.stats()).toMatchObject({ count: 1 });
    const after = await store.vhs.info(first);
    expect(after).toMatchObject({ compression: "zlib", storedSize: info!.storedSize, createdAt: info!.createdAt });
    await store.close();
  });

  it("small content already stored: the put writes nothing (no temp file, no fsync), reads the blob and counts an access", async () => {
    const platform = createFaultyPlatform(createNodePlatform());
    const store = await openTestStore(join(tempDir(), ".tldrs"), platform);
    for (const data of ["a small tool output", bytesOf(1024 * 1024, 9)]) {
      const ref = await store.vhs.put(data);
      const before = (await store.vhs.info(ref))!.lastAccessed;
      await new Promise((resolve) => setTimeout(resolve, 5));
      platform.resetCount();
      const told: number[] = [];
      expect(await store.vhs.put(data, { onProgress: (n) => told.push(n) })).toBe(ref);
      const writes = platform.calls.filter((c) => ["create", "write", "fsync", "link", "syncDir", "rename", "unlink", "mkdir"].includes(c.op));
      expect(writes).toEqual([]);
      expect(platform.calls.some((c) => c.op === "open" && c.path === blobFileOf(store, ref))).toBe(true); // checked, not trusted
      expect(told).toEqual([typeof data === "string" ? new TextEncoder().encode(data).length : data.length]);
      expect((await store.vhs.info(ref))!.lastAccessed > before).toBe(true);
    }
    await store.close();
  });

  it("small content already stored, with an expect it does not hash to: refused, nothing changed", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("stored once");
    const other = await store.vhs.put("another");
    await expect(store.vhs.put("stored once", { expect: other })).rejects.toMatchObject({ code: "EINTEGRITY" });
    expect(await store.vhs.put("stored once", { expect: ref })).toBe(ref);
    expect(await store.vhs.stats()).toMatchObject({ count: 2 });
    expect(readdirSync(join(store.root, "tmp"))).toEqual([]);
    await store.close();
  });

  it("content over 1 MiB already stored takes the staged path (and stays one file)", async () => {
    const platform = createFaultyPlatform(createNodePlatform());
    const store = await openTestStore(join(tempDir(), ".tldrs"), platform);
    const data = bytesOf(1024 * 1024 + 1, 10);
    const ref = await store.vhs.put(data);
    platform.resetCount();
    expect(await store.vhs.put(data)).toBe(ref);
    expect(platform.calls.some((c) => c.op === "create" && c.path.startsWith(join(store.root, "tmp")))).toBe(true);
    expect(filesUnder(store.blobRoot)).toEqual([blobFileOf(store, ref)]);
    expect(readdirSync(join(store.root, "tmp"))).toEqual([]);
    await store.close();
  });

  it("concurrent puts of the same content in one process", async () => {
    const store = await openTestStore();
    const data = bytesOf(100_000, 5);
    const refs = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => store.vhs.put(data, { compress: i % 2 === 0 })));
    expect(new Set(refs).size).toBe(1);
    expect(filesUnder(store.blobRoot)).toHaveLength(1);
    expect(await store.vhs.stats()).toMatchObject({ count: 1 });
    expect(Buffer.compare(await store.vhs.get(refs[0]!), data)).toBe(0);
    await store.close();
  });

  it("4 processes putting the same content at once: one file, one row, all succeed", async () => {
    const root = join(tempDir(), ".tldrs");
    const body = `
      const [root, seed, mode] = process.argv.slice(2);
      const store = await TLDRS.openStore({ root });
      const data = new Uint8Array(3 * 1024 * 1024);
      let x = Number(seed);
      for (let i = 0; i < data.length; i++) { x = (x * 1103515245 + 12345) >>> 0; data[i] = (x >>> 24) & 0x3f; }
      const refs = [];
      for (let i = 0; i < 5; i++) refs.push(await store.vhs.put(data, mode === "raw" ? { compress: false } : {}));
      await store.close();
      console.log(JSON.stringify(refs));
    `;
    const results = await Promise.all(["raw", "zlib", "raw", "zlib"].map((mode) => runChild<string[]>(body, [root, "77", mode])));
    const refs = new Set(results.flat());
    expect(refs.size).toBe(1);
    const [ref] = [...refs];
    const store = await openTestStore(root);
    expect(filesUnder(store.blobRoot)).toEqual([blobFileOf(store, ref!)]);
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    expect(await store.vhs.stats()).toMatchObject({ count: 1 });
    const verify = await store.vhs.verify();
    expect(verify).toMatchObject({ checked: 1, ok: 1, corrupt: [], wrongSizes: [] });
    expect((await store.vhs.get(ref!)).length).toBe(3 * 1024 * 1024);
    await store.close();
  });
});
