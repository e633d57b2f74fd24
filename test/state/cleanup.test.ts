import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isoTimestamp } from "../../src/engine/timestamp.ts";
import { tempDir } from "../helpers/tmp.ts";
import { openProjectStore, platformWithClock } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const HOUR = 3600;

describe("cleanupExpired", () => {
  it("removes a backdated session with its delivery and reports both (the Python store's test)", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.openSession("old", { repoFingerprint: "fp" });
    await store.state.recordDelivery({ sessionId: "old", symbolId: "f", etag: "e", representation: "full" });
    await store.state.openSession("live", { repoFingerprint: "fp" });
    await store.state.recordDelivery({ sessionId: "live", symbolId: "f", etag: "e", representation: "full" });
    const past = isoTimestamp(Date.now() - 2 * HOUR * 1000);
    await stateDbOf(store).write((db) => {
      db.run("UPDATE sessions SET last_accessed = ? WHERE session_id = 'old'", [past]);
      db.run("UPDATE deliveries SET last_accessed = ? WHERE session_id = 'old'", [past]);
    });
    expect(await store.state.cleanupExpired({ ttlSeconds: HOUR })).toEqual({ sessions: 1, deliveries: 1 });
    expect((await store.state.listSessions()).map((s) => s.sessionId)).toEqual(["live"]);
    expect(await store.state.getDelivery("live", "f")).not.toBeNull();
    expect(await store.state.cleanupExpired({ ttlSeconds: HOUR })).toEqual({ sessions: 0, deliveries: 0 });
    await store.close();
  });

  it("removes the deliveries of an expired session even if they are recent, and old deliveries of a live one", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.openSession("old", { repoFingerprint: "fp" });
    await store.state.openSession("live", { repoFingerprint: "fp" });
    await store.state.recordDeliveries("old", [
      { symbolId: "a", etag: "e", representation: "full" },
      { symbolId: "b", etag: "e", representation: "full" },
    ]);
    await store.state.recordDeliveries("live", [
      { symbolId: "stale", etag: "e", representation: "full" },
      { symbolId: "fresh", etag: "e", representation: "full" },
    ]);
    await stateDbOf(store).write((db) => {
      db.run("UPDATE sessions SET last_accessed = '2020-01-01T00:00:00+00:00' WHERE session_id = 'old'");
      db.run("UPDATE deliveries SET last_accessed = '2020-01-01T00:00:00+00:00' WHERE symbol_id = 'stale'");
    });
    expect(await store.state.cleanupExpired({ ttlSeconds: HOUR })).toEqual({ sessions: 1, deliveries: 3 });
    expect((await store.state.sessionStats("live")).deliveryCount).toBe(1);
    expect(await store.state.getDelivery("live", "fresh")).not.toBeNull();
    await store.close();
  });

  it("compares parsed times, not strings: no microseconds, other offsets, Z, garbage", async () => {
    const now = Date.UTC(2026, 5, 1, 12, 0, 0);
    const store = await openProjectStore(tempDir(), platformWithClock({ now }));
    const ttl = 100;
    const cutoff = now - ttl * 1000; // 11:58:20 UTC
    const rows: Array<[id: string, lastAccessed: string, expired: boolean]> = [
      // Exactly at the cutoff, as Python writes it (no microseconds): not older, kept.
      ["at-cutoff", "2026-06-01T11:58:20+00:00", false],
      ["1ms-before", isoTimestamp(cutoff - 1), true],
      ["1ms-after", isoTimestamp(cutoff + 1), false],
      // Expired, but its +05:00 spelling sorts after the cutoff string.
      ["expired-plus5", "2026-06-01T16:58:19+05:00", true],
      // Recent, but its -05:00 spelling sorts before the cutoff string.
      ["recent-minus5", "2026-06-01T06:59:00-05:00", false],
      ["zulu-expired", "2026-06-01T11:58:19.999Z", true],
      ["garbage", "yesterday", true],
    ];
    await stateDbOf(store).write((db) => {
      for (const [id, at] of rows) {
        db.run("INSERT INTO sessions VALUES (?, ?, ?, 'fp', NULL)", [id, at, at]);
        db.run("INSERT INTO deliveries (session_id, symbol_id, etag, representation, last_accessed) VALUES ('keeper', ?, 'e', 'full', ?)", [id, at]);
      }
      db.run("INSERT INTO sessions VALUES ('keeper', ?, ?, 'fp', NULL)", [isoTimestamp(now), isoTimestamp(now)]);
    });
    const expired = rows.filter((r) => r[2]).length;
    expect(await store.state.cleanupExpired({ ttlSeconds: ttl })).toEqual({ sessions: expired, deliveries: expired });
    const kept = (await store.state.listSessions()).map((s) => s.sessionId).sort();
    expect(kept).toEqual(["keeper", ...rows.filter((r) => !r[2]).map((r) => r[0])].sort());
    await store.close();
  });

  it("does not rewrite the file when nothing expired", async () => {
    const project = tempDir();
    const store = await openProjectStore(project);
    await store.state.openSession("s1", { repoFingerprint: "fp" });
    const before = statSync(join(project, ".tldrs", "tldrs_state.db"));
    expect(await store.state.cleanupExpired({ ttlSeconds: HOUR })).toEqual({ sessions: 0, deliveries: 0 });
    const after = statSync(join(project, ".tldrs", "tldrs_state.db"));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    await store.close();
  });

  it("with ttlSeconds 0 removes everything last used before now", async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const store = await openProjectStore(tempDir(), platformWithClock(clock));
    await store.state.openSession("s1", { repoFingerprint: "fp" });
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "f", etag: "e", representation: "full" });
    clock.now += 1;
    expect(await store.state.cleanupExpired({ ttlSeconds: 0 })).toEqual({ sessions: 1, deliveries: 1 });
    await store.close();
  });
});
