import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blobFileOf, bytesOf, openTestStore } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

describe("verify", () => {
  it("finds each kind of damage, changes nothing without repair, fixes it with repair", async () => {
    const store = await openTestStore();
    const ok = await store.vhs.put(bytesOf(100_000, 1));
    const missing = await store.vhs.put("row without file");
    const orphan = await store.vhs.put(bytesOf(70_000, 2), { compress: true });
    const wrong = await store.vhs.put("wrong numbers");
    const corruptData = bytesOf(90_000, 3);
    const corrupt = await store.vhs.put(corruptData, { compress: false });
    const h = (ref: string) => ref.slice(6);

    rmSync(blobFileOf(store, missing));
    await stateDbOf(store).write((db) => {
      db.run("DELETE FROM objects WHERE hash = ?", [h(orphan)]);
      db.run("UPDATE objects SET stored_size = 999, size = 999 WHERE hash = ?", [h(wrong)]);
    });
    const corruptFile = blobFileOf(store, corrupt);
    const bytes = readFileSync(corruptFile);
    bytes[10]! ^= 1;
    rmSync(corruptFile);
    writeFileSync(corruptFile, bytes);
    const stale = join(store.root, "tmp", "upload-9-0011223344556677");
    writeFileSync(stale, "partial");
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, old, old);
    const stray = join(store.blobRoot, "stray.txt");
    writeFileSync(stray, "not ours to judge");

    const dbBefore = statSync(store.dbPath);
    const report = await store.vhs.verify();
    expect(report).toEqual({
      repair: false,
      checked: 4,
      ok: 1,
      missingFiles: [h(missing)],
      orphans: [h(orphan)],
      wrongSizes: [h(wrong)],
      corrupt: [h(corrupt)],
      staleUploads: [stale],
      strays: [stray],
      quarantined: [],
      repaired: 0,
    });
    expect(statSync(store.dbPath).ino).toBe(dbBefore.ino);
    expect(existsSync(corruptFile) && existsSync(stale)).toBe(true);

    const repaired = await store.vhs.verify({ repair: true });
    expect(repaired.repair).toBe(true);
    expect(repaired.quarantined).toHaveLength(1);
    expect(repaired.quarantined[0]!.startsWith(join(store.root, "quarantine", h(corrupt)))).toBe(true);
    expect(repaired.repaired).toBe(5); // one per finding: missing row, orphan, wrong numbers, corrupt file, stale upload
    expect(existsSync(corruptFile)).toBe(false);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(stray)).toBe(true);

    const clean = await store.vhs.verify();
    expect(clean).toMatchObject({ checked: 3, ok: 3, missingFiles: [], orphans: [], wrongSizes: [], corrupt: [], staleUploads: [] });
    expect(await store.vhs.info(wrong)).toMatchObject({ size: 13, storedSize: 13 });
    expect(await store.vhs.info(orphan)).toMatchObject({ size: 70_000, compression: "zlib" });
    expect(await store.vhs.has(missing)).toBe(false);
    expect(await store.vhs.has(corrupt)).toBe(false);

    // A later put of the quarantined content heals it.
    expect(await store.vhs.put(corruptData)).toBe(corrupt);
    expect(Buffer.compare(await store.vhs.get(corrupt), corruptData)).toBe(0);
    expect(readdirSync(join(store.root, "quarantine"))).toHaveLength(1);
    expect(await store.vhs.get(ok)).toHaveLength(100_000);
    await store.close();
  });

  it("rows written by an older Python store (stored_size 0) are corrected, not condemned", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("old row", { compress: false });
    await stateDbOf(store).write((db) => db.run("UPDATE objects SET stored_size = 0"));
    expect(await store.vhs.getText(ref)).toBe("old row");
    const report = await store.vhs.verify({ repair: true });
    expect(report).toMatchObject({ wrongSizes: [ref.slice(6)], corrupt: [] });
    expect(await store.vhs.info(ref)).toMatchObject({ storedSize: 7 });
    await store.close();
  });
});
