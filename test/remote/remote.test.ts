// The remote against a real S3-API server (s3rver, in a child process on loopback): push,
// pull, read-through, already-present skips, a tampered object, two machines sharing one
// bucket, multipart uploads, and what the requests carry.
import { createHash } from "node:crypto";
import { sha256 } from "../helpers/bytes.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf } from "../vhs/helpers.ts";
import { BUCKET, openMachine, plantObject, platformWithEnv, tmpFiles, useServerAndProxy } from "./helpers.ts";

const t = useServerAndProxy();




describe("two machines sharing one bucket", () => {
  it("pushes on one and pulls on the other, byte for byte, small and compressed blobs", async () => {
    const a = await openMachine(t.server.endpoint);
    const b = await openMachine(t.server.endpoint);
    try {
      const small = await a.vhs.put("a small test log\n");
      const big = await a.vhs.put(bytesOf(300_000, 7), { compress: true }); // zlib locally; raw on the remote
      const pushed = await a.remote!.push([small, big]);
      expect(pushed).toEqual({ pushed: [small, big].sort(), present: [], missing: [], bytes: 17 + 300_000 });

      expect(await b.vhs.info(small)).toBeNull();
      const pulled = await b.remote!.pull([big, small]);
      expect(pulled).toEqual({ pulled: [small, big].sort(), present: [], bytes: 17 + 300_000 });
      expect(await b.vhs.getText(small)).toBe("a small test log\n");
      expect(Buffer.from(await b.vhs.get(big)).equals(Buffer.from(bytesOf(300_000, 7)))).toBe(true);
      expect((await a.vhs.info(big))!.compression).toBe("zlib");
      expect((await b.vhs.info(big))!.compression).toBe(""); // stored by B's own rule: raw by default
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("keys mirror the local layout under the prefix, and the object is the raw bytes", async () => {
    const a = await openMachine(t.server.endpoint);
    try {
      const ref = await a.vhs.put(bytesOf(100_000, 3));
      await a.remote!.push([ref]);
      const hash = ref.slice("vhs://".length);
      const res = await fetch(`${t.server.endpoint}/${BUCKET}/ci/blobs/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`);
      expect(res.status).toBe(200);
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(hash);
    } finally {
      await a.close();
    }
  });

  it("skips what is already there: a second push sends nothing, a pull of a local blob fetches nothing", async () => {
    const a = await openMachine(t.proxy.endpoint);
    try {
      const ref = await a.vhs.put("pushed twice\n");
      await a.remote!.push([ref]);
      t.proxy.requests.length = 0;
      expect(await a.remote!.push([ref, ref])).toEqual({ pushed: [], present: [ref], missing: [], bytes: 0 });
      expect(t.proxy.requests.map((r) => r.method)).toEqual(["HEAD"]);
      t.proxy.requests.length = 0;
      expect(await a.remote!.pull([ref])).toEqual({ pulled: [], present: [ref], bytes: 0 });
      expect(t.proxy.requests).toEqual([]);
    } finally {
      await a.close();
    }
  });

  it("push --all sends every local blob and reports rows whose file is gone", async () => {
    const a = await openMachine(t.server.endpoint, {}, join(tempDir(), ".tldrs"));
    try {
      const refs = [await a.vhs.put("all 1\n"), await a.vhs.put("all 2\n"), await a.vhs.put("all 3\n")];
      const { rmSync } = await import("node:fs");
      rmSync(blobFileOf(a, refs[2]!));
      const report = await a.remote!.push([], { all: true });
      expect(report.pushed.sort()).toEqual([refs[0], refs[1]].sort());
      expect(report.missing).toEqual([refs[2]]);
    } finally {
      await a.close();
    }
  });
});

describe("read-through", () => {
  it("get, getText, getStream and getToFile fetch a blob missing here, store it once verified, then serve it locally", async () => {
    const a = await openMachine(t.server.endpoint);
    const refs: string[] = [];
    try {
      for (let i = 0; i < 4; i++) refs.push(await a.vhs.put(`read-through ${i}\n`.repeat(10 + i)));
      await a.remote!.push(refs);
    } finally {
      await a.close();
    }
    const b = await openMachine(t.server.endpoint);
    try {
      expect(await b.vhs.getText(refs[0]!)).toBe("read-through 0\n".repeat(10));
      expect(new TextDecoder().decode(await b.vhs.get(refs[1]!))).toBe("read-through 1\n".repeat(11));
      const stream = await b.vhs.getStream(refs[2]!);
      expect(await new Response(stream).text()).toBe("read-through 2\n".repeat(12));
      const out = join(tempDir(), "out.txt");
      await b.vhs.getToFile(refs[3]!, out);
      const { readFileSync } = await import("node:fs");
      expect(readFileSync(out, "utf8")).toBe("read-through 3\n".repeat(13));
      for (const ref of refs) expect(existsSync(blobFileOf(b, ref))).toBe(true);
      expect(tmpFiles(b.root)).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it("has asks the remote (one HEAD, nothing downloaded); a ref on neither side is not found", async () => {
    const a = await openMachine(t.server.endpoint);
    const b = await openMachine(t.server.endpoint);
    try {
      const ref = await a.vhs.put("has on the remote\n");
      await a.remote!.push([ref]);
      expect(await b.vhs.has(ref)).toBe(true);
      expect(existsSync(blobFileOf(b, ref))).toBe(false);
      const nowhere = "vhs://" + sha256("on no machine");
      expect(await b.vhs.has(nowhere)).toBe(false);
      const err = await b.vhs.get(nowhere).catch((e: unknown) => e);
      expect(isTldrsError(err, "ENOTFOUND")).toBe(true);
      expect((err as Error).message).toContain('nor on remote "s3://team/ci"');
      await expect(b.remote!.pull([nowhere])).rejects.toMatchObject({ code: "ENOTFOUND" });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a store without a remote answers as before: not found, has false", async () => {
    const { openStoreWith } = await import("../../src/store.ts");
    const store = await openStoreWith(platformWithEnv({}), { root: join(tempDir(), ".tldrs") });
    try {
      expect(store.remote).toBeNull();
      const ref = "vhs://" + sha256("x");
      expect(await store.vhs.has(ref)).toBe(false);
      await expect(store.vhs.get(ref)).rejects.toMatchObject({ code: "ENOTFOUND" });
    } finally {
      await store.close();
    }
  });
});

describe("integrity end to end", () => {
  it("refuses a remote object whose bytes do not match its name, and caches nothing (pull and read-through)", async () => {
    const good = new TextEncoder().encode("the real content\n");
    const hash = sha256(good);
    const ref = "vhs://" + hash;
    await plantObject(t.server.endpoint, "ci", hash, new TextEncoder().encode("tampered content\n"));
    const b = await openMachine(t.server.endpoint);
    try {
      const err = await b.remote!.pull([ref]).catch((e: unknown) => e);
      expect(isTldrsError(err, "EINTEGRITY")).toBe(true);
      expect((err as Error).message).toMatch(/is not the blob it is named for .*nothing was stored/);
      expect(existsSync(blobFileOf(b, ref))).toBe(false);
      expect(await b.vhs.info(ref)).toBeNull();
      await expect(b.vhs.getText(ref)).rejects.toMatchObject({ code: "EINTEGRITY" });
      await expect(b.vhs.getStream(ref)).rejects.toMatchObject({ code: "EINTEGRITY" });
      expect(existsSync(blobFileOf(b, ref))).toBe(false);
      expect(tmpFiles(b.root)).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it("a push replaces a remote object of the wrong length under the blob's name", async () => {
    const a = await openMachine(t.server.endpoint);
    const b = await openMachine(t.server.endpoint);
    try {
      const ref = await a.vhs.put("repaired by a push\n");
      await plantObject(t.server.endpoint, "ci", ref.slice(6), new TextEncoder().encode("short"));
      expect((await a.remote!.push([ref])).pushed).toEqual([ref]);
      expect(await b.vhs.getText(ref)).toBe("repaired by a push\n");
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("uploads carry the content sha256 (signed) and the x-amz-checksum-sha256 header", async () => {
    const a = await openMachine(t.proxy.endpoint);
    try {
      const bytes = new TextEncoder().encode("checksummed upload\n");
      const ref = await a.vhs.put(bytes);
      t.proxy.requests.length = 0;
      await a.remote!.push([ref]);
      const put = t.proxy.requests.find((r) => r.method === "PUT")!;
      expect(put.headers["x-amz-content-sha256"]).toBe(sha256(bytes));
      expect(put.headers["x-amz-checksum-sha256"]).toBe(createHash("sha256").update(bytes).digest("base64"));
      expect(String(put.headers["authorization"])).toMatch(/SignedHeaders=[^,]*x-amz-checksum-sha256[^,]*x-amz-content-sha256/);
    } finally {
      await a.close();
    }
  });

  it("a local blob that fails its check is never uploaded", async () => {
    const a = await openMachine(t.proxy.endpoint);
    try {
      const ref = await a.vhs.put("will be damaged\n", { compress: false });
      const { writeFileSync } = await import("node:fs");
      writeFileSync(blobFileOf(a, ref), "will be DAMAGED\n");
      t.proxy.requests.length = 0;
      await expect(a.remote!.push([ref])).rejects.toMatchObject({ code: "EINTEGRITY" });
      expect(t.proxy.requests.map((r) => r.method)).toEqual(["HEAD"]);
    } finally {
      await a.close();
    }
  });
});

describe("multipart", () => {
  const SIZE = 11 * 1024 * 1024 + 123; // three parts of 5 MiB
  it("uploads a blob larger than one part in parts with per-part checksums, and it pulls back whole", async () => {
    const a = await openMachine(t.proxy.endpoint, { partBytes: 5 * 1024 * 1024 });
    const b = await openMachine(t.server.endpoint);
    try {
      const bytes = bytesOf(SIZE, 11);
      const ref = await a.vhs.put(bytes);
      t.proxy.requests.length = 0;
      const report = await a.remote!.push([ref]);
      expect(report.bytes).toBe(SIZE);
      const parts = t.proxy.requests.filter((r) => r.method === "PUT");
      expect(parts.map((r) => new URL(r.url, "http://x").searchParams.get("partNumber"))).toEqual(["1", "2", "3"]);
      expect(parts.map((r) => r.bodyBytes)).toEqual([5 << 20, 5 << 20, SIZE - (10 << 20)]);
      for (const p of parts) expect(p.headers["x-amz-checksum-sha256"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(t.proxy.requests.filter((r) => r.method === "POST").length).toBe(2); // create, complete
      await b.remote!.pull([ref]);
      expect(Buffer.from(await b.vhs.get(ref)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
