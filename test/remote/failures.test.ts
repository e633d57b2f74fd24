// The remote when things go wrong: the server stopped mid-transfer, an unreachable endpoint,
// throttling and 5xx (bounded retries), a server that never answers or stalls mid-body
// (timeouts), wrong or missing credentials (never shown), and local work that never waits on
// the remote. No assertion on wall time: timeouts are checked by what they report.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { isTldrsError, type TldrsError } from "../../src/errors.ts";
import { openStoreWith } from "../../src/store.ts";
import { tempDir } from "../helpers/tmp.ts";
import { blobFileOf, bytesOf } from "../vhs/helpers.ts";
import { BUCKET, openMachine, platformWithEnv, SECRET, startS3Server, tmpFiles, TOKEN, unusedPort, useServerAndProxy } from "./helpers.ts";

const t = useServerAndProxy();

afterEach(() => {
  t.proxy.faults = [];
  t.proxy.always = "pass";
  t.proxy.requests.length = 0;
});


async function failure(run: Promise<unknown>): Promise<TldrsError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTldrsError(err)) throw new Error(`expected a TldrsError, got ${String(err)}`);
  return err;
}

describe("retries", () => {
  it("retries throttling (503 SlowDown) and succeeds within the bound", async () => {
    const a = await openMachine(t.proxy.endpoint, { retries: 3 });
    try {
      const ref = await a.vhs.put("throttled\n");
      t.proxy.faults = ["503", "503"];
      expect((await a.remote!.push([ref])).pushed).toEqual([ref]);
      expect(t.proxy.requests.slice(0, 3).map((r) => r.method)).toEqual(["HEAD", "HEAD", "HEAD"]);
    } finally {
      await a.close();
    }
  });

  it("gives up after retries + 1 attempts with one line naming the status and the count", async () => {
    const a = await openMachine(t.proxy.endpoint, { retries: 2 });
    try {
      const ref = await a.vhs.put("always throttled\n");
      t.proxy.always = "503";
      const err = await failure(a.remote!.push([ref]));
      expect(err.code).toBe("EREMOTE");
      expect(err.message).toMatch(/answered HTTP 503 \(3 attempts\)$/); // a HEAD answer has no body, so no S3 code
      expect(err.message).not.toContain("\n");
      expect(t.proxy.requests.length).toBe(3);
    } finally {
      await a.close();
    }
  });
});

