// Loading the engine: a tampered .wasm is refused; an image too large is refused.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { snapshot, WASM_PATH } from "./helpers.ts";

describe("engine load", () => {
  it("a tampered .wasm fails with EENGINE naming the file, even after the genuine one was loaded", async () => {
    const platform = createNodePlatform();
    const path = join(tempDir(), "tldrs_state.db");
    // The genuine engine first, on the same platform object (the engine is cached per platform).
    await (await StateDb.open(platform, path)).close();
    const tampered = join(tempDir(), "sql-wasm.wasm");
    copyFileSync(WASM_PATH, tampered);
    const bytes = readFileSync(tampered);
    const mid = bytes.length >> 1;
    bytes[mid] = bytes[mid]! ^ 0x01;
    writeFileSync(tampered, bytes);
    const url = pathToFileURL(tampered);
    const err = await StateDb.open(platform, path, { wasmUrl: url }).catch((e: unknown) => e);
    expect(isTldrsError(err, "EENGINE")).toBe(true);
    expect((err as Error).message).toContain(url.href);
    expect((err as Error).message).toMatch(/not the one tldrs was built with.*reinstall/);
  });

  it("a missing .wasm fails with EENGINE naming the file", async () => {
    const url = pathToFileURL(join(tempDir(), "missing.wasm"));
    const err = await StateDb.open(createNodePlatform(), "/nonexistent/db", { wasmUrl: url }).catch((e: unknown) => e);
    expect(isTldrsError(err, "EENGINE")).toBe(true);
    expect((err as Error).message).toContain(url.href);
  });

  it("an image larger than maxImageBytes: ETOOLARGE on read and write, file untouched", async () => {
    const platform = createNodePlatform();
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path);
    await db.write((d) => {
      for (let i = 0; i < 100; i++) d.run("INSERT INTO sessions VALUES (?, 'a', 'b', ?, NULL)", [`s${i}`, "x".repeat(500)]);
    });
    await db.close();
    const before = snapshot(path);
    const small = await StateDb.open(platform, path, { maxImageBytes: 16 * 1024 });
    for (const run of [() => small.read((d) => d.exec("SELECT 1")), () => small.write((d) => d.run("DELETE FROM sessions"))]) {
      const err = await run().catch((e: unknown) => e);
      expect(isTldrsError(err, "ETOOLARGE")).toBe(true);
      expect((err as Error).message).toContain(`"${path}"`);
      expect((err as Error).message).toContain(`${before.size} bytes`);
    }
    await small.close();
    const after = snapshot(path);
    expect(after.ino).toBe(before.ino);
    expect(after.bytes.equals(before.bytes)).toBe(true);
  });
});
