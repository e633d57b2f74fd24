/**
 * Interop both ways with a Python script using sqlite3 the way the Python store does
 * (test/interop/tldr_swinton_state.py: WAL, a connection per operation, upserts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../src/engine/timestamp.ts";
import { tempDir } from "../helpers/tmp.ts";
import { python } from "../engine/helpers.ts";
import { HAS_PYTHON, NO_PYTHON, openProjectStore, pythonState } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const HASH = "12".repeat(32);

interface PyDelivery {
  session_id: string;
  symbol_id: string;
  etag: string;
  representation: string;
  vhs_ref: string | null;
  token_estimate: number | null;
  code_snapshot: string | null;
  last_accessed: string;
}
interface PyDelta {
  unchanged: string[];
  changed: string[];
  rehydrate: Record<string, string>;
}
interface PyStats {
  delivery_count: number;
  total_tokens_delivered: number;
  created_at: string | null;
  last_accessed: string | null;
  repo_fingerprint: string | null;
}

/** Python's own reading of a timestamp, as epoch ms. */
function pythonParse(value: string): number {
  return Number(python("import sys,datetime; print(datetime.datetime.fromisoformat(sys.argv[1]).timestamp()*1000)", [value]));
}

describe.skipIf(!HAS_PYTHON)(`interop with the Python store (${HAS_PYTHON ? "python3 found" : NO_PYTHON})`, () => {
  it("Python reads what tldrs wrote", async () => {
    const project = tempDir();
    const root = join(project, ".tldrs");
    const store = await openProjectStore(project);
    await store.state.openSession("s1", { repoFingerprint: "git:0123456789ab", defaultLanguage: "python" });
    await store.state.recordDeliveries("s1", [
      { symbolId: "a.py:f", etag: "e1", representation: "full", vhsRef: HASH, tokenEstimate: 10, codeSnapshot: "def f(): ..." },
      { symbolId: "a.py:g", etag: "e2", representation: "signature_only", tokenEstimate: 3, codeSnapshot: "dropped" },
      { symbolId: "a.py:h", etag: "e3", representation: "vhs_ref", vhsRef: `vhs://${HASH}` },
    ]);
    await store.close();

    const f = pythonState<PyDelivery>(root, "get", "s1", "a.py:f");
    expect(f).toMatchObject({ etag: "e1", representation: "full", vhs_ref: `vhs://${HASH}`, token_estimate: 10, code_snapshot: "def f(): ..." });
    // Python parses our timestamps to the same instant.
    expect(Math.abs(pythonParse(f.last_accessed) - parseTimestamp(f.last_accessed))).toBeLessThan(0.01);
    expect(pythonState(root, "previous-code", "s1", "a.py:g")).toBeNull();
    expect(pythonState(root, "previous-code", "s1", "a.py:f")).toBe("def f(): ...");
    const delta = pythonState<PyDelta>(root, "delta", "s1", JSON.stringify({ "a.py:f": "e1", "a.py:g": "e2", "a.py:h": "e3", "a.py:i": "e4" }));
    expect(delta).toEqual({ unchanged: ["a.py:f", "a.py:h"], changed: ["a.py:g", "a.py:i"], rehydrate: { "a.py:f": `vhs://${HASH}`, "a.py:h": `vhs://${HASH}` } });
    expect(pythonState<PyStats>(root, "stats", "s1")).toMatchObject({ delivery_count: 3, total_tokens_delivered: 13, repo_fingerprint: "git:0123456789ab" });
  });

  it("tldrs reads what Python wrote, then both keep writing the same file", async () => {
    const project = tempDir();
    const root = join(project, ".tldrs");
    pythonState(root, "open-session", "s1", "git:aaaaaaaaaaaa", "go");
    pythonState(root, "record", "s1", JSON.stringify([
      { symbol_id: "m.go:F", etag: "e1", representation: "full", vhs_ref: HASH, token_estimate: 7, code_snapshot: "func F() {}" },
      { symbol_id: "m.go:G", etag: "e2", representation: "pdg_slice", token_estimate: 2, code_snapshot: "ignored" },
    ]));
    // The Python store leaves a WAL-mode file and no -wal once its connection closed.
    expect(readFileSync(join(root, "tldrs_state.db"))[18]).toBe(2);
    expect(existsSync(join(root, "tldrs_state.db-wal"))).toBe(false);

    const store = await openProjectStore(project);
    expect(await store.state.getDelivery("s1", "m.go:F")).toMatchObject({ etag: "e1", representation: "full", vhsRef: HASH, tokenEstimate: 7, codeSnapshot: "func F() {}" });
    expect(await store.state.getPreviousCode("s1", "m.go:G")).toBeNull();
    const delta = await store.state.checkDelta("s1", { "m.go:F": "e1", "m.go:G": "e2" });
    expect(delta.unchanged).toEqual(new Set(["m.go:F"]));
    // A bare hash stored by Python comes back as a ref.
    expect(delta.rehydrate).toEqual(new Map([["m.go:F", `vhs://${HASH}`]]));
    const opened = await store.state.openSession("s1", { repoFingerprint: "git:bbbbbbbbbbbb" });
    expect(opened).toMatchObject({ created: false, defaultLanguage: "go", drift: { previous: "git:aaaaaaaaaaaa", current: "git:bbbbbbbbbbbb" } });
    expect(parseTimestamp(opened.createdAt)).not.toBeNaN();
    await store.state.recordDelivery({ sessionId: "s1", symbolId: "m.go:H", etag: "e3", representation: "incremental", codeSnapshot: "func H() {}" });

    // Python writes again over our file, and we see it (the engine reloads a changed file).
    pythonState(root, "record", "s1", JSON.stringify([{ symbol_id: "m.go:F", etag: "e9", representation: "full" }]));
    expect((await store.state.getDelivery("s1", "m.go:F"))!.etag).toBe("e9");
    expect(pythonState<PyDelivery>(root, "get", "s1", "m.go:H")).toMatchObject({ representation: "incremental", code_snapshot: "func H() {}" });
    expect(pythonState<PyStats>(root, "stats", "s1")).toMatchObject({ delivery_count: 3, repo_fingerprint: "git:bbbbbbbbbbbb" });
    expect((await store.state.sessionStats("s1")).deliveryCount).toBe(3);
    await store.close();
  });

  it("cleans up Python-written timestamps without microseconds, and Python cleans up ours", async () => {
    const project = tempDir();
    const root = join(project, ".tldrs");
    pythonState(root, "open-session", "py-old", "fp");
    pythonState(root, "record", "py-old", JSON.stringify([{ symbol_id: "f", etag: "e", representation: "full" }]));
    pythonState(root, "open-session", "py-live", "fp");
    // Backdate as Python would write a whole-second time: isoformat() omits ".000000".
    python(
      "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE sessions SET last_accessed='2020-01-01T00:00:00+00:00' WHERE session_id='py-old'\"); c.commit(); c.close()",
      [join(root, "tldrs_state.db")],
    );
    const store = await openProjectStore(project);
    expect(await store.state.cleanupExpired({ ttlSeconds: 3600 })).toEqual({ sessions: 1, deliveries: 1 });
    expect((await store.state.listSessions()).map((s) => s.sessionId)).toEqual(["py-live"]);

    await store.state.openSession("ts-old", { repoFingerprint: "fp" });
    await store.state.recordDeliveries("ts-old", [
      { symbolId: "a", etag: "e", representation: "full" },
      { symbolId: "b", etag: "e", representation: "full" },
    ]);
    await stateDbOf(store).write((db) => db.run("UPDATE sessions SET last_accessed = '2021-06-01T10:00:00.000001+00:00' WHERE session_id = 'ts-old'"));
    await store.close();
    expect(pythonState(root, "cleanup", "3600")).toEqual({ sessions: 1, deliveries: 2 });
    expect(pythonState<PyStats>(root, "stats", "py-live").created_at).not.toBeNull();
  });

  it("adds code_snapshot to a file an older Python store made without it", async () => {
    const project = tempDir();
    const db = join(project, ".tldrs", "tldrs_state.db");
    python(
      `import os,sqlite3,sys
os.makedirs(os.path.dirname(sys.argv[1]))
c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=WAL")
c.execute("CREATE TABLE deliveries (session_id TEXT NOT NULL, symbol_id TEXT NOT NULL, etag TEXT NOT NULL, representation TEXT NOT NULL, vhs_ref TEXT, token_estimate INTEGER, last_accessed TEXT NOT NULL, PRIMARY KEY(session_id, symbol_id))")
c.execute("INSERT INTO deliveries VALUES ('s','old','e','full',NULL,NULL,'2026-01-01T00:00:00+00:00')")
c.commit(); c.close()`,
      [db],
    );
    const store = await openProjectStore(project);
    expect(await store.state.getDelivery("s", "old")).toMatchObject({ etag: "e", codeSnapshot: null });
    await store.state.recordDelivery({ sessionId: "s", symbolId: "new", etag: "e", representation: "full", codeSnapshot: "x" });
    await store.close();
    expect(pythonState(join(project, ".tldrs"), "previous-code", "s", "new")).toBe("x");
  });
});
