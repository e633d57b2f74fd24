import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CrashError, createFaultyPlatform } from "../../src/platform/faulty.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf, openTestStore } from "./helpers.ts";
import { isCrash } from "../helpers/platform_files.ts";

/** The calls a first put makes in a fresh store, to aim a crash at one of them. */
async function callsOfFirstPut(data: Uint8Array, compress: boolean) {
  const platform = createFaultyPlatform(createNodePlatform());
  const store = await openTestStore(join(tempDir(), ".tldrs"), platform);
  platform.resetCount();
  await store.vhs.put(data, { compress });
  const calls = [...platform.calls];
  await store.close();
  return calls;
}


describe("a crash between placing the blob file and inserting its row", () => {
  // The link that places the file, the folder fsync after it, and the lock file's creation
  // when the row's write transaction begins.
  for (const [point, compress] of [["link", false], ["syncDir", true], ["create", false]] as const) {
    it(`crash after ${point} (${compress ? "zlib" : "raw"}): has, get, info, gc and verify agree`, async () => {
      const data = bytesOf(120_000, point.length);
      const calls = await callsOfFirstPut(data, compress);
      const placed = calls.findIndex((c) => c.op === "link" && c.path.includes("/blobs/"));
      expect(placed).toBeGreaterThan(0);
      const target = calls.slice(placed).find((c) => c.op === point)!;
      expect(target).toBeDefined();

      const root = join(tempDir(), ".tldrs");
      const platform = createFaultyPlatform(createNodePlatform());
      const crashed = await openTestStore(root, platform);
      platform.resetCount();
      platform.setPlan({ crashAfter: target.seq });
      const err = await crashed.vhs.put(data, { compress }).catch((e: unknown) => e);
      expect(isCrash(err), String(err)).toBe(true);

      // Another process opens the store: the file is there, its row is not.
      const store = await openTestStore(root);
      const hash = calls.length > 0 ? (await import("node:crypto")).createHash("sha256").update(data).digest("hex") : "";
      const ref = `vhs://${hash}`;
      expect(await store.vhs.stats()).toMatchObject({ count: 0 });

      const report = await store.vhs.verify();
      expect(report).toMatchObject({ checked: 1, orphans: [hash], corrupt: [], missingFiles: [] });
      const gc = await store.vhs.gc({ dryRun: true });
      expect(gc).toMatchObject({ adopted: [hash], deleted: [] });

      expect(await store.vhs.has(ref)).toBe(true);
      const info = await store.vhs.info(ref);
      expect(info).toMatchObject({ hash, size: data.length, compression: compress ? "zlib" : "" });
      expect(info!.storedSize).toBe(readFileSync(blobFileOf(store, ref)).length);
      expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
      expect(await store.vhs.stats()).toMatchObject({ count: 1, totalBytes: data.length });

      // The row is restored: verify now finds everything in order, gc keeps the blob.
      expect(await store.vhs.verify()).toMatchObject({ checked: 1, ok: 1, orphans: [] });
      expect(await store.vhs.gc({})).toMatchObject({ deleted: [], adopted: [] });
      // A put of the same content after the crash is a plain dedup.
      expect(await store.vhs.put(data, { compress: !compress })).toBe(ref);
      expect(await store.vhs.info(ref)).toMatchObject({ compression: compress ? "zlib" : "" });
      await store.close();
    });
  }

  it("gc adopts an orphan first, so it ages like the rest", async () => {
    const data = bytesOf(50_000, 99);
    const calls = await callsOfFirstPut(data, false);
    const placed = calls.find((c) => c.op === "link" && c.path.includes("/blobs/"))!;
    const root = join(tempDir(), ".tldrs");
    const platform = createFaultyPlatform(createNodePlatform());
    const crashed = await openTestStore(root, platform);
    platform.resetCount();
    platform.setPlan({ crashAfter: placed.seq });
    await expect(crashed.vhs.put(data, { compress: false })).rejects.toBeInstanceOf(CrashError);

    const store = await openTestStore(root);
    const report = await store.vhs.gc({});
    expect(report.adopted).toHaveLength(1);
    expect(report.deleted).toEqual([]);
    expect(await store.vhs.stats()).toMatchObject({ count: 1 });
    expect(await store.vhs.verify()).toMatchObject({ ok: 1 });
    await store.close();
  });
});
