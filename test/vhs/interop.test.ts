/**
 * Both directions with a Python stand-in that does exactly what the Python tldr-swinton
 * store does (test/interop/tldr_swinton_vhs.py): sqlite3 in WAL mode with a connection per
 * operation, zlib level 6, os.replace, INSERT OR IGNORE, isoformat timestamps.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { sha256 } from "../helpers/bytes.ts";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../src/engine/timestamp.ts";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf, HAS_PYTHON, openTestStore, py, pyJson } from "./helpers.ts";

const PY_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/;

interface PyInfo {
  hash: string;
  size: number;
  stored_size: number;
  compression: string;
  created_at: string;
  last_accessed: string;
}

describe.skipIf(!HAS_PYTHON)("interop with the Python store", () => {
  it("reads a store the Python store wrote (WAL mode, zlib level 6, its timestamps)", async () => {
    const root = join(tempDir(), ".tldrs");
    const dir = tempDir();
    const small = bytesOf(1000, 1);
    const big = bytesOf(300_000, 2);
    const forced = new TextEncoder().encode("compressed by flag ".repeat(50));
    writeFileSync(join(dir, "small"), small);
    writeFileSync(join(dir, "big"), big);
    writeFileSync(join(dir, "forced"), forced);
    const refSmall = pyJson<string>(root, ["put", "--compress-min-bytes", "65536", join(dir, "small")]);
    const refBig = pyJson<string>(root, ["put", "--compress-min-bytes", "65536", join(dir, "big")]);
    const refForced = pyJson<string>(root, ["put", "--compress", join(dir, "forced")]);
    expect(readFileSync(join(root, "tldrs_state.db")).subarray(18, 20)).toEqual(Buffer.from([2, 2])); // WAL mode header
    expect(existsSync(join(root, "tldrs_state.db-wal"))).toBe(false); // checkpointed at close

    const store = await openTestStore(root);
    for (const [ref, data, compression] of [[refSmall, small, ""], [refBig, big, "zlib"], [refForced, forced, "zlib"]] as const) {
      expect(ref).toBe(`vhs://${sha256(data)}`);
      expect(await store.vhs.has(ref)).toBe(true);
      const info = (await store.vhs.info(ref))!;
      expect(info).toMatchObject({ hash: sha256(data), size: data.length, compression, storedSize: readFileSync(blobFileOf(store, ref)).length });
      expect(info.createdAt).toMatch(PY_ISO);
      expect(Number.isNaN(parseTimestamp(info.createdAt))).toBe(false);
      expect(Buffer.compare(await store.vhs.get(ref), data)).toBe(0);
    }
    expect((await store.vhs.list()).map((b) => b.hash).sort()).toEqual([refSmall, refBig, refForced].map((r) => r.slice(6)).sort());
    expect(await store.vhs.verify()).toMatchObject({ checked: 3, ok: 3 });
    // Our writes go into the same file, which Python reads back.
    const ours = await store.vhs.put("written by tldrs");
    await store.close();
    expect(py(root, ["get", ours]).toString()).toBe("written by tldrs");
    expect(pyJson<{ count: number }>(root, ["stats"]).count).toBe(4);
  });

  it("the Python store reads what we wrote, and we see its access times", async () => {
    const root = join(tempDir(), ".tldrs");
    const store = await openTestStore(root);
    const raw = bytesOf(50_000, 3);
    const zipped = bytesOf(400_000, 4);
    const streamed = bytesOf(200_000, 5);
    const refRaw = await store.vhs.put(raw);
    const refZip = await store.vhs.put(zipped, { compress: true });
    const refStream = await store.vhs.put(new Blob([streamed]).stream() as ReadableStream<Uint8Array>, { compressMinBytes: 65_536 });
    const ourInfo = (await store.vhs.info(refZip))!;
    await store.close();

    for (const [ref, data] of [[refRaw, raw], [refZip, zipped], [refStream, streamed]] as const) {
      expect(Buffer.compare(py(root, ["get", ref]), data)).toBe(0);
      const out = join(tempDir(), "out");
      py(root, ["get", ref, "--out", out]);
      expect(Buffer.compare(readFileSync(out), data)).toBe(0);
    }
    const info = pyJson<PyInfo>(root, ["info", refZip]);
    expect(info).toMatchObject({ hash: refZip.slice(6), size: zipped.length, stored_size: ourInfo.storedSize, compression: "zlib", created_at: ourInfo.createdAt });
    expect(info.created_at).toMatch(PY_ISO);
    expect(pyJson<boolean>(root, ["has", refRaw])).toBe(true);
    const listed = pyJson<PyInfo[]>(root, ["ls"]);
    expect(listed.map((r) => r.hash).sort()).toEqual([refRaw, refZip, refStream].map((r) => r.slice(6)).sort());

    // Python's touches (has, info, get) moved last_accessed past ours; we read its file again.
    const again = await openTestStore(root);
    // The most recently touched by Python comes first in our list, as in its own.
    expect((await again.vhs.list()).map((b) => b.hash)).toEqual(listed.map((r) => r.hash));
    const after = (await again.vhs.info(refZip))!;
    expect(after.lastAccessed > ourInfo.lastAccessed).toBe(true);
    expect(after.lastAccessed).toMatch(PY_ISO);
    await again.close();
  });

  it("the same content from both sides is one blob and one row", async () => {
    const root = join(tempDir(), ".tldrs");
    const data = bytesOf(120_000, 6);
    const file = join(tempDir(), "data");
    writeFileSync(file, data);
    const store = await openTestStore(root);
    const ours = await store.vhs.put(data, { compress: false });
    const ourInfo = (await store.vhs.info(ours))!;
    await store.close();
    // Python finds the blob present, drops its upload and keeps our row (INSERT OR IGNORE).
    expect(pyJson<string>(root, ["put", "--compress", file])).toBe(ours);
    expect(pyJson<{ count: number }>(root, ["stats"]).count).toBe(1);
    expect(pyJson<PyInfo>(root, ["info", ours])).toMatchObject({ compression: "", created_at: ourInfo.createdAt });
    const again = await openTestStore(root);
    expect(await again.vhs.put(data, { compress: true })).toBe(ours);
    expect(await again.vhs.verify()).toMatchObject({ checked: 1, ok: 1 });
    await again.close();
  });
});

if (!HAS_PYTHON) {
  describe("interop with the Python store", () => {
    it.skip("skipped: python3 with sqlite3 and zlib is not installed here", () => undefined);
  });
}
