// A real full disk: a 2 MiB tmpfs, filled. Puts and write transactions fail with an error that
// says the disk is full; the database stays byte-identical; no temp file is left; once space
// is freed, the next write succeeds and a fresh process reads what this one holds in memory.
// Needs root (mount); skipped with a message elsewhere.
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openStoreWith, type Store } from "../../src/store.ts";
import { cli } from "../cli/cli_helpers.ts";
import { bytesOf, sameBytes } from "./helpers.ts";
import { stateDbOf } from "../../src/store.ts";

const platform = createNodePlatform();

function tryMount(): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), "tldrs-diskfull-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", dir], { stdio: "pipe" });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here (needs root): ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}` };
  }
}

const mount = tryMount();
if ("skip" in mount) console.warn(`disk_full.test.ts skipped: ${mount.skip}`);
const MNT = "dir" in mount ? mount.dir : "";

afterAll(() => {
  if (!MNT) return;
  try {
    execFileSync("umount", [MNT], { stdio: "pipe" });
  } catch {
    execFileSync("umount", ["-l", MNT], { stdio: "pipe" });
  }
  rmSync(MNT, { recursive: true, force: true });
});

const FILLER = () => join(MNT, "filler");

/** Fills the file system but for `leaveBytes` (rounded to its blocks). */
function fill(leaveBytes = 0): void {
  rmSync(FILLER(), { force: true });
  const fd = openSync(FILLER(), "w");
  try {
    const st = statfsSync(MNT);
    let want = st.bavail * st.bsize - leaveBytes;
    const chunk = Buffer.alloc(64 * 1024, 7);
    while (want > 0) {
      try {
        want -= writeSync(fd, chunk, 0, Math.min(chunk.length, want));
      } catch {
        break;
      }
    }
    if (leaveBytes === 0) {
      // Down to the last byte: tmpfs counts whole pages.
      for (const size of [4096, 512, 1]) {
        for (;;) {
          try {
            writeSync(fd, chunk, 0, size);
          } catch {
            break;
          }
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

function snapshot(path: string): { bytes: Buffer; ino: number } {
  return { bytes: readFileSync(path), ino: statSync(path).ino };
}

/** Everything in the store that is not the database, a blob file, the session id or a marker. */
function strayFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    if (name === "tldrs_state.db" || name === "default_session_id" || name === "blobs" || name === ".gitignore" || name === "CACHEDIR.TAG") continue;
    if (name === "tmp" || name === "quarantine") out.push(...readdirSync(join(root, name)).map((n) => `${name}/${n}`));
    else out.push(name);
  }
  return out;
}

async function deliveries(store: Store): Promise<string[]> {
  return stateDbOf(store).read((d) => d.all("SELECT session_id || '/' || symbol_id || '=' || etag FROM deliveries ORDER BY 1").map((r) => String(r[0])));
}

describe.skipIf(!MNT)("a full disk (tmpfs)", () => {
  it("put and write transactions fail saying the disk is full; nothing changes; after freeing space the next write succeeds", async () => {
    const project = join(MNT, "p1");
    mkdirSync(project);
    const store = await openStoreWith(platform, { project });
    const a = bytesOf(20_000, 1);
    const refA = await store.vhs.put(a);
    await store.state.openSession("s", { repoFingerprint: "fp" });
    await store.state.recordDeliveries("s", [{ symbolId: "f", etag: "e1", representation: "full", codeSnapshot: "x".repeat(5000) }]);
    const dbPath = store.dbPath;
    const before = snapshot(dbPath);

    fill();
    const putErr = await store.vhs.put(bytesOf(300_000, 2)).catch((e: unknown) => e);
    expect(isTldrsError(putErr, "EIO"), String(putErr)).toBe(true);
    expect((putErr as Error).message).toMatch(/disk is full/);
    for (const write of [
      () => store.state.recordDeliveries("s", [{ symbolId: "g", etag: "e2", representation: "full" }]),
      () => store.state.openSession("t", { repoFingerprint: "fp" }),
    ]) {
      const err = await write().catch((e: unknown) => e);
      expect(isTldrsError(err, "EIO"), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/disk is full|ENOSPC/);
    }
    expect(snapshot(dbPath).bytes.equals(before.bytes), "database changed").toBe(true);
    expect(snapshot(dbPath).ino).toBe(before.ino);
    expect(strayFiles(store.root)).toEqual([]);
    // Reads go on working on a full disk.
    expect(await deliveries(store)).toEqual(["s/f=e1"]);

    // The CLI says so in one line, exit 1.
    const r = await cli(["vhs", "put", "-"], { cwd: project, stdin: bytesOf(100_000, 3) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tldrs: .*(disk is full|no space left)/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(strayFiles(store.root)).toEqual([]);

    rmSync(FILLER());
    const c = bytesOf(300_000, 2);
    const refC = await store.vhs.put(c);
    await store.state.recordDeliveries("s", [{ symbolId: "g", etag: "e2", representation: "full" }]);
    const mine = await deliveries(store);
    expect(mine).toEqual(["s/f=e1", "s/g=e2"]);
    const fresh = await openStoreWith(platform, { project });
    expect(await deliveries(fresh)).toEqual(mine);
    expect(sameBytes(await fresh.vhs.get(refC), c)).toBe(true);
    expect(sameBytes(await fresh.vhs.get(refA), a)).toBe(true);
    const v = await fresh.vhs.verify();
    expect(v).toMatchObject({ corrupt: [], orphans: [], missingFiles: [], wrongSizes: [] });
    await fresh.close();
    await store.close();
  });

  it("at every level of free space from 0 to 160 KiB: each put and write either happens whole or fails cleanly", async () => {
    const project = join(MNT, "p2");
    mkdirSync(project);
    const store = await openStoreWith(platform, { project });
    await store.state.recordDeliveries("s", [{ symbolId: "base", etag: "e0", representation: "full", codeSnapshot: "y".repeat(20_000) }]);
    const kept = new Map<string, Uint8Array>();
    let expected = ["s/base=e0"];
    let failures = 0;
    let successes = 0;
    for (let pages = 0; pages <= 40; pages++) {
      fill(pages * 4096);
      const before = snapshot(store.dbPath);
      const blob = bytesOf(30_000 + pages * 997, 100 + pages);
      const ref = await store.vhs.put(blob, { compress: pages % 2 === 0 }).catch((e: unknown) => e);
      const write = await store.state.recordDeliveries("s", [{ symbolId: `sym${pages}`, etag: `e${pages}`, representation: "full", codeSnapshot: "z".repeat(3000) }]).catch((e: unknown) => e);
      for (const outcome of [ref, write]) {
        if (outcome instanceof Error) {
          failures++;
          expect(isTldrsError(outcome), `${pages} pages free: ${String(outcome)}`).toBe(true);
          expect(outcome.message, `${pages} pages free`).toMatch(/disk is full|ENOSPC/);
        } else successes++;
      }
      if (typeof ref === "string") kept.set(ref, blob);
      if (write === undefined) expected = [...expected, `s/sym${pages}=e${pages}`].sort();
      else expect(snapshot(store.dbPath).bytes.equals(before.bytes) || typeof ref === "string", `${pages} pages free: a failed write changed the database`).toBe(true);
      expect(strayFiles(store.root), `${pages} pages free`).toEqual([]);
      // Memory and disk agree, and everything acknowledged so far is there.
      const fresh = await openStoreWith(platform, { project });
      expect(await deliveries(fresh), `${pages} pages free`).toEqual(expected);
      expect(await deliveries(store), `${pages} pages free`).toEqual(expected);
      for (const [r, b] of kept) expect(sameBytes(await fresh.vhs.get(r), b), `${pages} pages free: ${r}`).toBe(true);
      expect(await stateDbOf(fresh).read((d) => String(d.get("PRAGMA integrity_check")![0]))).toBe("ok");
      await fresh.close();
    }
    rmSync(FILLER());
    const v = await store.vhs.verify({ repair: true });
    expect(v.corrupt).toEqual([]);
    expect(await store.vhs.verify()).toMatchObject({ orphans: [], missingFiles: [], corrupt: [], wrongSizes: [], staleUploads: [] });
    console.info(`disk full: 41 levels of free space, ${successes} operations went through, ${failures} failed cleanly`);
    expect(failures).toBeGreaterThan(0);
    expect(successes).toBeGreaterThan(0);
    await store.close();
    expect(existsSync(FILLER())).toBe(false);
  });
});
