import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
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
    // A device node is not renamed over (the CLI writes into devices; the library refuses them).
    await expect(store.vhs.getToFile(ref, "/dev/null")).rejects.toMatchObject({ code: "EIO", message: expect.stringContaining("character device") });
    expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);
    expect(readdirSync(join(dest, ".."))).toEqual(["out.txt"]); // no temp file left beside it
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
