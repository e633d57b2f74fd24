import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openTestStore } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const identity = (path: string) => {
  const st = statSync(path);
  return `${st.ino}:${st.mtimeMs}:${st.size}`;
};

describe("access times are coalesced", () => {
  it("1,000 gets cause no database flush; close() writes them once", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("read me often");
    const before = (await store.vhs.info(ref))!;
    const id0 = identity(store.dbPath);
    let replacements = 0;
    let last = id0;
    for (let i = 0; i < 1000; i++) {
      await store.vhs.get(ref);
      if (i % 3 === 0) await store.vhs.has(ref);
      const id = identity(store.dbPath);
      if (id !== last) replacements++;
      last = id;
    }
    expect(replacements).toBe(0);
    // Reads show the pending time already.
    const pending = (await store.vhs.info(ref))!;
    expect(pending.lastAccessed > before.lastAccessed).toBe(true);
    await store.close();
    expect(identity(store.dbPath)).not.toBe(id0);
    const reopened = await openTestStore(store.root);
    expect((await reopened.vhs.info(ref))!.lastAccessed >= pending.lastAccessed).toBe(true);
    await reopened.close();
  });

  it("pending accesses ride along with the next write", async () => {
    const store = await openTestStore();
    const a = await store.vhs.put("a");
    const written = (await store.vhs.info(a))!.lastAccessed;
    await store.vhs.get(a);
    const other = await openTestStore(store.root);
    expect((await other.vhs.info(a))!.lastAccessed).toBe(written); // not on disk yet
    await store.vhs.put("b"); // one write transaction carries the pending access
    const seen = await openTestStore(store.root);
    expect((await seen.vhs.info(a))!.lastAccessed > written).toBe(true);
    await Promise.all([store.close(), other.close(), seen.close()]);
  });

  it("after a coarse interval the next read writes them", async () => {
    let offset = 0;
    const base = createNodePlatform();
    const platform = { ...base, now: () => base.now() + offset };
    const store = await openTestStore(undefined, platform);
    const ref = await store.vhs.put("x");
    await store.vhs.get(ref);
    // The native engine's commits reach the file itself when its connection closes.
    const settled = async () => (await stateDbOf(store).idle(), identity(store.dbPath));
    const id = await settled();
    await store.vhs.get(ref);
    expect(await settled()).toBe(id);
    offset = 61_000;
    await store.vhs.get(ref);
    expect(await settled()).not.toBe(id);
    await store.close();
  });

  it("an access never moves last_accessed backwards", async () => {
    const store = await openTestStore();
    const ref = await store.vhs.put("y");
    await store.vhs.get(ref);
    // Another writer records a later access meanwhile.
    const future = "2999-01-01T00:00:00.000000+00:00";
    await stateDbOf(store).write((db) => db.run("UPDATE objects SET last_accessed = ?", [future]));
    await store.vhs.flushAccessTimes();
    expect((await store.vhs.info(ref))!.lastAccessed).toBe(future);
    await store.close();
  });
});
