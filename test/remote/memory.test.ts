// push and pull stream in flat memory: a 128 MiB blob goes up as 8 MiB parts and comes down
// through the hashing put, with the CLI's peak resident memory far below the blob's size.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWithPeakRss } from "../helpers/peak_rss.ts";
import { tempDir } from "../helpers/tmp.ts";
import { remoteEnv, startS3Server, type S3Server } from "./helpers.ts";
import { mebibyteChunk } from "../helpers/bytes.ts";

const TOTAL = 128 * 1024 * 1024;
let server: S3Server;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});


const run = runWithPeakRss;

describe("remote streaming memory", () => {
  it("pushes and pulls 128 MiB with peak RSS below the blob's size", async () => {
    const env = remoteEnv(server.endpoint, { TLDRS_REMOTE: "s3://team/memory" });
    const a = join(tempDir(), "a");
    const b = join(tempDir(), "b");
    mkdirSync(a);
    mkdirSync(b);
    const expected = createHash("sha256");
    const put = await run(["vhs", "put", "-", "--compress-min-bytes", String(TOTAL * 2)], a, env, async (stdin) => {
      for (let i = 0; i < TOTAL / (1024 * 1024); i++) {
        const c = mebibyteChunk(i);
        expected.update(c);
        if (!stdin.write(c)) await new Promise((r) => stdin.once("drain", r));
      }
      stdin.end();
    });
    expect(put.code, put.stderr).toBe(0);
    const ref = `vhs://${expected.digest("hex")}`;
    expect(put.stdout.trim()).toBe(ref);
    const push = await run(["vhs", "push", ref, "--json"], a, env);
    expect(push.code, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout).bytes).toBe(TOTAL);
    const pull = await run(["vhs", "pull", ref, "--json"], b, env);
    expect(pull.code, pull.stderr).toBe(0);
    expect(JSON.parse(pull.stdout).bytes).toBe(TOTAL);
    console.log(`peak RSS: push ${Math.round(push.maxRssMiB)} MiB, pull ${Math.round(pull.maxRssMiB)} MiB for a ${TOTAL >> 20} MiB blob (8 MiB parts)`);
    // Holding the blob would need more than 128 MiB on top of the runtime and engine (~100 MiB).
    expect(push.maxRssMiB).toBeLessThan(TOTAL / 1048576 + 64);
    expect(pull.maxRssMiB).toBeLessThan(TOTAL / 1048576 + 64);
  });
});
