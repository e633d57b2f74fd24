import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ContextStore } from "../../src/context/store_port.ts";
import { PREVIEW_BYTES, PREVIEW_LINES } from "../../src/context/vhs_output.ts";
import { openStoreWith, type Store } from "../../src/store.ts";
import { context, contextJson, noStore, platform, project, rejection, storeOpener } from "./helpers.ts";

const FILES = {
  "app.py": [
    "def entry(x):",
    "    return first(x) + second(x)",
    "",
    "def first(x):",
    "    return x + 1",
    "",
    "def second(x):",
    "    return x * 2",
    "",
  ].join("\n"),
};

/** The real store, with recordDeliveries calls counted. */
function countingOpener(dir: string): { open: () => Promise<ContextStore>; batches: number[] } {
  const batches: number[] = [];
  const open = async (): Promise<ContextStore> => {
    const store = await openStoreWith(platform, { project: dir });
    const record = store.state.recordDeliveries.bind(store.state);
    store.state.recordDeliveries = (sessionId, deliveries) => {
      batches.push(deliveries.length);
      return record(sessionId, deliveries);
    };
    return store;
  };
  return { open, batches };
}

async function withStore<T>(dir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStoreWith(platform, { project: dir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe("delta sessions", () => {
  it("first call sends code, the second marks [UNCHANGED] without bodies, an edit resends that symbol", async () => {
    const dir = project(FILES);
    const { open, batches } = countingOpener(dir);
    const body = { includeBody: true };
    const first = await context(dir, "entry", { sessionId: "s1", ...body }, open);
    const lines1 = first.stdout.split("\n");
    expect(lines1[0]).toBe("# Delta: 0 unchanged, 3 changed");
    expect(lines1[1]).toBe("# Context: app.py:entry depth=2 symbols=3 files=1");
    expect(first.stdout).toContain("    return x + 1\n");
    expect(first.stdout).not.toContain("[UNCHANGED]");
    expect(batches).toEqual([3]); // every delivery in one call
    expect(existsSync(join(dir, ".tldrs/tldrs_state.db"))).toBe(true); // under --project, not the cwd

    const second = await context(dir, "entry", { sessionId: "s1", ...body }, open);
    expect(second.stdout.split("\n")[0]).toBe("# Delta: 3 unchanged, 0 changed");
    expect(second.stdout).toContain("## app.py:first (lines 4-5) [depth 1]\ndef first(x)  [UNCHANGED]\n");
    expect(second.stdout).not.toContain("return x + 1");
    expect(second.stdout).not.toContain("return first(x)");
    expect(second.stdout.length).toBeLessThan(first.stdout.length);
    expect(batches).toEqual([3, 3]);

    writeFileSync(join(dir, "app.py"), readFileSync(join(dir, "app.py"), "utf8").replace("x + 1", "x + 100"));
    const third = await context(dir, "entry", { sessionId: "s1", ...body }, open);
    expect(third.stdout.split("\n")[0]).toBe("# Delta: 2 unchanged, 1 changed");
    expect(third.stdout).toContain("def first(x):\n    return x + 100\n");
    expect(third.stdout).toContain("def second(x)  [UNCHANGED]");

    // Another session knows nothing.
    const other = await context(dir, "entry", { sessionId: "s2", ...body }, open);
    expect(other.stdout.split("\n")[0]).toBe("# Delta: 0 unchanged, 3 changed");
  });

  it("records full deliveries with etag, code snapshot and token estimate", async () => {
    const dir = project(FILES);
    const doc = await contextJson(dir, "entry", { sessionId: "s1" });
    const first = doc.symbols.find((s) => s.id === "app.py:first")!;
    const delivery = await withStore(dir, (store) => store.state.getDelivery("s1", "app.py:first"));
    expect(delivery).toMatchObject({
      sessionId: "s1",
      symbolId: "app.py:first",
      etag: first.etag,
      representation: "full",
      codeSnapshot: first.code,
      tokenEstimate: Math.ceil(first.code!.length / 4),
      vhsRef: null,
    });
  });

  it("--no-delta never marks, even with a session that holds everything", async () => {
    const dir = project(FILES);
    await context(dir, "entry", { sessionId: "s1", includeBody: true });
    const r = await context(dir, "entry", { sessionId: "s1", delta: false, includeBody: true });
    expect(r.stdout).not.toContain("# Delta");
    expect(r.stdout).not.toContain("[UNCHANGED]");
    expect(r.stdout).toContain("    return x + 1\n");
  });

  it("--delta without a session id uses the repo's default session", async () => {
    const dir = project(FILES);
    const a = await context(dir, "entry", { delta: true, includeBody: true });
    expect(a.stdout.split("\n")[0]).toBe("# Delta: 0 unchanged, 3 changed");
    const b = await context(dir, "entry", { delta: true, includeBody: true });
    expect(b.stdout.split("\n")[0]).toBe("# Delta: 3 unchanged, 0 changed");
    const id = readFileSync(join(dir, ".tldrs/default_session_id"), "utf8").trim();
    expect(await withStore(dir, (store) => store.state.getDelivery(id, "app.py:entry"))).not.toBeNull();
    // Without a session or --delta, no store is opened and nothing is marked.
    expect((await context(dir, "entry", {}, noStore)).stdout).not.toContain("[UNCHANGED]");
  });

  it("json and ultracompact carry the delta too", async () => {
    const dir = project(FILES);
    await context(dir, "entry", { sessionId: "s1", depth: 1, includeBody: true });
    const doc = await contextJson(dir, "entry", { sessionId: "s1" });
    expect(doc.delta).toEqual({ unchanged: 3, changed: 0 });
    expect(doc.unchanged).toEqual(["app.py:entry", "app.py:first", "app.py:second"]);
    expect(doc.symbols.every((s) => s.unchanged && s.code === null)).toBe(true);
    const uc = await context(dir, "entry", { sessionId: "s1", format: "ultracompact" });
    expect(uc.stdout.split("\n")[0]).toBe("# Delta: 3 unchanged, 0 changed");
    expect(uc.stdout).toContain("P0:first def first(x) @4-5 [d1] [UNCHANGED]\n");
    expect(uc.stdout).not.toContain("```");
  });

  it("symbols left out by a budget are not recorded as delivered", async () => {
    const dir = project(FILES);
    const { open, batches } = countingOpener(dir);
    const r = await context(dir, "entry", { sessionId: "s1", maxLines: 14, includeBody: true }, open);
    expect(r.stdout).toMatch(/# Cut to fit --budget 6000 \(the default; 0: none\) --max-lines 14;/);
    expect(r.stdout).toContain("\n# app.py: second 18/4\n");
    const sent = batches[0]!;
    expect(sent).toBe(2);
    const again = await context(dir, "entry", { sessionId: "s1", includeBody: true });
    expect(again.stdout.split("\n")[0]).toBe(`# Delta: ${sent} unchanged, ${3 - sent} changed`);
  });

  it("a symbol sent as its signature is recorded signature_only, and is sent again (never UNCHANGED) until its code has gone out", async () => {
    const dir = project(FILES);
    const first = await context(dir, "entry", { sessionId: "s1" }); // the default: callees as signatures
    expect(first.stdout).toContain("## app.py:first (lines 4-5) [depth 1]\ndef first(x)\n");
    expect(await withStore(dir, (store) => store.state.getDelivery("s1", "app.py:first"))).toMatchObject({ representation: "signature_only", codeSnapshot: null });
    expect(await withStore(dir, (store) => store.state.getDelivery("s1", "app.py:entry"))).toMatchObject({ representation: "full" });
    const second = await context(dir, "entry", { sessionId: "s1", includeBody: true });
    expect(second.stdout.split("\n")[0]).toBe("# Delta: 1 unchanged, 2 changed");
    expect(second.stdout).toContain("def first(x):\n    return x + 1\n");
    const third = await context(dir, "entry", { sessionId: "s1" });
    expect(third.stdout.split("\n")[0]).toBe("# Delta: 3 unchanged, 0 changed");
    expect(await withStore(dir, (store) => store.state.getDelivery("s1", "app.py:first"))).toMatchObject({ representation: "full" });
  });
});

describe("--output vhs", () => {
  it("prints ref, summary and preview; the blob holds the whole output", async () => {
    const dir = project(FILES);
    const plain = await context(dir, "entry", {}, noStore);
    const r = await context(dir, "entry", { output: "vhs" });
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
    expect(lines[1]).toBe("# Summary: Entry entry depth=2 functions=3 files=1");
    expect(lines[2]).toBe("# Preview:");
    expect(r.stdout.slice(r.stdout.indexOf("# Preview:\n") + 11)).toBe(plain.stdout); // small: all of it
    expect(await withStore(dir, (store) => store.vhs.getText(lines[0]!))).toBe(plain.stdout);
  });

  it("the preview stops at 30 lines and 2,048 bytes, never inside a line", async () => {
    const many = Array.from({ length: 60 }, (_, i) => `    v${i} = ${i}`).join("\n");
    const dir = project({ "big.py": `def big():\n${many}\n    return 0\n` });
    const r = await context(dir, "big", { output: "vhs" });
    const preview = r.stdout.slice(r.stdout.indexOf("# Preview:\n") + 11);
    const full = await withStore(dir, (store) => store.vhs.getText(r.stdout.split("\n")[0]!));
    expect(preview.endsWith("\n")).toBe(true);
    expect(preview.split("\n")).toHaveLength(PREVIEW_LINES + 1);
    expect(full.startsWith(preview)).toBe(true);

    const wide = Array.from({ length: 20 }, (_, i) => `    w${i} = "${"x".repeat(200)}"`).join("\n");
    const dir2 = project({ "wide.py": `def wide():\n${wide}\n` });
    const r2 = await context(dir2, "wide", { output: "vhs" });
    const preview2 = r2.stdout.slice(r2.stdout.indexOf("# Preview:\n") + 11);
    const full2 = await withStore(dir2, (store) => store.vhs.getText(r2.stdout.split("\n")[0]!));
    expect(Buffer.byteLength(preview2)).toBeLessThanOrEqual(PREVIEW_BYTES);
    expect(Buffer.byteLength(preview2)).toBeGreaterThan(PREVIEW_BYTES - 250);
    expect(full2.startsWith(preview2)).toBe(true);
    expect(preview2.endsWith("\n")).toBe(true);
    for (const line of preview2.trimEnd().split("\n")) expect(full2.split("\n")).toContain(line);
  });

  it("with a session: deliveries point at the blob, and the next call offers it for rehydration", async () => {
    const dir = project(FILES);
    const r = await context(dir, "entry", { output: "vhs", sessionId: "s1", includeBody: true });
    const ref = r.stdout.split("\n")[0]!;
    const d = await withStore(dir, (store) => store.state.getDelivery("s1", "app.py:first"));
    expect(d).toMatchObject({ representation: "vhs_ref", vhsRef: ref, codeSnapshot: null });
    const again = await context(dir, "entry", { sessionId: "s1" });
    expect(again.stdout.split("\n")[0]).toBe("# Delta: 3 unchanged, 0 changed");
    expect(again.stdout).toContain(`# Rehydrate app.py:first: ${ref}`);
    // Re-recorded as it was: the blob ref survives the UNCHANGED answer.
    expect(await withStore(dir, (store) => store.state.getDelivery("s1", "app.py:first"))).toMatchObject({ representation: "vhs_ref", vhsRef: ref });
  });
});

describe("--include", () => {
  it("appends each stored text after '# Included <ref>'", async () => {
    const dir = project(FILES);
    const [a, b] = await withStore(dir, async (store) => [await store.vhs.put("first blob\nline 2\n"), await store.vhs.put("second blob")]);
    const plain = await context(dir, "entry", { depth: 0 }, noStore);
    const r = await context(dir, "entry", { depth: 0, include: [a!, b!.slice("vhs://".length)] });
    expect(r.stdout).toBe(`${plain.stdout}\n# Included ${a}\nfirst blob\nline 2\n\n# Included ${b}\nsecond blob\n`);
    const doc = await contextJson(dir, "entry", { depth: 0, include: [a!] });
    expect(doc.includes).toEqual([{ ref: a, text: "first blob\nline 2\n" }]);
  });

  it("a bad or missing ref fails before anything is recorded", async () => {
    const dir = project(FILES);
    const bad = await rejection(context(dir, "entry", { include: ["vhs://nothex"], sessionId: "s1" }));
    expect(bad.code).toBe("EINVALIDREF");
    const missing = await rejection(context(dir, "entry", { include: [`vhs://${"0".repeat(64)}`], sessionId: "s1" }));
    expect(missing.code).toBe("ENOTFOUND");
    expect(await withStore(dir, (store) => store.state.getDelivery("s1", "app.py:entry"))).toBeNull();
  });

  it("included text goes into the vhs blob too", async () => {
    const dir = project(FILES);
    const inc = await withStore(dir, (store) => store.vhs.put("extra notes\n"));
    const r = await context(dir, "entry", { output: "vhs", include: [inc] });
    const blob = await withStore(dir, (store) => store.vhs.getText(r.stdout.split("\n")[0]!));
    expect(blob.endsWith(`# Included ${inc}\nextra notes\n`)).toBe(true);
  });
});

describe("store typing", () => {
  it("the real store satisfies the context's store port", () => {
    const opener: (dir: string) => () => Promise<ContextStore> = storeOpener;
    expect(typeof opener).toBe("function");
  });
});
