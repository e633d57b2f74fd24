// Files that are not a committed database of ours: a clear error, and the file untouched.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTldrsError, type ErrorCode } from "../../src/errors.ts";
import { SCHEMA_VERSION } from "../../src/engine/schema.ts";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { snapshot } from "./helpers.ts";
import { craftedImage } from "./helpers.ts";

const platform = createNodePlatform();
const DB = "tldrs_state.db";

/** A valid database of ours with `rows` sessions (several pages). */
async function validImage(rows: number): Promise<Buffer> {
  const path = join(tempDir(), DB);
  const db = await StateDb.open(platform, path);
  await db.write((d) => {
    for (let i = 0; i < rows; i++) d.run("INSERT INTO sessions VALUES (?, 'a', 'b', ?, NULL)", [`s${i}`, "x".repeat(200)]);
  });
  await db.close();
  return readFileSync(path);
}


async function expectRefused(path: string, op: "read" | "write", code: ErrorCode): Promise<TldrsErrorLike> {
  const db = await StateDb.open(platform, path);
  try {
    const err = await (op === "read"
      ? db.read((d) => d.exec("SELECT count(*) FROM sessions"))
      : db.write((d) => d.run("INSERT INTO sessions VALUES ('new', 'a', 'b', 'fp', NULL)"))
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTldrsError(err, code), `${op}: ${String(err)}`).toBe(true);
    return err as TldrsErrorLike;
  } finally {
    await db.close();
  }
}
type TldrsErrorLike = Error & { code: string; path?: string };

function expectUntouched(path: string, before: ReturnType<typeof snapshot>): void {
  const after = snapshot(path);
  expect(after.ino).toBe(before.ino);
  expect(after.mtimeMs).toBe(before.mtimeMs);
  expect(after.bytes.equals(before.bytes)).toBe(true);
  // Nothing else was created beside it: no lock, no temp file.
  expect(readdirSync(join(path, "..")).sort()).toEqual([DB]);
}

