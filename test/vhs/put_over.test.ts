// A put that meets a blob file already there, and a put that fails after placing its file
// (issue 13): a put that returns leaves readable bytes; a put that fails leaves nothing it placed.
import { sha256 as sha } from "../helpers/bytes.ts";
import { existsSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf, openTestStore } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";


describe("a put over an existing blob file", () => {
  const damages: Array<[string, (file: string, data: Uint8Array) => void]> = [
    ["other bytes of the same length", (file, data) => writeFileSync(file, bytesOf(data.length, 77))],
    ["a flipped byte", (file) => {
      const b = readFileSync(file);
      b[10]! ^= 1;
      writeFileSync(file, b);
    }],
    ["truncated", (file) => writeFileSync(file, readFileSync(file).subarray(0, 100))],
    ["empty", (file) => writeFileSync(file, "")],
    ["a zlib stream of other bytes", (file) => writeFileSync(file, deflateSync(bytesOf(5_000, 78)))],
  ];
  for (const compress of [false, true]) {
    for (const [name, damage] of damages) {
      it(`${compress ? "zlib" : "raw"}, ${name}: replaced, and the put's bytes read back`, async () => {
        const store = await openTestStore();
        const data = bytesOf(20_000, 5);
        const ref = await store.vhs.put(data, { compress });
        const file = blobFileOf(store, ref);
        damage(file, data);
        await expect(store.vhs.get(ref)).rejects.toMatchObject({ code: "EINTEGRITY" });
        expect(await store.vhs.put(data, { compress: !compress })).toBe(ref);
        expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
        expect(await store.vhs.verify()).toMatchObject({ corrupt: [], wrongSizes: [], ok: 1 });
        expect(readdirSync(join(store.root, "tmp"))).toEqual([]);
        await store.close();
      });
    }
  }

  it("a valid file (another encoding of the same bytes) is kept as it is, with its row", async () => {
    const store = await openTestStore();
    const data = bytesOf(20_000, 6);
    const ref = await store.vhs.put(data, { compress: true });
    const file = blobFileOf(store, ref);
    const before = readFileSync(file);
    expect(await store.vhs.put(data, { compress: false })).toBe(ref);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(await store.vhs.info(ref)).toMatchObject({ compression: "zlib", storedSize: before.length });
    await store.close();
  });

  it("a valid file without a row gets the row of what is on disk", async () => {
    const store = await openTestStore();
    const data = bytesOf(20_000, 7);
    const ref = await store.vhs.put(data, { compress: true });
    await stateDbOf(store).write((d) => d.run("DELETE FROM objects"));
    expect(await store.vhs.put(data, { compress: false })).toBe(ref);
    expect(await store.vhs.info(ref)).toMatchObject({ compression: "zlib", size: data.length, storedSize: readFileSync(blobFileOf(store, ref)).length });
    await store.close();
  });

  it("a symlink at the blob's name is replaced by the blob, never followed", async () => {
    const store = await openTestStore();
    const data = bytesOf(3_000, 8);
    const ref = await store.vhs.put(data);
    const file = blobFileOf(store, ref);
    const victim = join(tempDir(), "victim.txt");
    writeFileSync(victim, "precious");
    unlinkSync(file);
    symlinkSync(victim, file);
    expect(await store.vhs.put(data)).toBe(ref);
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    await store.close();
  });
});

/**
 * The row write is made to fail by a `-wal` beside the file: the sql.js engine refuses to write
 * while a native connection may be live (after waiting up to the lock timeout, short here). The
 * native engine writes beside one, so these tests are about sql.js.
 */
const SQLJS_REFUSING = { engine: "sqljs", lock: { timeoutMs: 300 } } as const;

