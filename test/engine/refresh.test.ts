// Refresh under the lock: reload exactly when another writer changed the file, never for our own write.
import { describe, expect, it } from "vitest";
import { StateDb } from "../../src/engine/state_db.ts";
import { createFaultyPlatform } from "../../src/platform/faulty.ts";
import { createMemoryPlatform } from "../../src/platform/memory.ts";
import type { FileStat, Platform } from "../../src/platform/port.ts";
import { readUrl } from "../reliability/helpers.ts";
import { insertSession as insert } from "./helpers.ts";

const ids = (db: StateDb) => db.read((d) => d.all("SELECT session_id FROM sessions ORDER BY 1").map((r) => String(r[0])));

/**
 * A view of `base` as a file system without stable inode numbers and with 2-second
 * timestamps (FAT, some network file systems): only the size and the SQLite header's change
 * counter can tell two versions of the file apart.
 */
function coarse(base: Platform, pid: number): Platform {
  const blur = (st: FileStat): FileStat => ({ ...st, ino: 1, mtimeMs: Math.floor(st.mtimeMs / 2000) * 2000 });
  return {
    ...base,
    pid,
    stat: async (path) => blur(await base.stat(path)),
    openRead: async (path) => {
      const f = await base.openRead(path);
      return { ...f, stat: async () => blur(await f.stat()) };
    },
  };
}

describe("refresh", () => {
  it("a change by another writer is seen even when inode, size and mtime all look the same", async () => {
    const base = createMemoryPlatform({ readUrl, alivePids: new Set([1, 2]) });
    await base.mkdir("/s");
    const a = await StateDb.open(coarse(base, 1), "/s/tldrs_state.db");
    const b = await StateDb.open(coarse(base, 2), "/s/tldrs_state.db");
    await a.write(insert("a1"));
    const size = (await base.stat("/s/tldrs_state.db")).size;
    await b.write(insert("b1")); // one short row: the file keeps its size
    expect((await base.stat("/s/tldrs_state.db")).size).toBe(size);
    await a.write(insert("a2"));
    expect(await ids(b)).toEqual(["a1", "a2", "b1"]);
    expect(await ids(a)).toEqual(["a1", "a2", "b1"]);
    await a.close();
    await b.close();
  });

  it("each flush stamps a new change counter in the header", async () => {
    const base = createMemoryPlatform({ readUrl });
    await base.mkdir("/s");
    const db = await StateDb.open(base, "/s/tldrs_state.db");
    const counters: number[] = [];
    for (let i = 0; i < 3; i++) {
      await db.write(insert(`r${i}`));
      const header = new DataView((await base.readFile("/s/tldrs_state.db")).buffer);
      // Bytes 92-95 (version-valid-for) follow 24-27, so the in-header page count stays valid.
      expect(header.getUint32(92)).toBe(header.getUint32(24));
      counters.push(header.getUint32(24));
    }
    expect(new Set(counters).size).toBe(3);
    await db.close();
  });

  it("never reloads a file this process wrote, and reloads one another process wrote", async () => {
    const base = createMemoryPlatform({ readUrl, alivePids: new Set([4242, 5]) });
    await base.mkdir("/s");
    const watched = createFaultyPlatform(base);
    const db = await StateDb.open(watched, "/s/tldrs_state.db");
    await db.write(insert("r0"));
    const size = (await base.stat("/s/tldrs_state.db")).size;
    const bytesRead = () => watched.calls.filter((c) => c.op === "read" && c.path === "/s/tldrs_state.db").length;

    watched.resetCount();
    await db.write(insert("r1"));
    await db.read((d) => d.exec("SELECT 1"));
    // Only the 100-byte header is read, once per operation (and once more right before the
    // write's rename, to see that the file is still the one loaded), never the image.
    expect(bytesRead()).toBe(3);

    const other = await StateDb.open({ ...base, pid: 5 }, "/s/tldrs_state.db");
    await other.write(insert("x1"));
    await other.close();
    watched.resetCount();
    expect(await ids(db)).toEqual(["r0", "r1", "x1"]);
    expect(bytesRead()).toBeGreaterThan(1); // header, then the whole image
    expect(size).toBeGreaterThan(100);
    await db.close();
  });
});
