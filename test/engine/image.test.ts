// Unit tests of the image checks and the file identity.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { assertWholeImage, identityOf, sameIdentity, isWalImage, setJournalMode, type FileIdentity } from "../../src/engine/image.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import type { FileStat } from "../../src/platform/port.ts";
import { tempDir } from "../helpers/tmp.ts";

async function validImage(): Promise<Uint8Array> {
  const path = join(tempDir(), "tldrs_state.db");
  const db = await StateDb.open(createNodePlatform(), path, { engine: "sqljs" });
  await db.write((d) => {
    for (let i = 0; i < 100; i++) d.run("INSERT INTO sessions VALUES (?, 'a', 'b', ?, NULL)", [`s${i}`, "x".repeat(200)]);
  });
  await db.close();
  return new Uint8Array(readFileSync(path));
}

function corruptMessage(image: Uint8Array): string {
  try {
    assertWholeImage(image, "/x/db");
  } catch (err) {
    expect(isTldrsError(err, "ECORRUPT")).toBe(true);
    expect((err as Error).message).toContain('"/x/db"');
    return (err as Error).message;
  }
  return "accepted";
}

describe("assertWholeImage", () => {
  it("accepts a whole database and refuses every kind of broken one", async () => {
    const img = await validImage();
    const pageSize = (img[16]! << 8) | img[17]!;
    expect(img.length % pageSize).toBe(0);
    expect(img.length / pageSize).toBeGreaterThan(3);
    expect(corruptMessage(img)).toBe("accepted");
    expect(corruptMessage(new Uint8Array(0))).toMatch(/empty \(zero bytes\)/);
    expect(corruptMessage(img.subarray(0, 99))).toMatch(/99 bytes, shorter than a SQLite header/);
    const badMagic = img.slice();
    badMagic[0] = 0x73; // "sQLite"
    expect(corruptMessage(badMagic)).toMatch(/not a SQLite database/);
    const badPage = img.slice();
    badPage[16] = 0x03;
    badPage[17] = 0xe8; // 1000
    expect(corruptMessage(badPage)).toMatch(/invalid page size 1000/);
    expect(corruptMessage(img.subarray(0, img.length - 1))).toMatch(/not a whole number of \d+-byte pages/);
    expect(corruptMessage(img.subarray(0, img.length - pageSize))).toMatch(/the header says \d+ pages but the file holds \d+ \(truncated\)/);
    // Page size field 1 means 65536.
    const big = new Uint8Array(65536);
    big.set(img.subarray(0, 100));
    big[16] = 0;
    big[17] = 1;
    new DataView(big.buffer).setUint32(28, 1);
    new DataView(big.buffer).setUint32(92, new DataView(big.buffer).getUint32(24));
    expect(corruptMessage(big)).toBe("accepted");
  });
});

describe("file identity", () => {
  const stat: FileStat = { kind: "file", size: 8192, mtimeMs: 1700000000123.456, ino: 42, dev: 7, mode: 0o644 };
  it("reads the change counter from header bytes 24-27", () => {
    const header = new Uint8Array(100);
    new DataView(header.buffer).setUint32(24, 0xdeadbeef);
    expect(identityOf(stat, header)).toEqual({ ino: 42, dev: 7, size: 8192, mtimeMs: 1700000000123.456, changeCounter: 0xdeadbeef });
    expect(identityOf(stat, header.subarray(0, 20)).changeCounter).toBe(-1);
  });

  it("differs when any of inode, device, size, mtime or change counter differs", () => {
    const base: FileIdentity = { ino: 1, dev: 2, size: 3, mtimeMs: 4, changeCounter: 5 };
    expect(sameIdentity(base, { ...base })).toBe(true);
    expect(sameIdentity(undefined, base)).toBe(false);
    for (const key of Object.keys(base) as (keyof FileIdentity)[]) {
      expect(sameIdentity(base, { ...base, [key]: base[key] + 1 }), key).toBe(false);
    }
  });
});

describe("setJournalMode", () => {
  it("marks an image WAL or rollback mode in place (no copy), the rest of the header untouched", async () => {
    const img = await validImage();
    expect([img[18], img[19], isWalImage(img)]).toEqual([1, 1, false]);
    const before = img.slice();
    setJournalMode(img, true);
    expect([img[18], img[19], isWalImage(img)]).toEqual([2, 2, true]);
    setJournalMode(img, false);
    expect(Buffer.from(img).equals(Buffer.from(before))).toBe(true);
  });
});
