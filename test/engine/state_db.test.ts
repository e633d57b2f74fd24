import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";

const platform = createNodePlatform();

describe("StateDb basics", () => {
  it("creates the file on the first write only, and reads back", async () => {
    const dir = tempDir();
    const path = join(dir, "tldrs_state.db");
    const db = await StateDb.open(platform, path);
    const n = await db.read((d) => d.get("SELECT count(*) FROM objects")![0]);
    expect(n).toBe(0);
    expect(existsSync(path)).toBe(false);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    expect(existsSync(path)).toBe(true);
    expect(existsSync(path + ".lock")).toBe(false);
    const other = await StateDb.open(createNodePlatform(), path);
    expect(await other.read((d) => d.all("SELECT session_id FROM sessions"))).toEqual([["s"]]);
    await db.close();
    await other.close();
  });

  it("does not flush a transaction that changed nothing", async () => {
    const dir = tempDir();
    const path = join(dir, "tldrs_state.db");
    const db = await StateDb.open(platform, path);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    await db.idle();
    const before = statSync(path);
    const bytes = readFileSync(path);
    await db.write((d) => d.exec("SELECT * FROM sessions"));
    await db.idle();
    const after = statSync(path);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(path)).toEqual(bytes);
    await db.close();
  });

  it("rolls back and writes nothing when fn throws", async () => {
    const dir = tempDir();
    const path = join(dir, "tldrs_state.db");
    const db = await StateDb.open(platform, path);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    await db.idle(); // the native engine's commits reach the file itself when its connection closes
    const bytes = readFileSync(path);
    await expect(
      db.write((d) => {
        d.run("INSERT INTO sessions VALUES ('t', 'a', 'b', 'fp', NULL)");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await db.idle();
    expect(readFileSync(path)).toEqual(bytes);
    expect(existsSync(path + ".lock")).toBe(false);
    expect(await db.read((d) => d.get("SELECT count(*) FROM sessions")![0])).toBe(1);
    await db.close();
  });
});
