import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../src/engine/timestamp.ts";
import { createFaultyPlatform } from "../../src/platform/faulty.ts";
import { tempDir } from "../helpers/tmp.ts";
import { nodePlatform, openProjectStore } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const HASH = "ab".repeat(32);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

describe("recordDelivery and getDelivery", () => {
  it("records then gets a delivery with every field", async () => {
    const store = await openProjectStore(tempDir());
    const before = Date.now();
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "a.py:f", etag: "e1", representation: "full", vhsRef: `vhs://${HASH}`, tokenEstimate: 42, codeSnapshot: "def f(): pass" });
    const d = await store.state.getDelivery("s1", "a.py:f");
    expect(d).toEqual({ sessionId: "s1", symbolId: "a.py:f", etag: "e1", representation: "full", vhsRef: `vhs://${HASH}`, tokenEstimate: 42, codeSnapshot: "def f(): pass", lastAccessed: expect.stringMatching(ISO) });
    expect(parseTimestamp(d!.lastAccessed)).toBeGreaterThanOrEqual(before - 1);
    expect(await store.state.getDelivery("s1", "other")).toBeNull();
    expect(await store.state.getDelivery("s2", "a.py:f")).toBeNull();
    await store.close();
  });

  it("upserts: a second delivery of the symbol replaces every field", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "f", etag: "e1", representation: "full", vhsRef: HASH, tokenEstimate: 5, codeSnapshot: "v1" });
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "f", etag: "e2", representation: "signature_only" });
    expect(await store.state.getDelivery("s1", "f")).toMatchObject({ etag: "e2", representation: "signature_only", vhsRef: null, tokenEstimate: null, codeSnapshot: null });
    expect((await store.state.sessionStats("s1")).deliveryCount).toBe(1);
    await store.close();
  });

  it("stores a bare hash as a vhs:// ref", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "f", etag: "e", representation: "vhs_ref", vhsRef: HASH });
    expect((await store.state.getDelivery("s1", "f"))!.vhsRef).toBe(`vhs://${HASH}`);
    await store.close();
  });
});

describe("recordDeliveries", () => {
  it("upserts a batch of 500 in one transaction: one lock, one flush", async () => {
    const project = tempDir();
    const platform = createFaultyPlatform(nodePlatform);
    const store = await openProjectStore(project, platform);
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "sym0", etag: "old", representation: "incremental" });
    platform.resetCount();
    const batch = Array.from({ length: 500 }, (_, i) => ({ symbolId: `sym${i}`, etag: `e${i}`, representation: "full" as const, tokenEstimate: i }));
    await store.state.recordDeliveries("s1", batch);
    const dbPath = join(project, ".tldrs", "tldrs_state.db");
    const renames = platform.calls.filter((c) => c.op === "rename" && c.path.includes(dbPath));
    const locks = platform.calls.filter((c) => c.op === "create" && c.path.endsWith(".lock"));
    expect(renames).toHaveLength(1);
    expect(locks).toHaveLength(1);
    const stats = await store.state.sessionStats("s1");
    expect(stats.deliveryCount).toBe(500);
    expect(stats.totalTokensDelivered).toBe((499 * 500) / 2);
    expect((await store.state.getDelivery("s1", "sym0"))!.etag).toBe("e0");
    await store.close();
  });

  it("lets a later entry for the same symbol win", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDeliveries("s1", [
      { symbolId: "f", etag: "first", representation: "full" },
      { symbolId: "f", etag: "second", representation: "pdg_slice" },
    ]);
    expect(await store.state.getDelivery("s1", "f")).toMatchObject({ etag: "second", representation: "pdg_slice" });
    await store.close();
  });

  it("writes nothing for an empty batch", async () => {
    const project = tempDir();
    const store = await openProjectStore(project);
    await store.state.recordDeliveries("s1", []);
    expect(() => statSync(join(project, ".tldrs", "tldrs_state.db"))).toThrow(/ENOENT/);
    await store.close();
  });

  it("checks every entry before writing any", async () => {
    const store = await openProjectStore(tempDir());
    const batch = [
      { symbolId: "a", etag: "e", representation: "full" as const },
      { symbolId: "b", etag: "e", representation: "full" as const, tokenEstimate: -1 },
    ];
    await expect(store.state.recordDeliveries("s1", batch)).rejects.toThrow(/deliveries\[1\]\.tokenEstimate/);
    expect(await store.state.getDelivery("s1", "a")).toBeNull();
    await store.close();
  });

  it("keeps the session alive: a delivery touches its last_accessed", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.openSession("s1", { repoFingerprint: "git:0123456789ab" });
    await stateDbOf(store).write((db) => db.run("UPDATE sessions SET last_accessed = '2020-01-01T00:00:00+00:00'"));
    await store.state.recordDeliveries("s1", [{ symbolId: "f", etag: "e", representation: "full" }]);
    const { lastAccessed } = await store.state.sessionStats("s1");
    expect(parseTimestamp(lastAccessed!)).toBeGreaterThan(Date.parse("2025-01-01"));
    await store.close();
  });
});

describe("getPreviousCode", () => {
  it("keeps code only for full and incremental, as the Python store does", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDeliveries("s1", [
      { symbolId: "full", etag: "e", representation: "full", codeSnapshot: "F" },
      { symbolId: "incremental", etag: "e", representation: "incremental", codeSnapshot: "I" },
      { symbolId: "signature_only", etag: "e", representation: "signature_only", codeSnapshot: "S" },
      { symbolId: "pdg_slice", etag: "e", representation: "pdg_slice", codeSnapshot: "P" },
      { symbolId: "vhs_ref", etag: "e", representation: "vhs_ref", vhsRef: HASH, codeSnapshot: "V" },
    ]);
    const got = Object.fromEntries(
      await Promise.all(["full", "incremental", "signature_only", "pdg_slice", "vhs_ref", "never"].map(async (s) => [s, await store.state.getPreviousCode("s1", s)])),
    );
    expect(got).toEqual({ full: "F", incremental: "I", signature_only: null, pdg_slice: null, vhs_ref: null, never: null });
    // The column itself holds nothing for the others, so the Python store reads the same.
    expect((await store.state.getDelivery("s1", "signature_only"))!.codeSnapshot).toBeNull();
    await store.close();
  });

  it("forgets the code when the symbol is re-sent as a signature", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "f", etag: "e1", representation: "full", codeSnapshot: "v1" });
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "f", etag: "e2", representation: "incremental", codeSnapshot: "v2" });
    expect(await store.state.getPreviousCode("s1", "f")).toBe("v2");
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "f", etag: "e3", representation: "signature_only", codeSnapshot: "v3" });
    expect(await store.state.getPreviousCode("s1", "f")).toBeNull();
    await store.close();
  });
});
