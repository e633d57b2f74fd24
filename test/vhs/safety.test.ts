import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { openTestStore } from "./helpers.ts";

describe("symlinks planted in the store", () => {
  it("refuses to upload through a tmp/ that is a symlink", async () => {
    const root = join(tempDir(), ".tldrs");
    const elsewhere = tempDir();
    mkdirSync(root);
    symlinkSync(elsewhere, join(root, "tmp"));
    const store = await openTestStore(root);
    await expect(store.vhs.put("x")).rejects.toMatchObject({ code: "EIO", message: expect.stringContaining("symbolic link") });
    expect(readdirSync(elsewhere)).toEqual([]);
    // gc does not sweep through it either.
    const victim = join(elsewhere, "upload-1-old");
    writeFileSync(victim, "not ours");
    const old = new Date(Date.now() - 5 * 3600_000);
    utimesSync(victim, old, old);
    expect((await store.vhs.gc({})).staleUploadsRemoved).toEqual([]);
    expect(existsSync(victim)).toBe(true);
    await store.close();
  });

  it("refuses to place a blob under a blobs/<aa> that is a symlink", async () => {
    const store = await openTestStore();
    const hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; // sha256("hello")
    const elsewhere = tempDir();
    mkdirSync(store.blobRoot, { recursive: true });
    symlinkSync(elsewhere, join(store.blobRoot, hash.slice(0, 2)));
    await expect(store.vhs.put("hello")).rejects.toMatchObject({ code: "EIO", message: expect.stringContaining("symbolic link") });
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(join(store.root, "tmp"))).toEqual([]); // the upload was cleaned up
    await store.close();
  });

  // One rule for every operation that reads, lists or deletes (issue 13: gc took the files of
  // a linked folder in as blobs and deleted them): a linked blob folder is refused.
  for (const level of ["blobs", "blobs/<aa>", "blobs/<aa>/<bb>"] as const) {
    it(`every verb refuses a ${level} that is a symlink; nothing outside is read or deleted`, async () => {
      const store = await openTestStore();
      const ref = await store.vhs.put("hello");
      const hash = ref.slice(6);
      const inside = { blobs: store.blobRoot, "blobs/<aa>": join(store.blobRoot, hash.slice(0, 2)), "blobs/<aa>/<bb>": join(store.blobRoot, hash.slice(0, 2), hash.slice(2, 4)) }[level];
      const outside = join(tempDir(), "moved");
      renameSync(inside, outside);
      symlinkSync(outside, inside);
      const before = readdirSync(outside, { recursive: true }).sort();
      const refused = { code: "EIO", message: expect.stringContaining(`"${inside}": it is a symbolic link`) };
      await expect(store.vhs.get(ref)).rejects.toMatchObject(refused);
      await expect(store.vhs.getStream(ref)).rejects.toMatchObject(refused);
      await expect(store.vhs.has(ref)).rejects.toMatchObject(refused);
      await expect(store.vhs.info(ref)).rejects.toMatchObject(refused);
      await expect(store.vhs.delete(ref)).rejects.toMatchObject(refused);
      await expect(store.vhs.gc({ maxAgeDays: 0 })).rejects.toMatchObject(refused);
      await expect(store.vhs.verify({ repair: true })).rejects.toMatchObject(refused);
      expect(readdirSync(outside, { recursive: true }).sort()).toEqual(before);
      expect(await store.vhs.stats()).toMatchObject({ count: 1 });
      await store.close();
    });
  }

  it("never follows a symlink planted under the next upload name", async () => {
    // A platform whose random names are known in advance: the first name drawn is taken by a symlink.
    const base = createNodePlatform();
    let draws = 0;
    const platform = { ...base, randomBytes: (n: number) => new Uint8Array(n).fill(draws++ === 0 ? 0 : draws) };
    const root = join(tempDir(), ".tldrs");
    const victim = join(tempDir(), "victim.txt");
    writeFileSync(victim, "precious");
    mkdirSync(join(root, "tmp"), { recursive: true });
    const planted = join(root, "tmp", `upload-${base.pid}-0000000000000000`);
    symlinkSync(victim, planted);
    const store = await openTestStore(root, platform);
    const ref = await store.vhs.put("payload");
    expect(await store.vhs.getText(ref)).toBe("payload");
    expect(readFileSync(victim, "utf8")).toBe("precious");
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    await store.close();
  });

  it("getToFile neither writes through nor replaces a symlink at the destination, nor renames over a device", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("content");
    const victim = join(tempDir(), "victim.txt");
    writeFileSync(victim, "precious");
    const dest = join(tempDir(), "out.txt");
    symlinkSync(victim, dest);
    await expect(store.vhs.getToFile(ref, dest)).rejects.toMatchObject({ code: "EIO", message: expect.stringContaining("symbolic link") });
    expect(lstatSync(dest).isSymbolicLink()).toBe(true);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    expect(readdirSync(join(dest, ".."))).toEqual(["out.txt"]); // no temp file left beside it
    // A device node is not renamed over (the CLI writes into devices; the library refuses them).
    // A null device of the test's own (mknod, root only), never the system's /dev/null.
    const dev = join(tempDir(), "null");
    if (spawnSync("mknod", [dev, "c", "1", "3"]).status === 0) {
      await expect(store.vhs.getToFile(ref, dev)).rejects.toMatchObject({ code: "EIO", message: expect.stringContaining("character device") });
      expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    }
    await store.close();
  });

  it("getToFile refuses any destination inside the store folder, also through a symlinked folder", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("content");
    const other = await store.vhs.put("other blob");
    const dbBefore = readFileSync(store.dbPath);
    const otherHash = other.slice(6);
    const otherPath = join(store.blobRoot, otherHash.slice(0, 2), otherHash.slice(2, 4), otherHash);
    const outside = tempDir();
    symlinkSync(store.root, join(outside, "store-link"));
    for (const dest of [store.dbPath, otherPath, join(store.root, "new.bin"), join(outside, "store-link", "tldrs_state.db"), join(store.blobRoot, "..", "x")]) {
      await expect(store.vhs.getToFile(ref, dest), dest).rejects.toMatchObject({ code: "EIO", message: expect.stringContaining("inside the store folder") });
    }
    expect(readFileSync(store.dbPath).equals(dbBefore)).toBe(true);
    expect(await store.vhs.getText(other)).toBe("other blob");
    expect(existsSync(join(store.root, "new.bin"))).toBe(false);
    await store.close();
  });
});
