/**
 * Big uploads and getToFile targets start an fsync every 32 MiB in the background
 * (src/vhs/writeback.ts). Each one is a file-system call like the others: if it fails, the
 * operation fails with that error and leaves no temp file; the final fsync still comes last.
 */
import { describe, expect, it } from "vitest";
import { type CallRecord, createFaultyPlatform } from "../../src/platform/faulty.ts";
import { openStoreWith } from "../../src/store.ts";
import { WRITEBACK_BYTES } from "../../src/vhs/writeback.ts";
import { memoryPlatform } from "../reliability/helpers.ts";
import { bytesOf } from "./helpers.ts";

const ROOT = "/proj/.tldrs";
const DATA = bytesOf(2 * WRITEBACK_BYTES + 1000, 31);

async function setup() {
  const base = memoryPlatform(100, new Set([100]));
  await base.mkdir("/proj");
  await base.mkdir("/out");
  const platform = createFaultyPlatform(base);
  const store = await openStoreWith(platform, { root: ROOT });
  await store.vhs.put("warm up the folders");
  return { base, platform, store };
}

const fsyncsOf = (calls: CallRecord[], under: string) => calls.filter((c) => c.op === "fsync" && c.path.startsWith(under));

describe("background fsync of big temp files", () => {
  it("a put of 64 MiB fsyncs its upload in the background, then once more at the end", async () => {
    const { platform, store } = await setup();
    platform.resetCount();
    const ref = await store.vhs.put(DATA);
    expect(fsyncsOf(platform.calls, `${ROOT}/tmp/`).length).toBeGreaterThanOrEqual(2); // at 32 and 64 MiB, and the last
    const uploads = fsyncsOf(platform.calls, `${ROOT}/tmp/`);
    const link = platform.calls.findIndex((c) => c.op === "link" && c.path.startsWith(`${ROOT}/tmp/`));
    expect(platform.calls.indexOf(uploads.at(-1)!)).toBeLessThan(link); // durable before it gets its name
    expect(Buffer.compare(await store.vhs.get(ref), DATA)).toBe(0);
    await store.close();
  });

  /** Runs `op` once to find its first fsync under `under`, undoes it, then runs it again with that fsync failing. */
  async function failFirstFsync(op: "put" | "getToFile"): Promise<void> {
    const { base, platform, store } = await setup();
    const ref = await store.vhs.put(DATA);
    const run = () => (op === "put" ? store.vhs.put(DATA) : store.vhs.getToFile(ref, "/out/x"));
    const under = op === "put" ? `${ROOT}/tmp/` : "/out/";
    if (op === "put") await store.vhs.delete(ref);
    platform.resetCount();
    await run();
    const background = fsyncsOf(platform.calls, under)[0]!;
    if (op === "put") await store.vhs.delete(ref);
    else await base.unlink("/out/x");
    platform.resetCount();
    platform.setPlan({ failAt: { call: background.seq, code: "EIO" } });
    await expect(run()).rejects.toMatchObject({ code: "EIO" });
    expect(platform.calls.find((c) => c.seq === background.seq)?.op).toBe("fsync");
    platform.setPlan({});
    expect(await base.readdir(`${ROOT}/tmp`)).toEqual([]);
    expect(await base.readdir("/out")).toEqual([]);
    await store.close();
  }

  it("a failed background fsync fails the put with EIO and leaves no temp file", () => failFirstFsync("put"));
  it("a failed background fsync fails getToFile with EIO and leaves no file", () => failFirstFsync("getToFile"));
});
