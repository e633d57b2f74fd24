// Interop with Python's sqlite3 (the Python tldr-swinton store's habits, see children/py_store.py).
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { SCHEMA_VERSION } from "../../src/engine/schema.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { childScript, hasPython, python, snapshot, startChild, type Child } from "./helpers.ts";

const platform = createNodePlatform();
const PY = childScript("py_store.py");

if (!hasPython) console.warn("interop tests skipped: python3 with sqlite3 is not installed");

interface PyView {
  sessions: string[];
  user_version: number;
  columns: { objects: string[]; deliveries: string[] };
  integrity: string;
}

function py(cmd: string, path: string, arg?: string): string {
  return python(`import runpy,sys; sys.argv=sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")`, [PY, cmd, path, ...(arg ? [arg] : [])]);
}
const pyRead = (path: string) => JSON.parse(py("read", path)) as PyView;

function pyHold(cmd: string, path: string, arg?: string): Child {
  return startChild("python3", [PY, cmd, path, ...(arg ? [arg] : [])]);
}
async function release(child: Child): Promise<void> {
  child.proc.stdin!.write("\n");
  const { code } = await child.exited;
  expect(code, child.stderr()).toBe(0);
}

const sessionsOf = (db: StateDb) => db.read((d) => d.all("SELECT session_id FROM sessions ORDER BY 1").map((r) => String(r[0])));
const addSession = (id: string) => (d: import("../../src/engine/sql.ts").Sql) => {
  d.run("INSERT INTO sessions VALUES (?, '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00', 'ts-fp', NULL)", [id]);
  // Columns by name: in a file upgraded from an older store, stored_size and compression come last.
  d.run("INSERT INTO objects (hash, size, stored_size, compression, created_at, last_accessed) VALUES (?, 5, 4, 'zlib', 'c', 'l')", [id.padEnd(64, "0")]);
};

