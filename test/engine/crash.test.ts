// Crash safety: a writer killed with SIGKILL at random moments never leaves anything but a
// committed state, and never loses a commit it reported.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { hasPython, pythonIntegrity, startNodeChild } from "./helpers.ts";

const platform = createNodePlatform();
const KILLS = 20;
/** More commits than a run makes before its kill on any machine: every kill lands mid-run. */
const ENDLESS = 1_000_000_000;

describe("crash safety", () => {
  it(`a writer killed ${KILLS} times at random moments leaves a committed, intact state`, async () => {
    const dir = tempDir();
    const path = join(dir, "tldrs_state.db");
    const setup = await StateDb.open(platform, path);
    // The children run the same Node, so the same engine: sql.js on Node 20, native where the runtime has one.
    const native = setup.engine.name === "native";
    await setup.write((d) => {
      d.run("CREATE TABLE seq (i INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
      d.run("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
      d.run("INSERT INTO meta VALUES ('last', 0)");
    });
    await setup.close();

    let reported = 0;
    let killedMidRun = 0;
    let killedMidFlush = 0; // temp files left: the kill landed between temp create and rename
    let killedHoldingLock = 0;
    const leftovers = new Set<string>();
    for (let round = 0; round < KILLS; round++) {
      const child = startNodeChild("crasher.mjs", [path, String(ENDLESS)]);
      // Let it get going (engine loaded, first commit), then kill it at a random moment.
      await child.waitForLine((l) => l.startsWith("committed") || l === "done");
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      child.proc.kill("SIGKILL");
      const { signal } = await child.exited;
      if (signal === "SIGKILL") killedMidRun++;
      for (const line of child.lines) {
        if (line.startsWith("committed ")) reported = Math.max(reported, Number(line.slice(10)));
      }

      // A fresh reader: the file opens, is intact, and holds exactly rows 1..k with meta = k.
      const db = await StateDb.open(platform, path);
      const [check, ids, last] = await db.read((d) => [
        d.all("PRAGMA integrity_check"),
        d.all("SELECT i FROM seq ORDER BY i").map((r) => Number(r[0])),
        Number(d.get("SELECT v FROM meta WHERE k = 'last'")![0]),
      ]);
      await db.close();
      expect(check).toEqual([["ok"]]);
      const k = ids.length;
      expect(ids).toEqual(Array.from({ length: k }, (_, i) => i + 1));
      expect(last).toBe(k); // no partial transaction: the row and the meta update together
      expect(k).toBeGreaterThanOrEqual(reported); // no lost commit
      // k may exceed what was reported by one: committed, killed before printing.
      expect(k).toBeLessThanOrEqual(reported + 1);
      reported = k;
      if (hasPython) expect(pythonIntegrity(path)).toBe("ok");
      // Only our own temp and lock names may be left by a killed writer (and a native one's
      // -wal and -shm, which the next connection recovers from).
      const names = readdirSync(dir);
      for (const name of names) expect(name).toMatch(native ? /^tldrs_state\.db(\.lock|-wal|-shm)?(\.[0-9a-f]{16,32}\.(tmp|prev))?$/ : /^tldrs_state\.db(\.lock)?(\.[0-9a-f]{16,32}\.(tmp|prev))?$/);
      const fresh = names.filter((n) => (n.endsWith(".tmp") || n.endsWith(".prev")) && !leftovers.has(n));
      if (fresh.length > 0) killedMidFlush++;
      for (const n of fresh) leftovers.add(n); // swept only after an hour's grace
      if (names.includes("tldrs_state.db.lock")) killedHoldingLock++;
    }
    console.info(`crash safety (${setup.engine.description}): ${KILLS} kills, ${killedHoldingLock} while holding the lock, ${killedMidFlush} mid-flush (temp files left); ${reported} rows committed`);
    // Every run is killed mid-way: it has more commits to make than any machine makes before its kill.
    expect(killedMidRun).toBe(KILLS);
    expect(reported).toBeGreaterThanOrEqual(KILLS); // every run commits at least once before its kill
  }, 300_000);
});
