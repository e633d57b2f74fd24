import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
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

  it("getToFile replaces a symlink at the destination instead of writing through it", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("content");
    const victim = join(tempDir(), "victim.txt");
    writeFileSync(victim, "precious");
    const dest = join(tempDir(), "out.txt");
    symlinkSync(victim, dest);
    await store.vhs.getToFile(ref, dest);
    expect(lstatSync(dest).isSymbolicLink()).toBe(false);
    expect(readFileSync(dest, "utf8")).toBe("content");
    expect(readFileSync(victim, "utf8")).toBe("precious");
    rmSync(dest);
    await store.close();
  });
});
