// A read takes no lock and writes nothing.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StateDb } from "../../src/engine/state_db.ts";
import { createFaultyPlatform } from "../../src/platform/faulty.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { snapshot, startNodeChild } from "./helpers.ts";

const platform = createNodePlatform();
const MUTATING = new Set(["create", "write", "fsync", "rename", "link", "unlink", "mkdir", "rmdir", "chmod", "syncDir"]);

describe("read", () => {
  it("on an existing file: only looks (stat, open, read), file bytes, inode and mtime unchanged", async () => {
    const dir = tempDir();
    const path = join(dir, "tldrs_state.db");
    const writer = await StateDb.open(platform, path);
    await writer.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    await writer.close();
    const before = snapshot(path);

    const watched = createFaultyPlatform(createNodePlatform());
    const db = await StateDb.open(watched, path);
    for (let i = 0; i < 3; i++) {
      expect(await db.read((d) => d.all("SELECT session_id FROM sessions"))).toEqual([["s"]]);
    }
    await db.close();
    const ops = new Set(watched.calls.map((c) => c.op));
    expect([...ops].filter((op) => MUTATING.has(op))).toEqual([]);
    expect(watched.calls.some((c) => c.path.includes(".lock"))).toBe(false);
    const after = snapshot(path);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.bytes.equals(before.bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(["tldrs_state.db"]);
  });

  it("on a missing file: the schema lives in memory only, no file or folder is created", async () => {
    const root = tempDir();
    const path = join(root, "not-yet", ".tldrs", "tldrs_state.db");
    const watched = createFaultyPlatform(createNodePlatform());
    const db = await StateDb.open(watched, path);
    const tables = await db.read((d) => d.all("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1").map((r) => r[0]));
    expect(tables).toEqual(["deliveries", "objects", "sessions"]);
    await db.close();
    expect([...new Set(watched.calls.map((c) => c.op))].filter((op) => MUTATING.has(op))).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it("proceeds while another process of its engine holds the writer lock", async () => {
    // (A native reader steps aside for a sql.js writer, which may rename: mixed_fleet.test.ts.)
    const path = join(tempDir(), "tldrs_state.db");
    const writer = await StateDb.open(platform, path);
    await writer.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    const holder = startNodeChild("hold_lock.mjs", [path, "lock", writer.engine.name]);
    try {
      await holder.waitForLine((l) => l.startsWith("holding"));
      expect(existsSync(path + ".lock")).toBe(true);
      const reader = await StateDb.open(platform, path, { lock: { timeoutMs: 1, staleMs: 60_000 } });
      expect(await reader.read((d) => d.get("SELECT count(*) FROM sessions")![0])).toBe(1);
      await reader.close();
    } finally {
      holder.proc.kill("SIGKILL");
      await holder.exited;
    }
    await writer.close();
  });
});
