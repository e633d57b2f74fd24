import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { openProjectStore, platformWithClock } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

describe("openSession", () => {
  it("inserts a new session, then touches it", async () => {
    const clock = { now: Date.UTC(2026, 10, 25, 9, 54, 9, 123) + 0.456 };
    const store = await openProjectStore(tempDir(), platformWithClock(clock));
    const first = await store.state.openSession("s1", { repoFingerprint: "git:0123456789ab", defaultLanguage: "python" });
    expect(first).toEqual({
      sessionId: "s1",
      created: true,
      repoFingerprint: "git:0123456789ab",
      defaultLanguage: "python",
      createdAt: "2026-11-25T09:54:09.123456+00:00",
      lastAccessed: "2026-11-25T09:54:09.123456+00:00",
      drift: null,
    });
    clock.now += 60_000;
    const second = await store.state.openSession("s1", { repoFingerprint: "git:0123456789ab" });
    expect(second).toMatchObject({ created: false, drift: null, defaultLanguage: "python", createdAt: first.createdAt, lastAccessed: "2026-11-25T09:55:09.123456+00:00" });
    await store.close();
  });

  it("reports a changed fingerprint as drift, once, and does not fail", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.openSession("s1", { repoFingerprint: "git:aaaaaaaaaaaa" });
    const moved = await store.state.openSession("s1", { repoFingerprint: "git:bbbbbbbbbbbb" });
    expect(moved).toMatchObject({ created: false, repoFingerprint: "git:bbbbbbbbbbbb", drift: { previous: "git:aaaaaaaaaaaa", current: "git:bbbbbbbbbbbb" } });
    expect((await store.state.openSession("s1", { repoFingerprint: "git:bbbbbbbbbbbb" })).drift).toBeNull();
    expect((await store.state.listSessions())[0]!.repoFingerprint).toBe("git:bbbbbbbbbbbb");
    await store.close();
  });

  it("fills in a missing default language but never replaces one", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.openSession("s1", { repoFingerprint: "fp" });
    expect((await store.state.openSession("s1", { repoFingerprint: "fp", defaultLanguage: "go" })).defaultLanguage).toBe("go");
    expect((await store.state.openSession("s1", { repoFingerprint: "fp", defaultLanguage: "rust" })).defaultLanguage).toBe("go");
    await store.close();
  });
});

describe("sessionStats and listSessions", () => {
  it("counts deliveries and tokens (a missing estimate counts 0)", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.openSession("s1", { repoFingerprint: "fp" });
    await store.state.recordDeliveries("s1", [
      { symbolId: "a", etag: "e", representation: "full", tokenEstimate: 100 },
      { symbolId: "b", etag: "e", representation: "signature_only", tokenEstimate: 20 },
      { symbolId: "c", etag: "e", representation: "pdg_slice" },
    ]);
    const stats = await store.state.sessionStats("s1");
    expect(stats).toMatchObject({ sessionId: "s1", deliveryCount: 3, totalTokensDelivered: 120 });
    expect(stats.createdAt).toMatch(/\+00:00$/);
    expect(await store.state.sessionStats("nobody")).toEqual({ sessionId: "nobody", deliveryCount: 0, totalTokensDelivered: 0, createdAt: null, lastAccessed: null });
    await store.close();
  });

  it("lists sessions most recently used first, by parsed time", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.openSession("old", { repoFingerprint: "fp1" });
    await store.state.openSession("new", { repoFingerprint: "fp2", defaultLanguage: "python" });
    await store.state.recordDelivery({ sessionId: "new", symbolId: "f", etag: "e", representation: "full" });
    await stateDbOf(store).write((db) => {
      // Same instant range, two spellings: +05:00 sorts after as a string but is earlier in time.
      db.run("UPDATE sessions SET last_accessed = '2026-01-01T12:00:00+05:00' WHERE session_id = 'old'");
      db.run("UPDATE sessions SET last_accessed = '2026-01-01T08:00:00.5+00:00' WHERE session_id = 'new'");
    });
    const list = await store.state.listSessions();
    expect(list.map((s) => s.sessionId)).toEqual(["new", "old"]);
    expect(list[0]).toEqual({ sessionId: "new", createdAt: expect.any(String), lastAccessed: "2026-01-01T08:00:00.5+00:00", repoFingerprint: "fp2", defaultLanguage: "python", deliveryCount: 1 });
    expect(list[1]!.deliveryCount).toBe(0);
    await store.close();
  });
});
