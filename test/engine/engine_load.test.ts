// Loading the engine: glue and binary from the installed sql.js, checked; a damaged install is
// one clear error; an image too large is refused.
import { copyFileSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { loadSqlJsEngine, PINNED_BUILD, SQLJS_VERSION } from "../../src/engine/sqljs.ts";
import { snapshot, SQLJS_DIR } from "./helpers.ts";

/** A copy of the installed sql.js package (package.json and the browser build) to damage. */
function copyOfSqlJs(): { dir: string; url: URL } {
  const dir = join(tempDir(), "sql.js");
  mkdirSync(join(dir, "dist"), { recursive: true });
  for (const file of ["package.json", "dist/sql-wasm-browser.js", "dist/sql-wasm-browser.wasm"]) copyFileSync(join(SQLJS_DIR, file), join(dir, file));
  return { dir, url: pathToFileURL(dir + "/") };
}

function flipOneByte(path: string): void {
  const bytes = readFileSync(path);
  const mid = bytes.length >> 1;
  bytes[mid] = bytes[mid]! ^ 0x01;
  writeFileSync(path, bytes);
}

describe("engine load", () => {
  it("loads glue and binary from the installed sql.js package, both checked against the pinned build", async () => {
    const { info } = await loadSqlJsEngine(createNodePlatform());
    expect(info).toMatchObject({ engine: "sql.js", version: SQLJS_VERSION, glueSha256: PINNED_BUILD.glue, wasmSha256: PINNED_BUILD.wasm });
    expect(realpathSync(info.packageUrl)).toBe(realpathSync(SQLJS_DIR));
    // package.json depends on exactly the pinned version: npm can never pair our pins with another build.
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["sql.js"]).toBe(SQLJS_VERSION);
  });

  it("a tampered binary fails with one line naming the folder, both builds and the fix, even after the genuine one was loaded", async () => {
    const platform = createNodePlatform();
    const path = join(tempDir(), "tldrs_state.db");
    // The genuine engine first, on the same platform object (the engine is cached per package folder).
    await (await StateDb.open(platform, path, { engine: "sqljs" })).close();
    const copy = copyOfSqlJs();
    flipOneByte(join(copy.dir, "dist/sql-wasm-browser.wasm"));
    const err = await StateDb.open(platform, path, { engine: "sqljs", sqljsPackage: copy.url }).catch((e: unknown) => e);
    expect(isTldrsError(err, "EENGINE")).toBe(true);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toContain(`"${copy.dir}/"`);
    expect(message).toContain(`glue (dist/sql-wasm-browser.js) is sql.js ${SQLJS_VERSION}`);
    expect(message).toMatch(/binary \(dist\/sql-wasm-browser\.wasm\) is an unknown build \(sha256 [0-9a-f]{16}\.\.\.\)/);
    expect(message).toContain(`reinstall sql.js ${SQLJS_VERSION}`);
  });

  it("glue of another build than the binary (a bundler copied one file) is refused before either runs", async () => {
    const copy = copyOfSqlJs();
    // A glue that would throw if it ever ran: the check must come first.
    writeFileSync(join(copy.dir, "dist/sql-wasm-browser.js"), "throw new Error('the glue ran');\n");
    writeFileSync(join(copy.dir, "package.json"), JSON.stringify({ name: "sql.js", version: "9.9.9" }));
    const err = await StateDb.open(createNodePlatform(), join(tempDir(), "db"), { engine: "sqljs", sqljsPackage: copy.url }).catch((e: unknown) => e);
    expect(isTldrsError(err, "EENGINE")).toBe(true);
    expect((err as Error).message).toContain("its package.json says 9.9.9, its glue (dist/sql-wasm-browser.js) is an unknown build");
    expect((err as Error).message).toContain(`its binary (dist/sql-wasm-browser.wasm) is sql.js ${SQLJS_VERSION}`);
  });

  it("a missing binary or glue fails with EENGINE naming the file", async () => {
    const copy = copyOfSqlJs();
    rmSync(join(copy.dir, "dist/sql-wasm-browser.wasm"));
    const noWasm = await StateDb.open(createNodePlatform(), "/nonexistent/db", { engine: "sqljs", sqljsPackage: copy.url }).catch((e: unknown) => e);
    expect(isTldrsError(noWasm, "EENGINE")).toBe(true);
    expect((noWasm as Error).message).toContain(`"${copy.dir}/dist/sql-wasm-browser.wasm"`);
    rmSync(join(copy.dir, "dist/sql-wasm-browser.js"));
    const noGlue = await StateDb.open(createNodePlatform(), "/nonexistent/db", { engine: "sqljs", sqljsPackage: copy.url }).catch((e: unknown) => e);
    expect(isTldrsError(noGlue, "EENGINE")).toBe(true);
    expect((noGlue as Error).message).toMatch(/Cannot find the SQLite engine \(sql\.js [\d.]+\): "sql\.js\/dist\/sql-wasm-browser\.js" is not at/);
  });

  it("an image larger than maxImageBytes: ETOOLARGE on read and write, file untouched", async () => {
    const platform = createNodePlatform();
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path, { engine: "sqljs" });
    await db.write((d) => {
      for (let i = 0; i < 100; i++) d.run("INSERT INTO sessions VALUES (?, 'a', 'b', ?, NULL)", [`s${i}`, "x".repeat(500)]);
    });
    await db.close();
    const before = snapshot(path);
    const small = await StateDb.open(platform, path, { engine: "sqljs", maxImageBytes: 16 * 1024 });
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
