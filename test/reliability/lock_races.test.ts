// The lock's narrow races, made wide: a platform hook runs "another process" at the exact
// moment between a check and the deletion it guards. Each case failed before the fix in
// src/engine/lock.ts (a check by name, then an unlink by name).
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { acquireLock, readLockHolder } from "../../src/engine/lock.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import type { Platform } from "../../src/platform/port.ts";
import { memoryPlatform } from "./helpers.ts";
import { writeFileVia } from "../helpers/platform_files.ts";

const LOCK = "/store/tldrs_state.db.lock";
const STALE = { timeoutMs: 60_000, staleMs: 30_000 };

/** `base` with a hook that runs once, just before the first unlink or rename of `path`. */
function withHook(base: Platform, path: string, hook: () => Promise<void>): Platform {
  let armed = false;
  let fired = false;
  const before = async (p: string) => {
    if (armed && !fired && p === path) {
      fired = true;
      await hook();
    }
  };
  return Object.assign(Object.create(null) as Platform, base, {
    arm: () => (armed = true),
    unlink: async (p: string) => (await before(p), base.unlink(p)),
    rename: async (from: string, to: string) => (await before(from), base.rename(from, to)),
  });
}

const arm = (p: Platform) => (p as Platform & { arm(): void }).arm();


describe("lock races", () => {
  it("a release after holding past the stale limit never deletes the lock of the process that broke it", async () => {
    const alive = new Set([1, 2]);
    const base = memoryPlatform(1, alive);
    await base.mkdir("/store");
    let successorToken = "";
    const mine = withHook(base, LOCK, async () => {
      // Process 2 judged our lock stale, broke it and took its own, between our check and our delete.
      const other = { ...base, pid: 2 };
      successorToken = (await acquireLock(other, LOCK, STALE)).token;
    });
    const held = await acquireLock(mine, LOCK, STALE);
    await base.sleep(STALE.staleMs + 1_000); // a hung holder
    arm(mine);
    expect(await held.release()).toBe(false);
    expect(successorToken).not.toBe("");
    expect((await readLockHolder(base, LOCK))?.record?.token).toBe(successorToken);
  });

  it("a write that held the lock past its stale limit is not committed (a waiter may have broken the lock)", async () => {
    const base = memoryPlatform(1, new Set([1]));
    await base.mkdir("/store");
    let skew = 0;
    const platform: Platform = { ...base, now: () => base.now() + skew };
    const db = await StateDb.open(platform, "/store/tldrs_state.db", { lock: STALE });
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('a', 'x', 'y', 'fp', NULL)"));
    const before = await base.readFile("/store/tldrs_state.db");
    const err = await db
      .write((d) => {
        d.run("INSERT INTO sessions VALUES ('b', 'x', 'y', 'fp', NULL)");
        skew += STALE.staleMs - 1_000; // a transaction that ran for 29 s
      })
      .catch((e: unknown) => e);
    expect(isTldrsError(err, "ELOCKTIMEOUT"), String(err)).toBe(true);
    expect(Buffer.from(await base.readFile("/store/tldrs_state.db")).equals(Buffer.from(before))).toBe(true);
    expect((await base.readdir("/store")).sort()).toEqual(["tldrs_state.db"]);
    // The next write goes through, from the file: 'b' was never committed.
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('c', 'x', 'y', 'fp', NULL)"));
    expect(await db.read((d) => d.all("SELECT session_id FROM sessions ORDER BY 1").flat())).toEqual(["a", "c"]);
    await db.close();
  });

  it("removing a dead breaker's .break never deletes the .break another waiter just took", async () => {
    const alive = new Set([1, 3]);
    const base = memoryPlatform(1, alive);
    await base.mkdir("/store");
    const dead = (token: string) => JSON.stringify({ pid: 4_195_000, host: base.hostname(), runtime: "node", token, created_at: "", created_ms: base.now() });
    await writeFileVia(base, LOCK, dead("a".repeat(32))); // a dead holder
    await writeFileVia(base, `${LOCK}.break`, dead("b".repeat(32))); // and a breaker that died
    const liveBreaker = JSON.stringify({ pid: 3, host: base.hostname(), runtime: "node", token: "c".repeat(32), created_at: "", created_ms: base.now() });
    const mine = withHook(base, `${LOCK}.break`, async () => {
      // Waiter 3 saw the same dead breaker, removed it and put its own .break in place.
      await base.unlink(`${LOCK}.break`);
      await writeFileVia(base, `${LOCK}.break`, liveBreaker);
    });
    arm(mine);
    const outcome = await acquireLock(mine, LOCK, { timeoutMs: 200, staleMs: 30_000 }).then(
      (held) => held.token,
      (e: unknown) => e,
    );
    // Waiter 3's .break is still there: only it may remove it, and while it is alive this
    // process waits (here until its short timeout) instead of breaking the lock beside it.
    expect((await readLockHolder(base, `${LOCK}.break`))?.record?.token).toBe("c".repeat(32));
    expect(isTldrsError(outcome, "ELOCKTIMEOUT"), String(outcome)).toBe(true);
  });
});