describe("timeouts", () => {
  it("a server that never answers fails with a timeout, retried the set number of times", async () => {
    const a = await openMachine(t.proxy.endpoint, { retries: 1, timeoutMs: 300 });
    try {
      t.proxy.always = "hang";
      const err = await failure(a.remote!.has("vhs://" + "ab".repeat(32)));
      expect(err.code).toBe("EREMOTE");
      expect(err.message).toMatch(/did not answer within 300 ms \(2 attempts\)$/);
      expect(t.proxy.requests.length).toBe(2);
    } finally {
      await a.close();
    }
  });

  it("a download that stalls midway fails, leaves no blob and no temp file", async () => {
    const a = await openMachine(t.server.endpoint);
    const b = await openMachine(t.proxy.endpoint, { retries: 1, timeoutMs: 300 });
    try {
      const ref = await a.vhs.put(bytesOf(200_000, 5));
      await a.remote!.push([ref]);
      t.proxy.always = "stall-body";
      const err = await failure(b.remote!.pull([ref]));
      expect(err.code).toBe("EREMOTE");
      expect(err.message).toMatch(/failed after 1024 bytes: no data for 300 ms/);
      expect(existsSync(blobFileOf(b, ref))).toBe(false);
      expect(tmpFiles(b.root)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a download cut midway is started again, and succeeds when the next attempt passes", async () => {
    const a = await openMachine(t.server.endpoint);
    const b = await openMachine(t.proxy.endpoint, { retries: 2 });
    try {
      const bytes = bytesOf(200_000, 6);
      const ref = await a.vhs.put(bytes);
      await a.remote!.push([ref]);
      t.proxy.faults = ["cut-body"];
      expect((await b.remote!.pull([ref])).pulled).toEqual([ref]);
      expect(Buffer.from(await b.vhs.get(ref)).equals(Buffer.from(bytes))).toBe(true);
      expect(t.proxy.requests.map((r) => r.method)).toEqual(["GET", "GET"]);
      expect(tmpFiles(b.root)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("the server stopped mid-transfer", () => {
  it("a pull fails with one line, stores nothing, leaves no temp file; the store still works", async () => {
    const own = await startS3Server();
    const a = await openMachine(own.endpoint);
    const b = await openMachine(own.endpoint, { retries: 2 });
    try {
      const bytes = bytesOf(48 * 1024 * 1024, 9);
      const ref = await a.vhs.put(bytes, { compress: true });
      await a.remote!.push([ref]);
      let killed = false;
      const err = await failure(
        b.remote!.pull([ref], {
          onProgress: () => {
            if (!killed) own.kill();
            killed = true;
          },
        }),
      );
      expect(killed).toBe(true);
      expect(err.code).toBe("EREMOTE");
      expect(err.message).not.toContain("\n");
      expect(existsSync(blobFileOf(b, ref))).toBe(false);
      expect(await b.vhs.info(ref)).toBeNull();
      expect(tmpFiles(b.root)).toEqual([]);
      const local = await b.vhs.put("the store still works\n");
      expect(await b.vhs.getText(local)).toBe("the store still works\n");
    } finally {
      await a.close();
      await b.close();
      await own.stop();
    }
  });

  it("a push fails with one line and the local blob stays intact", async () => {
    const own = await startS3Server();
    const a = await openMachine(own.endpoint, { retries: 1, partBytes: 5 * 1024 * 1024 });
    try {
      const bytes = bytesOf(16 * 1024 * 1024, 10);
      const ref = await a.vhs.put(bytes);
      let killed = false;
      const err = await failure(
        a.remote!.push([ref], {
          onProgress: () => {
            if (!killed) own.kill();
            killed = true;
          },
        }),
      );
      expect(err.code).toBe("EREMOTE");
      expect(Buffer.from(await a.vhs.get(ref)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      await a.close();
      await own.stop();
    }
  });
});

describe("an unreachable endpoint", () => {
  it("fails with one line naming the remote, the endpoint and the reason", async () => {
    const port = await unusedPort();
    const a = await openMachine(`http://127.0.0.1:${port}`, { retries: 1 });
    try {
      const ref = await a.vhs.put("nowhere to go\n");
      const err = await failure(a.remote!.push([ref]));
      expect(err.code).toBe("EREMOTE");
      expect(err.message).toBe(
        `Cannot push "${ref}" to "s3://team/ci": cannot reach remote "s3://team/ci" at http://127.0.0.1:${port}: connection refused; check the endpoint (AWS_ENDPOINT_URL) and the network (2 attempts)`,
      );
    } finally {
      await a.close();
    }
  });

  it("local operations never touch the remote: put, get, has and info of local blobs, ls, stats, gc, verify", async () => {
    const a = await openMachine(t.proxy.endpoint, { retries: 0, timeoutMs: 200 });
    try {
      t.proxy.always = "hang";
      const ref = await a.vhs.put("purely local\n");
      expect(await a.vhs.getText(ref)).toBe("purely local\n");
      expect(await a.vhs.has(ref)).toBe(true);
      expect(await a.vhs.info(ref)).not.toBeNull();
      expect((await a.vhs.list()).length).toBe(1);
      expect((await a.vhs.stats()).count).toBe(1);
      await a.vhs.gc({ dryRun: true });
      await a.vhs.verify();
      expect(t.proxy.requests).toEqual([]);
    } finally {
      await a.close();
    }
  });
});

describe("credentials", () => {
  const secrets = [SECRET, TOKEN, "S3RVER-WRONG-ID"];

  function assertNoSecrets(text: string): void {
    for (const s of secrets) expect(text).not.toContain(s);
  }

  it("wrong credentials: EREMOTEAUTH in one line, not retried, and no credential in the error", async () => {
    const platform = platformWithEnv({ AWS_ACCESS_KEY_ID: "S3RVER-WRONG-ID", AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN });
    const store = await openStoreWith(platform, { root: join(tempDir(), ".tldrs"), remote: { url: `s3://${BUCKET}/ci`, endpoint: t.proxy.endpoint, retries: 3 } });
    try {
      const err = await failure(store.remote!.pull(["vhs://" + "ef".repeat(32)]));
      expect(err.code).toBe("EREMOTEAUTH");
      expect(err.message).toMatch(/refused the credentials \(HTTP 403 InvalidAccessKeyId\); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN/);
      expect(t.proxy.requests.length).toBe(1);
      // The token was sent (signed), so the service saw it; no error text may carry it.
      expect(t.proxy.requests[0]!.headers["x-amz-security-token"]).toBe(TOKEN);
      assertNoSecrets(err.message);
      assertNoSecrets(String(err.stack));
      assertNoSecrets(JSON.stringify(err));
      assertNoSecrets(JSON.stringify(store.remote));
      assertNoSecrets(inspect(store.remote, { depth: 5, showHidden: true }));
    } finally {
      await store.close();
    }
  });

  it("no credentials: EREMOTEAUTH on first use, while local work goes on", async () => {
    const store = await openStoreWith(platformWithEnv({ TLDRS_REMOTE: `s3://${BUCKET}/ci`, AWS_ENDPOINT_URL: t.proxy.endpoint }), { root: join(tempDir(), ".tldrs") });
    try {
      const ref = await store.vhs.put("local without credentials\n");
      expect(await store.vhs.getText(ref)).toBe("local without credentials\n");
      const err = await failure(store.remote!.push([ref]));
      expect(err.code).toBe("EREMOTEAUTH");
      expect(err.message).toBe('Cannot use remote "s3://team/ci": no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (on Deno, also allow reading them: --allow-env)');
      await expect(store.vhs.get("vhs://" + "cd".repeat(32))).rejects.toMatchObject({ code: "EREMOTEAUTH" });
      expect(t.proxy.requests).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
