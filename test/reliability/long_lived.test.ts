// Housekeeping in a long-lived process: what a killed process leaves is removed by the next
// writer, and again later by a process that stays up (not only at its first write).
import { describe, expect, it } from "vitest";
import { StateDb } from "../../src/engine/state_db.ts";
import { openStoreWith } from "../../src/store.ts";
import type { Platform } from "../../src/platform/port.ts";
import { memoryPlatform } from "./helpers.ts";

const HOUR = 60 * 60 * 1000;

async function plant(p: Platform, path: string): Promise<void> {
  const f = await p.createExclusive(path);
  await f.write(new Uint8Array(10));
  await f.close();
}

describe("leftovers of killed processes, seen by a process that stays up", () => {
  it("database temp and undo files are swept by later writes, not only the first", async () => {
    const p = memoryPlatform(1, new Set([1]));
    await p.mkdir("/s");
    const db = await StateDb.open(p, "/s/tldrs_state.db");
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('a', 'x', 'y', 'fp', NULL)")); // first write: sweeps
    // Another process is killed mid-flush now, while this one stays up.
    await plant(p, "/s/tldrs_state.db.0123456789abcdef.tmp");
    await plant(p, "/s/tldrs_state.db.0123456789abcdef.prev");
    await plant(p, "/s/tldrs_state.db.lock.0123456789abcdef0123456789abcdef.tmp");
    await p.sleep(2 * HOUR);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('b', 'x', 'y', 'fp', NULL)"));
    expect(await p.readdir("/s")).toEqual(["tldrs_state.db"]);
    await db.close();
  });

  it("a temp file of a default session writer killed mid-way is swept once it is past its grace", async () => {
    const p = memoryPlatform(1, new Set([1]));
    await p.mkdir("/proj");
    const store = await openStoreWith(p, { project: "/proj" });
    const { sessionId } = await store.state.defaultSession({ projectRoot: "/proj" });
    await store.close();
    await plant(p, "/proj/.tldrs/default_session_id.tmp-77-0badf00d"); // killed between write and link
    const young = await openStoreWith(p, { project: "/proj" });
    expect((await young.state.defaultSession({ projectRoot: "/proj" })).sessionId).toBe(sessionId);
    expect(await p.readdir("/proj/.tldrs")).toContain("default_session_id.tmp-77-0badf00d"); // maybe still being written
    await young.close();
    await p.sleep(2 * HOUR);
    const later = await openStoreWith(p, { project: "/proj" });
    expect((await later.state.defaultSession({ projectRoot: "/proj" })).sessionId).toBe(sessionId);
    expect(await p.readdir("/proj/.tldrs")).not.toContain("default_session_id.tmp-77-0badf00d");
    await later.close();
  });
});