describe.skipIf(!hasPython)("interop with Python's sqlite3", () => {
  for (const variant of ["full", "old"] as const) {
    it(`${variant === "full" ? "a" : "an older (columns missing)"} WAL-mode database made by Python opens, is writable, and Python reads our writes`, async () => {
      const path = join(tempDir(), "tldrs_state.db");
      py("create", path, variant);
      expect(existsSync(path + "-wal")).toBe(false); // Python closed: checkpointed
      const before = snapshot(path);
      expect([before.bytes[18], before.bytes[19]]).toEqual([2, 2]); // WAL mode in the header

      const db = await StateDb.open(platform, path);
      expect(await sessionsOf(db)).toEqual(["py-1"]);
      // Reading an old file adds the columns in memory only.
      const cols = await db.read((d) => d.all("SELECT name FROM pragma_table_info('objects')").map((r) => r[0]));
      expect(cols).toEqual(expect.arrayContaining(["stored_size", "compression"]));
      await db.idle(); // this process reads the file's bytes: no native connection of ours may be open
      expect(snapshot(path).bytes.equals(before.bytes)).toBe(true);

      await db.write(addSession("ts-1"));
      await db.write((d) => d.run("UPDATE deliveries SET code_snapshot = 'def fn(): pass' WHERE symbol_id = 'mod.fn'"));
      const view = pyRead(path);
      expect(view.integrity).toBe("ok");
      expect(view.sessions).toEqual(["py-1", "ts-1"]);
      expect(view.user_version).toBe(SCHEMA_VERSION);
      expect(view.columns.objects).toEqual(["hash", "size", ...(variant === "full" ? ["stored_size", "compression"] : []), "created_at", "last_accessed", ...(variant === "old" ? ["stored_size", "compression"] : [])]);
      expect(view.columns.deliveries).toContain("code_snapshot");

      // Python writes again (its open switches the file back to WAL, its close checkpoints).
      py("write", path, "py-2");
      expect(await sessionsOf(db)).toEqual(["py-1", "py-2", "ts-1"]);
      await db.write(addSession("ts-2"));
      expect(pyRead(path).sessions).toEqual(["py-1", "py-2", "ts-1", "ts-2"]);
      expect(await db.read((d) => d.all("SELECT stored_size, compression FROM objects WHERE hash LIKE 'ts-1%'"))).toEqual([[4, "zlib"]]);
      await db.close();
    });
  }

  it("another store in the same process (native or sql.js) does not drop a native connection's locks (fcntl): Python sees every commit", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    py("create", path, "full");
    // Native on Node 24 (the nested run), sql.js on Node 20; its connection kept for the whole test.
    const db = await StateDb.open(platform, path, {}, { idleCloseMs: 600_000 });
    await db.write(addSession("ts-1"));
    // Each opens the file by descriptor (a second native engine to check its header, sql.js to
    // load it): beside the first engine's kept connection, closing that descriptor would drop
    // the connection's fcntl locks, unless they keep off while it is open.
    for (const engine of ["auto", "sqljs"] as const) {
      const other = await StateDb.open(platform, path, { engine });
      expect(await sessionsOf(other)).toEqual(["py-1", "ts-1"]);
      await other.close();
    }
    py("write", path, "py-2");
    await db.write(addSession("ts-2"));
    expect(pyRead(path).sessions).toEqual(["py-1", "py-2", "ts-1", "ts-2"]);
    await db.close();
    expect(pyRead(path).sessions).toEqual(["py-1", "py-2", "ts-1", "ts-2"]);
  });

  // The sql.js engine cannot take SQLite's locks: beside a live native connection it waits (up to
  // the lock timeout, short here) and refuses. The native engine takes them: it works beside it.
  const SHORT = { lock: { timeoutMs: 300 } };

  it("while Python holds a connection with rows in its -wal: sql.js refuses reads and writes, native reads and writes them; after it closes nothing is lost", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path, SHORT);
    await db.write(addSession("ts-1"));

    const holder = pyHold("hold", path, "py-held");
    await holder.waitForLine((l) => l === "ready");
    expect(statSync(path + "-wal").size).toBeGreaterThan(0);
    if (db.engine.name === "native") {
      expect(await sessionsOf(db)).toEqual(["py-held", "ts-1"]);
      await db.write(addSession("ts-native"));
      expect(await sessionsOf(db)).toEqual(["py-held", "ts-1", "ts-native"]);
    } else {
      const werr = await db.write(addSession("ts-refused")).catch((e: unknown) => e);
      expect(isTldrsError(werr, "EFOREIGNWAL")).toBe(true);
      expect((werr as Error).message).toContain(`"${path}-wal"`);
      expect((werr as Error).message).toMatch(/refusing to write.*close that program.*wal_checkpoint\(TRUNCATE\)/);
      const rerr = await db.read((d) => d.all("SELECT 1")).catch((e: unknown) => e);
      expect(isTldrsError(rerr, "EFOREIGNWAL")).toBe(true);
      expect((rerr as Error).message).toMatch(/refusing to read/);
    }
    expect(existsSync(path + ".lock")).toBe(false);

    await release(holder);
    // Python closed last and checkpointed; a native engine's read connection may still be open.
    if (db.engine.name === "sqljs") expect(existsSync(path + "-wal")).toBe(false);
    await db.write(addSession("ts-2"));
    const all = db.engine.name === "native" ? ["py-held", "ts-1", "ts-2", "ts-native"] : ["py-held", "ts-1", "ts-2"];
    expect(await sessionsOf(db)).toEqual(all);
    expect(pyRead(path).sessions).toEqual(all);
    await db.close();
  });

  it("while Python only reads (empty -wal): reads work and say nothing stale; sql.js refuses writes, native writes", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    py("create", path, "full");
    const holder = pyHold("hold-read", path);
    await holder.waitForLine((l) => l === "ready");
    try {
      expect(statSync(path + "-wal").size).toBe(0);
      const db = await StateDb.open(platform, path, SHORT);
      expect(await sessionsOf(db)).toEqual(["py-1"]);
      const written = await db.write(addSession("x")).then(() => "written", (e: unknown) => e);
      if (db.engine.name === "native") expect(written).toBe("written");
      else expect(isTldrsError(written, "EFOREIGNWAL")).toBe(true);
      await db.close();
    } finally {
      await release(holder);
    }
  });

  it("a Python transaction in rollback-journal mode (-journal): refused (sql.js: a foreign journal; native: SQLite's lock, ELOCKTIMEOUT); its commit is kept", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path, SHORT);
    await db.write(addSession("ts-1"));
    const holder = pyHold("hold-journal", path, "py-tx");
    await holder.waitForLine((l) => l === "ready");
    expect(existsSync(path + "-journal")).toBe(true);
    const err = await db.write(addSession("ts-refused")).catch((e: unknown) => e);
    if (db.engine.name === "native") {
      expect(isTldrsError(err, "ELOCKTIMEOUT")).toBe(true);
      expect((err as Error).message).toMatch(/stayed locked by another SQLite connection \(such as the Python store\)/);
      expect(await sessionsOf(db)).toEqual(["ts-1"]); // a read is not blocked, and sees only what is committed
    } else {
      expect(isTldrsError(err, "EFOREIGNWAL")).toBe(true);
      expect((err as Error).message).toContain(`"${path}-journal"`);
    }
    await release(holder);
    await db.write(addSession("ts-2"));
    expect(pyRead(path).sessions).toEqual(["py-tx", "ts-1", "ts-2"]);
    await db.close();
  });

  it("a Python process killed with its rows in the -wal: sql.js refuses until checkpointed as the message says; native recovers them at once; nothing is lost", async () => {
    const path = join(tempDir(), "tldrs_state.db");
    const db = await StateDb.open(platform, path, SHORT);
    await db.write(addSession("ts-1"));
    const holder = pyHold("hold", path, "py-crashed");
    await holder.waitForLine((l) => l === "ready");
    holder.proc.kill("SIGKILL");
    await holder.exited;
    expect(statSync(path + "-wal").size).toBeGreaterThan(0);
    if (db.engine.name === "native") {
      expect(await sessionsOf(db)).toEqual(["py-crashed", "ts-1"]);
    } else {
      const err = await db.write(addSession("ts-refused")).catch((e: unknown) => e);
      expect(isTldrsError(err, "EFOREIGNWAL")).toBe(true);
      py("checkpoint", path); // what the message advises (sqlite3 "<db>" "PRAGMA wal_checkpoint(TRUNCATE);")
      expect(existsSync(path + "-wal")).toBe(false);
    }
    await db.write(addSession("ts-2"));
    expect(await sessionsOf(db)).toEqual(["py-crashed", "ts-1", "ts-2"]);
    expect(pyRead(path).sessions).toEqual(["py-crashed", "ts-1", "ts-2"]);
    await db.close();
  });
});
