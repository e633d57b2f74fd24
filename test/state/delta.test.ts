import { describe, expect, it, vi } from "vitest";
import { NativeSql } from "../../src/engine/native_sql.ts";
import { SqlJsSql } from "../../src/engine/sqljs_sql.ts";
import { REPRESENTATIONS } from "../../src/state/representation.ts";
import { tempDir } from "../helpers/tmp.ts";
import { openProjectStore } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const HASH = "cd".repeat(32);

describe("checkDelta", () => {
  it("splits unchanged, changed and rehydrate", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDeliveries("s1", [
      { symbolId: "same", etag: "e1", representation: "full" },
      { symbolId: "same-with-ref", etag: "e2", representation: "full", vhsRef: `vhs://${HASH}` },
      { symbolId: "as-ref", etag: "e3", representation: "vhs_ref", vhsRef: HASH },
      { symbolId: "edited", etag: "old", representation: "full", vhsRef: `vhs://${HASH}` },
    ]);
    const delta = await store.state.checkDelta("s1", { same: "e1", "same-with-ref": "e2", "as-ref": "e3", edited: "new", unseen: "e9" });
    expect(delta.unchanged).toEqual(new Set(["same", "same-with-ref", "as-ref"]));
    expect(delta.changed).toEqual(new Set(["edited", "unseen"]));
    // Only unchanged symbols are rehydrated: an edited symbol's stored blob is stale.
    expect(delta.rehydrate).toEqual(new Map([["same-with-ref", `vhs://${HASH}`], ["as-ref", `vhs://${HASH}`]]));
    await store.close();
  });

  it("counts only full and vhs_ref with an equal etag as unchanged", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDeliveries(
      "s1",
      REPRESENTATIONS.map((representation) => ({ symbolId: representation, etag: "e", representation, vhsRef: HASH })),
    );
    const delta = await store.state.checkDelta("s1", new Map(REPRESENTATIONS.map((r) => [r, "e"])));
    expect(delta.unchanged).toEqual(new Set(["full", "vhs_ref"]));
    expect(delta.changed).toEqual(new Set(["incremental", "signature_only", "pdg_slice"]));
    expect([...delta.rehydrate.keys()].sort()).toEqual(["full", "vhs_ref"]);
    await store.close();
  });

  it("sees only the asked session's deliveries", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDelivery({ sessionId: "other", symbolId: "f", etag: "e", representation: "full" });
    const delta = await store.state.checkDelta("s1", { f: "e" });
    expect(delta.changed).toEqual(new Set(["f"]));
    await store.close();
  });

  it("leaves a stored value that is not a valid ref out of rehydrate", async () => {
    const store = await openProjectStore(tempDir());
    // As a foreign writer might have stored it.
    await stateDbOf(store).write((db) =>
      db.run("INSERT INTO deliveries (session_id, symbol_id, etag, representation, vhs_ref, last_accessed) VALUES ('s1', 'f', 'e', 'full', 'not-a-ref', '2026-01-01T00:00:00+00:00')"),
    );
    const delta = await store.state.checkDelta("s1", { f: "e" });
    expect(delta.unchanged).toEqual(new Set(["f"]));
    expect(delta.rehydrate.size).toBe(0);
    await store.close();
  });

  it("answers an empty question without touching the database", async () => {
    const store = await openProjectStore(tempDir());
    const read = vi.spyOn(stateDbOf(store), "read");
    const delta = await store.state.checkDelta("s1", {});
    expect(delta).toEqual({ unchanged: new Set(), changed: new Set(), rehydrate: new Map() });
    expect(read).not.toHaveBeenCalled();
    await store.close();
  });

  // Two plans: a session scan when the session holds at most twice the symbols asked
  // about, else primary-key lookups in chunks of 500 ids (SQLite's bound-parameter limit).
  it.each([
    ["a session scan", 10_000, 10_000] as const,
    ["chunked lookups", 10_000, 21_000],
  ])("checks 10,000 symbols in one read, by %s", async (_plan, asked, stored) => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDeliveries(
      "s1",
      Array.from({ length: stored }, (_, i) => ({ symbolId: `sym${i}`, etag: `e${i}`, representation: i % 3 === 0 ? ("signature_only" as const) : ("full" as const), vhsRef: i % 2 ? HASH : null })),
    );
    await store.state.recordDelivery({ sessionId: "other", symbolId: "sym1", etag: "e1", representation: "full" });
    const etags: Record<string, string> = {};
    for (let i = 0; i < asked - 1; i++) etags[`sym${i}`] = i % 5 === 0 ? "edited" : `e${i}`;
    etags["new"] = "x";
    const read = vi.spyOn(stateDbOf(store), "read");
    // Watch which statements the engine prepares (once per SQL text within a call).
    const spies = [SqlJsSql, NativeSql].map((engine) => vi.spyOn(engine.prototype as unknown as { prepareNew(sql: string): unknown }, "prepareNew"));
    const delta = await store.state.checkDelta("s1", etags);
    expect(read).toHaveBeenCalledTimes(1);
    const lookups = spies.flatMap((spy) => spy.mock.calls).filter(([sql]) => String(sql).includes("symbol_id IN (")).length;
    for (const spy of spies) spy.mockRestore();
    expect(lookups).toBe(stored > asked * 2 ? 1 : 0); // 20 chunks of 500: one statement, reused
    const expected = { unchanged: new Set<string>(), rehydrate: new Map<string, string>() };
    for (let i = 0; i < asked - 1; i++) {
      if (i % 3 !== 0 && i % 5 !== 0) {
        expected.unchanged.add(`sym${i}`);
        if (i % 2) expected.rehydrate.set(`sym${i}`, `vhs://${HASH}`);
      }
    }
    expect(delta.unchanged).toEqual(expected.unchanged);
    expect(delta.rehydrate).toEqual(expected.rehydrate);
    expect(delta.changed.size).toBe(asked - expected.unchanged.size);
    expect(delta.changed.has("sym0")).toBe(true);
    expect(delta.changed.has("new")).toBe(true);
    await store.close();
  });

  it("takes either plan for a small question", async () => {
    const store = await openProjectStore(tempDir());
    await store.state.recordDeliveries("s1", Array.from({ length: 1_200 }, (_, i) => ({ symbolId: `sym${i}`, etag: "e", representation: "full" as const })));
    // 3 asked of 1,200 stored: lookups; 1,100 asked: a scan.
    expect((await store.state.checkDelta("s1", { sym5: "e", sym6: "x", nope: "e" })).unchanged).toEqual(new Set(["sym5"]));
    const many = Object.fromEntries(Array.from({ length: 1_100 }, (_, i) => [`sym${i}`, i === 7 ? "x" : "e"]));
    const delta = await store.state.checkDelta("s1", many);
    expect(delta.unchanged.size).toBe(1_099);
    expect(delta.changed).toEqual(new Set(["sym7"]));
    await store.close();
  });
});
