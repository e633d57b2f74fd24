// Several real processes on one database file: round trip, no lost update, stale locks.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { DEAD_PID, query, startNodeChild } from "./helpers.ts";

const platform = createNodePlatform();

function staleRecord(pid: number, createdMs = Date.now()): string {
  return JSON.stringify({ pid, host: hostname(), runtime: "node", token: "0123456789abcdef0123456789abcdef", created_at: "", created_ms: createdMs }) + "\n";
}

describe("round trip between processes", () => {
  it("a child reads what this process committed, and this process reads what a child committed", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('parent-1', 'a', 'b', 'fp', NULL)"));

    const reader = startNodeChild("reader.mjs", [path]);
    expect(await reader.exited).toEqual({ code: 0, signal: null });
    expect(JSON.parse(reader.lines[0]!)).toEqual(["parent-1"]);

    const writer = startNodeChild("writer.mjs", [path, "rows", "3", "child"]);
    expect((await writer.exited).code).toBe(0);
    // The same StateDb object notices the file changed and reloads it.
    const ids = await db.read((d) => d.all("SELECT session_id FROM sessions ORDER BY 1").map((r) => r[0]));
    expect(ids).toEqual(["child-1", "child-2", "child-3", "parent-1"]);
    await db.close();
  });
});

describe("concurrent writers", () => {
  it("4 processes x 100 transactions adding a row: exactly 400 rows", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const children = [1, 2, 3, 4].map((n) => startNodeChild("writer.mjs", [path, "rows", "100", `w${n}`]));
    for (const c of children) expect((await c.exited).code, c.stderr()).toBe(0);
    const rows = await query(platform, path, "SELECT session_id FROM sessions");
    expect(rows.length).toBe(400);
    expect(new Set(rows.map((r) => r[0])).size).toBe(400);
    expect(await query(platform, path, "PRAGMA integrity_check")).toEqual([["ok"]]);
    expect(existsSync(path + ".lock")).toBe(false);
  });

  it("4 processes x 100 read-modify-write increments: the counter ends at exactly 400", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path);
    await db.write((d) => d.run("CREATE TABLE counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"));
    await db.close();
    const children = [1, 2, 3, 4].map((n) => startNodeChild("writer.mjs", [path, "counter", "100", `c${n}`]));
    for (const c of children) expect((await c.exited).code, c.stderr()).toBe(0);
    expect(await query(platform, path, "SELECT v FROM counter")).toEqual([[400]]);
  });
});

describe("stale and live locks", () => {
  it("a holder killed with SIGKILL mid-write is broken at once and the next writer proceeds", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path, { lock: { timeoutMs: 10_000, staleMs: 60_000 } });
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('before', 'a', 'b', 'fp', NULL)"));
    await db.idle(); // this process reads the file's bytes: no native connection of ours may be open
    const before = readFileSync(path);

    const holder = startNodeChild("hold_lock.mjs", [path, "write"]);
    const line = await holder.waitForLine((l) => l.startsWith("holding"));
    const holderPid = Number(line.split(" ")[1]);
    expect(JSON.parse(readFileSync(path + ".lock", "utf8")).pid).toBe(holderPid);
    holder.proc.kill("SIGKILL");
    expect((await holder.exited).signal).toBe("SIGKILL");
    // The dead holder's lock is still there, and its uncommitted row never reached the file.
    expect(existsSync(path + ".lock")).toBe(true);
    expect(readFileSync(path)).toEqual(before);

    // Judged stale by its dead pid at the first attempt: had it not been, this writer would wait
    // for the holder (60 s stale limit) and fail with ELOCKTIMEOUT after its 10 s timeout.
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('after', 'a', 'b', 'fp', NULL)"));
    expect(existsSync(path + ".lock")).toBe(false);
    expect(await query(platform, path, "SELECT session_id FROM sessions ORDER BY 1")).toEqual([["after"], ["before"]]);
    await db.close();
  });

  it("a live holder is never broken: the waiter times out with an error naming its pid and host", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path, { lock: { timeoutMs: 600, staleMs: 60_000 } });
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('before', 'a', 'b', 'fp', NULL)"));
    await db.idle(); // this process reads the file's bytes: no native connection of ours may be open
    const before = readFileSync(path);
    const holder = startNodeChild("hold_lock.mjs", [path, "lock"]);
    try {
      const holderPid = Number((await holder.waitForLine((l) => l.startsWith("holding"))).split(" ")[1]);
      const lockBefore = readFileSync(path + ".lock");
      const err = await db.write((d) => d.run("INSERT INTO sessions VALUES ('x', 'a', 'b', 'fp', NULL)")).catch((e: unknown) => e);
      expect(isTldrsError(err, "ELOCKTIMEOUT")).toBe(true);
      const message = (err as Error).message;
      expect(message).toContain(`pid ${holderPid}`);
      expect(message).toContain(`host "${hostname()}"`);
      expect(message).toContain(path + ".lock");
      // The holder's lock is intact and nothing was written.
      expect(readFileSync(path + ".lock")).toEqual(lockBefore);
      expect(readFileSync(path)).toEqual(before);
    } finally {
      holder.proc.kill("SIGKILL");
      await holder.exited;
    }
    await db.close();
  });

  it("takeover race: 16 processes on stale locks, 1,000 takeovers, never two inside at once", async () => {
    const dir = tempDir();
    const lockPath = join(dir, "tldrs_state.db.lock");
    const marker = join(dir, "inside");
    const counter = join(dir, "counter");
    const target = 1000;
    writeFileSync(lockPath, staleRecord(DEAD_PID));
    const children = Array.from({ length: 16 }, () =>
      startNodeChild("contender.mjs", [lockPath, marker, counter, String(target), String(DEAD_PID)]),
    );
    // All start together on the same stale lock.
    await Promise.all(children.map((c) => c.waitForLine((l) => l === "ready")));
    for (const c of children) c.proc.stdin!.write("go\n");
    let entries = 0;
    for (const c of children) {
      const { code } = await c.exited;
      expect(code, c.stderr()).toBe(0);
      entries += Number(c.lines.find((l) => l.startsWith("entries "))!.split(" ")[1]);
    }
    // Every entry broke a stale lock; the counter (guarded only by the lock) lost no update.
    expect(entries).toBeGreaterThanOrEqual(target);
    expect(Number(readFileSync(counter, "utf8"))).toBe(entries);
    expect(existsSync(marker)).toBe(false);
  }, 300_000);
});