describe("a put whose row cannot be written", () => {
  it("takes back the blob file it placed: no file, no temp file, nothing for doctor", async () => {
    const store = await openTestStore(undefined, undefined, SQLJS_REFUSING);
    await store.vhs.put("first");
    writeFileSync(`${store.dbPath}-wal`, ""); // a native connection: writes refused, reads allowed
    const data = bytesOf(10_000, 9);
    await expect(store.vhs.put(data)).rejects.toMatchObject({ code: "EFOREIGNWAL" });
    const h = sha(data);
    expect(existsSync(join(store.blobRoot, h.slice(0, 2), h.slice(2, 4), h))).toBe(false);
    expect(readdirSync(join(store.root, "tmp"))).toEqual([]);
    unlinkSync(`${store.dbPath}-wal`);
    expect(await store.vhs.verify()).toMatchObject({ orphans: [], checked: 1, ok: 1 });
    await store.close();
  });

  it("keeps the file when a row names it (a row whose file was missing: the put healed it)", async () => {
    const store = await openTestStore(undefined, undefined, SQLJS_REFUSING);
    const data = bytesOf(10_000, 10);
    const ref = await store.vhs.put(data);
    unlinkSync(blobFileOf(store, ref)); // the row stays, its file is gone
    writeFileSync(`${store.dbPath}-wal`, "");
    await expect(store.vhs.put(data)).rejects.toMatchObject({ code: "EFOREIGNWAL" });
    expect(existsSync(blobFileOf(store, ref))).toBe(true);
    expect(readdirSync(join(store.root, "tmp"))).toEqual([]);
    unlinkSync(`${store.dbPath}-wal`);
    expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    await store.close();
  });

  it("keeps the file when the read after the failure fails too (it cannot know who relies on it)", async () => {
    const store = await openTestStore(undefined, undefined, SQLJS_REFUSING);
    await store.vhs.put("first");
    writeFileSync(`${store.dbPath}-wal`, "x"); // not empty: reads refused as well
    const data = bytesOf(10_000, 11);
    await expect(store.vhs.put(data)).rejects.toMatchObject({ code: "EFOREIGNWAL" });
    const h = sha(data);
    expect(existsSync(join(store.blobRoot, h.slice(0, 2), h.slice(2, 4), h))).toBe(true); // a blob without its row: adopted later
    expect(readdirSync(join(store.root, "tmp"))).toEqual([]);
    unlinkSync(`${store.dbPath}-wal`);
    expect(Buffer.compare(await store.vhs.get(`vhs://${h}`), data)).toBe(0);
    await store.close();
  });
});

describe("two puts of the same content, one of them failing after it placed the file", () => {
  it("the failing put finds the other's row and puts the file back", async () => {
    const root = join(tempDir(), ".tldrs");
    const base = createNodePlatform();
    const data = bytesOf(10_000, 12);
    const ref = `vhs://${sha(data)}`;
    const b = await openTestStore(root, undefined, SQLJS_REFUSING); // a native b would keep a real -wal, which the planted one would clobber
    await b.vhs.put("warm up"); // the store and its folders exist
    let raced = false;
    // A: right after placing its file (the folder fsync), B puts the same content and returns;
    // then a native connection appears, and A's row write is refused.
    const platformA = {
      ...base,
      async syncDir(path: string) {
        await base.syncDir(path);
        if (!raced && path.includes("/blobs/")) {
          raced = true;
          expect(await b.vhs.put(data)).toBe(ref);
          writeFileSync(`${root}/tldrs_state.db-wal`, "");
        }
      },
    };
    const a = await openTestStore(root, platformA, SQLJS_REFUSING);
    await expect(a.vhs.put(data)).rejects.toMatchObject({ code: "EFOREIGNWAL" });
    expect(raced).toBe(true);
    unlinkSync(`${root}/tldrs_state.db-wal`);
    expect(Buffer.compare(await b.vhs.get(ref), data)).toBe(0); // B's acknowledged put is whole
    await a.close();
    await b.close();
  });

  // The stat of the blob's name after the row step is where the file is taken away (another
  // put taking back its file, or a gc), and the put must notice: the first stat on the path that
  // looks small stored content up before staging (put_stored.ts), the second on the staged path.
  for (const [size, vanishAt, path] of [[10_000, 1, "looked up"], [1024 * 1024 + 1, 2, "staged"]] as const) {
    it(`a put that relied on a file which then vanished puts its own back (${path})`, async () => {
      const root = join(tempDir(), ".tldrs");
      const base = createNodePlatform();
      const data = bytesOf(size, 13);
      const first = await openTestStore(root);
      const ref = await first.vhs.put(data);
      await first.close();
      const dest = blobFileOf(first, ref);
      let stats = 0;
      const platform = {
        ...base,
        async stat(path: string) {
          if (path === dest && ++stats === vanishAt) unlinkSync(dest);
          return base.stat(path);
        },
      };
      const store = await openTestStore(root, platform);
      expect(await store.vhs.put(data)).toBe(ref);
      expect(stats).toBe(vanishAt);
      expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
      expect(readdirSync(join(root, "tmp"))).toEqual([]);
      await store.close();
    });
  }
});
