import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isoTimestamp } from "../../src/engine/timestamp.ts";
import type { Store } from "../../src/store.ts";
import { blobFileOf, bytesOf, openTestStore } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const DAY = 86_400_000;

async function setAccessed(store: Store, ref: string, msAgo: number): Promise<void> {
  await store.vhs.flushAccessTimes();
  await stateDbOf(store).write((db) => db.run("UPDATE objects SET last_accessed = ? WHERE hash = ?", [isoTimestamp(Date.now() - msAgo), ref.slice(6)]));
}

async function hashesOf(store: Store): Promise<string[]> {
  return (await store.vhs.list({ limit: 1000 })).map((b) => b.hash).sort();
}

describe("gc", () => {
  it("by age: evicts what was not accessed for maxAgeDays", async () => {
    const store = await openTestStore();
    const [a, b, c] = [await store.vhs.put("a"), await store.vhs.put("b"), await store.vhs.put("c")];
    await setAccessed(store, a, 10 * DAY);
    await setAccessed(store, b, 8 * DAY);
    await setAccessed(store, c, 1 * DAY);
    const report = await store.vhs.gc({ maxAgeDays: 7 });
    expect(report.deleted.map((v) => [v.ref, v.reason])).toEqual([
      [b, "age"],
      [a, "age"],
    ]);
    expect(report).toMatchObject({ dryRun: false, freedBytes: 2, freedStoredBytes: 2 });
    expect(existsSync(blobFileOf(store, a))).toBe(false);
    expect(existsSync(blobFileOf(store, b))).toBe(false);
    expect(await hashesOf(store)).toEqual([c.slice(6)]);
    expect(await store.vhs.get(c)).toEqual(new TextEncoder().encode("c"));
    await store.close();
  });

  it("by size: least recently used first, counting stored (compressed) bytes", async () => {
    const store = await openTestStore();
    const refs: string[] = [];
    for (let i = 0; i < 4; i++) {
      refs.push(await store.vhs.put(bytesOf(400 * 1024, i + 1), { compress: false }));
      await setAccessed(store, refs[i]!, (10 - i) * DAY); // refs[0] oldest
    }
    // 4 x 1 MiB of zeros compress to ~1 KiB each: under any cap in stored bytes.
    for (let i = 0; i < 4; i++) await store.vhs.put(new Uint8Array(1024 * 1024).fill(i), { compress: true });
    const report = await store.vhs.gc({ maxSizeMb: 1 });
    expect(report.deleted.map((v) => [v.ref, v.reason])).toEqual([
      [refs[0], "size"],
      [refs[1], "size"],
    ]);
    expect(report.freedStoredBytes).toBe(2 * 400 * 1024);
    expect((await store.vhs.stats()).totalStoredBytes).toBeLessThanOrEqual(1024 * 1024);
    expect((await store.vhs.stats()).count).toBe(6);
    await store.close();
  });

  it("keepLast protects the newest N whatever their age", async () => {
    const store = await openTestStore();
    const refs: string[] = [];
    for (let i = 0; i < 5; i++) {
      refs.push(await store.vhs.put(`blob ${i}`));
      await setAccessed(store, refs[i]!, (30 - i) * DAY);
    }
    const report = await store.vhs.gc({ maxAgeDays: 1, keepLast: 2 });
    expect(report.deleted.map((v) => v.ref).sort()).toEqual([refs[0], refs[1], refs[2]].sort());
    expect(await hashesOf(store)).toEqual([refs[3]!.slice(6), refs[4]!.slice(6)].sort());
    const all = await store.vhs.gc({ maxSizeMb: 0, keepLast: 1 });
    expect(all.deleted.map((v) => v.ref)).toEqual([refs[3]]);
    await store.close();
  });

  it("dryRun reports exactly what a real run then does, and changes nothing", async () => {
    const store = await openTestStore();
    const refs: string[] = [];
    for (let i = 0; i < 6; i++) {
      refs.push(await store.vhs.put(bytesOf(100_000, i), { compress: i % 2 === 0 }));
      await setAccessed(store, refs[i]!, (20 - 3 * i) * DAY);
    }
    const staleUpload = join(store.root, "tmp", "upload-1-deadbeef");
    writeFileSync(staleUpload, "x");
    utimesSync(staleUpload, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    const options = { maxAgeDays: 10, maxSizeMb: 0.15, keepLast: 1 };
    const dbBefore = statSync(store.dbPath);
    const blobsBefore = readdirSync(store.blobRoot, { recursive: true }).sort();
    const dry = await store.vhs.gc({ ...options, dryRun: true });
    expect(statSync(store.dbPath).ino).toBe(dbBefore.ino);
    expect(statSync(store.dbPath).mtimeMs).toBe(dbBefore.mtimeMs);
    expect(readdirSync(store.blobRoot, { recursive: true }).sort()).toEqual(blobsBefore);
    expect(existsSync(staleUpload)).toBe(true);
    expect(dry.deleted.length).toBeGreaterThan(0);

    const real = await store.vhs.gc(options);
    expect({ ...real, dryRun: true }).toEqual(dry);
    expect(existsSync(staleUpload)).toBe(false);
    for (const v of real.deleted) expect(existsSync(blobFileOf(store, v.ref))).toBe(false);
    expect((await store.vhs.stats()).count).toBe(6 - real.deleted.length);
    await store.close();
  });

  it("keeps blobs named by deliveries of sessions that still exist", async () => {
    const store = await openTestStore();
    const [live, orphaned, plain] = [await store.vhs.put("live"), await store.vhs.put("orphaned"), await store.vhs.put("plain")];
    for (const ref of [live, orphaned, plain]) await setAccessed(store, ref, 100 * DAY);
    const now = isoTimestamp(Date.now());
    await stateDbOf(store).write((db) => {
      db.run("INSERT INTO sessions VALUES ('s1', ?, ?, 'git:abc', NULL)", [now, now]);
      db.run("INSERT INTO deliveries (session_id, symbol_id, etag, representation, vhs_ref, last_accessed) VALUES ('s1', 'f', 'e1', 'vhs_ref', ?, ?)", [live, now]);
      // A delivery whose session is gone protects nothing; nor does a bare-hash ref of a live session fail to count.
      db.run("INSERT INTO deliveries (session_id, symbol_id, etag, representation, vhs_ref, last_accessed) VALUES ('gone', 'g', 'e2', 'vhs_ref', ?, ?)", [orphaned, now]);
      db.run("INSERT INTO deliveries (session_id, symbol_id, etag, representation, vhs_ref, last_accessed) VALUES ('s1', 'h', 'e3', 'full', 'not a ref', ?)", [now]);
    });
    const report = await store.vhs.gc({ maxAgeDays: 1 });
    expect(report.deleted.map((v) => v.ref).sort()).toEqual([orphaned, plain].sort());
    expect(report.protectedByDeliveries).toBe(1);
    expect(await store.vhs.has(live)).toBe(true);
    expect((await store.vhs.gc({ maxSizeMb: 0 })).deleted).toEqual([]);
    await store.close();
  });

  it("sweeps only stale uploads, and touches nothing outside blobs/ and tmp/", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("doomed");
    const tmp = join(store.root, "tmp");
    const old = new Date(Date.now() - 2 * 3600_000);
    const files = {
      staleUpload: join(tmp, "upload-123-abcdef"),
      freshUpload: join(tmp, "upload-124-abcdef"),
      otherTemp: join(tmp, "someone-elses"),
      sessionFile: join(store.root, "default_session_id"),
      otherTool: join(store.root, "other-tool", "data.json"),
      quarantined: join(store.root, "quarantine", "x"),
      stray: join(store.blobRoot, "README"),
      strayInside: join(store.blobRoot, "ab", "cd", "not-a-hash"),
    };
    for (const path of Object.values(files)) {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, "x");
      utimesSync(path, old, old);
    }
    utimesSync(files.freshUpload, new Date(), new Date());
    const report = await store.vhs.gc({ maxSizeMb: 0 });
    expect(report.deleted.map((v) => v.ref)).toEqual([ref]);
    expect(report.staleUploadsRemoved).toEqual([files.staleUpload]);
    for (const [name, path] of Object.entries(files)) expect([name, existsSync(path)]).toEqual([name, name !== "staleUpload"]);
    await store.close();
  });
});
