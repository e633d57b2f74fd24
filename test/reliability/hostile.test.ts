// Defences against planted files, and file modes. The hostile files themselves (triggers,
// views, symlinks leaving .tldrs/, a lock that is a link to /dev/zero, ...) are cases of the
// corpus in bad_input.test.ts; damaged images are the mutation fuzz (mutation_fuzz.test.ts).
// Here: that the engine really runs with trusted_schema OFF, and the modes of what it creates.
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSqlJs } from "../../src/engine/sqljs.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openStoreWith } from "../../src/store.ts";
import { tempDir } from "../helpers/tmp.ts";
import { stateDbOf } from "../../src/store.ts";

const platform = createNodePlatform();
const DIST = pathToFileURL(fileURLToPath(new URL("../../dist/node.js", import.meta.url))).href;
const MODES_CHILD = fileURLToPath(new URL("./children/modes_child.mjs", import.meta.url));

describe("planted SQL never runs with the engine's privileges", () => {
  it("trusted_schema is OFF on reads and writes; cleanup registers no SQL function a planted view could call", async () => {
    const project = tempDir();
    const store = await openStoreWith(platform, { project });
    await store.state.recordDeliveries("s", [{ symbolId: "f", etag: "e", representation: "full" }]);
    await store.close();
    // Another program adds a view that calls the function cleanup registered in tldrs 0.1.0.
    const dbPath = join(project, ".tldrs", "tldrs_state.db");
    const SQL = await loadSqlJs(platform);
    const raw = new SQL.Database(readFileSync(dbPath));
    raw.exec("CREATE VIEW v AS SELECT tldrs_epoch_ms(last_accessed) AS ms FROM deliveries");
    writeFileSync(dbPath, raw.export());
    raw.close();

    const again = await openStoreWith(platform, { project });
    expect(await again.state.cleanupExpired({ ttlSeconds: 1e9 })).toEqual({ sessions: 0, deliveries: 0 });
    expect(await stateDbOf(again).read((d) => d.get("PRAGMA trusted_schema")![0])).toBe(0);
    expect(await stateDbOf(again).write((d) => d.get("PRAGMA trusted_schema")![0])).toBe(0);
    // Cleanup parses timestamps in JavaScript now: there is no function for the view to call.
    await expect(stateDbOf(again).write((d) => d.all("SELECT count(*) FROM v"))).rejects.toThrow(/no such function: tldrs_epoch_ms/);
    expect(await again.state.getDelivery("s", "f")).toMatchObject({ etag: "e" });
    await again.close();
  });
});

describe("file modes", () => {
  // Documented in RELIABILITY.md: new files 0644 and new folders 0755, under the umask (as
  // SQLite and the Python store create theirs); an existing database keeps its mode.
  const expected = (file: string, dir: string) => ({
    "store folder": dir,
    database: file,
    "blobs folder": dir,
    "blob prefix folders": dir,
    "raw blob": file,
    "zlib blob": file,
    "tmp folder": dir,
    default_session_id: file,
    "getToFile output": file,
    "database after chmod 0640 and a write": "0640",
  });

  for (const [mask, file, dir] of [
    ["000", "0644", "0755"],
    ["022", "0644", "0755"],
    ["077", "0600", "0700"],
  ] as const) {
    it(`under umask ${mask}: files ${file}, folders ${dir}`, () => {
      const project = tempDir();
      const r = spawnSync(process.execPath, [MODES_CHILD, DIST, project, mask], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(expected(file, dir));
    });
  }

  it("an existing database keeps its mode across flushes, also when changed while a process holds it", async () => {
    const dir = tempDir();
    const path = join(dir, "tldrs_state.db");
    const db = await StateDb.open(platform, path);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('a', 'x', 'y', 'fp', NULL)"));
    for (const mode of [0o600, 0o640, 0o604, 0o644]) {
      chmodSync(path, mode); // the same inode, size and mtime: no reload, only the mode changed
      await db.write((d) => d.run("INSERT OR REPLACE INTO sessions VALUES ('a', 'x', ?, 'fp', NULL)", [String(mode)]));
      expect((statSync(path).mode & 0o777).toString(8)).toBe(mode.toString(8));
      const other = await StateDb.open(platform, path); // and another process's flush
      await other.write((d) => d.run("INSERT OR REPLACE INTO sessions VALUES ('b', 'x', ?, 'fp', NULL)", [String(mode)]));
      await other.close();
      expect((statSync(path).mode & 0o777).toString(8)).toBe(mode.toString(8));
    }
    await db.close();
  });
});