describe("bad database files", () => {
  const corrupt: Array<[string, () => Promise<Buffer>, RegExp]> = [
    ["random bytes", async () => randomBytes(8192), /not a SQLite database/],
    ["a zero-byte file", async () => Buffer.alloc(0), /empty \(zero bytes\)/],
    ["a file shorter than the header", async () => (await validImage(50)).subarray(0, 60), /shorter than a SQLite header/],
    ["a database cut in the middle of a page", async () => {
      const img = await validImage(200);
      return img.subarray(0, Math.floor(img.length / 2) + 100);
    }, /truncated/],
    ["a database cut at a page boundary", async () => {
      const img = await validImage(200);
      return img.subarray(0, 4096 * Math.floor(img.length / 4096 / 2));
    }, /truncated/],
    ["a SQLite header followed by garbage", async () => {
      const img = await validImage(200);
      const bad = Buffer.concat([img.subarray(0, 100), randomBytes(img.length - 100)]);
      bad.writeUInt32BE(img.length / 4096, 28); // keep the page count consistent
      return bad;
    }, /corrupt/],
    ["a database with a trigger", () => craftedImage(platform, "CREATE TRIGGER wipe AFTER INSERT ON sessions BEGIN DELETE FROM objects; END;"), /trigger "wipe"/],
    // Schema SQL that integrity_check would evaluate on load (issue 13: 5.5 s per command for
    // an expression index on 20 rows, growing with the rows): refused before the check runs.
    ["an expression index", () => craftedImage(platform, "INSERT INTO objects VALUES ('h', 1, 1, '', 'a', 'b'); CREATE INDEX slow ON objects(length(hex(zeroblob(2e7 + size))))"), /index "slow" is on an expression/],
    ["a partial index", () => craftedImage(platform, "CREATE INDEX p ON sessions(created_at) WHERE length(hex(zeroblob(2e7))) > 0"), /index "p" is a partial index/],
    ["a CHECK constraint", () => craftedImage(platform, "CREATE TABLE c (a CHECK (length(hex(zeroblob(2e7 + a))) > 0))"), /table "c" has a CHECK constraint/],
    ["a generated column", () => craftedImage(platform, "CREATE TABLE g (a, b AS (hex(zeroblob(2e7))) STORED)"), /generated column "b"/],
    ["a default that is an expression on our own table", () => craftedImage(platform, "DROP TABLE sessions; CREATE TABLE sessions (session_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, last_accessed TEXT NOT NULL, repo_fingerprint TEXT NOT NULL, default_language TEXT DEFAULT (hex(zeroblob(2e7))))"), /column "default_language" of the table "sessions" defaults to an expression/],
    ["a view under our table's name", () => craftedImage(platform, "DROP TABLE sessions; CREATE VIEW sessions AS SELECT 1 AS session_id"), /"sessions" is a view, not a table/],
  ];

  for (const [name, make, message] of corrupt) {
    it(`${name}: ECORRUPT naming the file on read and on write, file untouched`, async () => {
      const path = join(tempDir(), DB);
      writeFileSync(path, await make());
      const before = snapshot(path);
      for (const op of ["read", "write"] as const) {
        const err = await expectRefused(path, op, "ECORRUPT");
        expect(err.message).toContain(`"${path}"`);
        expect(err.message).toMatch(message);
        expect(err.path).toBe(path);
        expectUntouched(path, before);
      }
    });
  }

  it("accepted: plain tables and indexes another tool added, other views, ANALYZE and AUTOINCREMENT tables", async () => {
    const path = join(tempDir(), DB);
    writeFileSync(
      path,
      await craftedImage(platform, 
        "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT UNIQUE, n INTEGER DEFAULT -1, t TEXT DEFAULT 'CHECK', b BLOB DEFAULT X'00', at TEXT DEFAULT CURRENT_TIMESTAMP);" +
          "CREATE INDEX notes_n ON notes(n DESC, t COLLATE NOCASE); INSERT INTO notes (k) VALUES ('a'); CREATE VIEW recent AS SELECT * FROM notes; ANALYZE",
      ),
    );
    const db = await StateDb.open(platform, path);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    expect(await db.read((d) => d.get("SELECT count(*) FROM notes")![0])).toBe(1);
    await db.close();
  });

  it("a newer user_version: reads work, writing is refused with ENEWERSCHEMA, file untouched", async () => {
    const path = join(tempDir(), DB);
    writeFileSync(path, await craftedImage(platform, `INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL); PRAGMA user_version = ${SCHEMA_VERSION + 1}`));
    const before = snapshot(path);
    const db = await StateDb.open(platform, path);
    expect(await db.read((d) => d.all("SELECT session_id FROM sessions"))).toEqual([["s"]]);
    await db.close();
    const err = await expectRefused(path, "write", "ENEWERSCHEMA");
    expect(err.message).toContain(`"${path}"`);
    expect(err.message).toMatch(/schema version 2, newer than this tldrs knows \(1\)/);
    expectUntouched(path, before);
  });

  it("a symbolic link or a folder at the database path: ECORRUPT, nothing followed or replaced", async () => {
    const dir = tempDir();
    const target = join(dir, "elsewhere.db");
    writeFileSync(target, await validImage(5));
    const targetBefore = snapshot(target);
    const path = join(dir, DB);
    symlinkSync(target, path);
    for (const op of ["read", "write"] as const) {
      const err = await expectRefused(path, op, "ECORRUPT");
      expect(err.message).toMatch(/symbolic link/);
    }
    expect(snapshot(target).bytes.equals(targetBefore.bytes)).toBe(true);

    const other = join(tempDir(), DB);
    mkdirSync(other);
    for (const op of ["read", "write"] as const) await expectRefused(other, op, "ECORRUPT");
    expect(readdirSync(other)).toEqual([]);
  });

  it("only a missing file starts a new store", async () => {
    const dir = tempDir();
    const path = join(dir, DB);
    const db = await StateDb.open(platform, path);
    expect(await db.read((d) => d.get("SELECT count(*) FROM sessions")![0])).toBe(0);
    expect(existsSync(path)).toBe(false);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    expect(readFileSync(path).subarray(0, 16).toString("latin1")).toBe("SQLite format 3\u0000");
    await db.close();
  });

  it("a file that turns bad after this process loaded it is not overwritten", async () => {
    const path = join(tempDir(), DB);
    const db = await StateDb.open(platform, path);
    await db.write((d) => d.run("INSERT INTO sessions VALUES ('s', 'a', 'b', 'fp', NULL)"));
    await db.idle(); // this process reads the file's bytes below: no native connection of ours may be open
    // Another program truncates it (a new inode, so the change is seen).
    writeFileSync(path + ".x", readFileSync(path).subarray(0, 1000));
    const { renameSync } = await import("node:fs");
    renameSync(path + ".x", path);
    const before = snapshot(path);
    const err = await db.write((d) => d.run("INSERT INTO sessions VALUES ('t', 'a', 'b', 'fp', NULL)")).catch((e: unknown) => e);
    expect(isTldrsError(err, "ECORRUPT")).toBe(true);
    expectUntouched(path, before);
    await db.close();
  });
});
