// push and pull stream in flat memory: a 128 MiB blob goes up as 8 MiB parts and comes down
// through the hashing put, with the CLI's peak resident memory far below the blob's size.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/cli_helpers.ts";
import { tempDir } from "../helpers/tmp.ts";
import { remoteEnv, startS3Server, type S3Server } from "./helpers.ts";

const TOTAL = 128 * 1024 * 1024;
const REPORT_RSS = "data:text/javascript," + encodeURIComponent('process.on("exit", () => process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`));');
let server: S3Server;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

function chunk(i: number): Buffer {
  const b = Buffer.alloc(1024 * 1024);
  for (let j = 0; j < b.length; j += 4096) b.writeUInt32LE(i * 7919 + j, j);
  return b;
}

function run(args: string[], cwd: string, env: Record<string, string>, feed?: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<{ code: number | null; stdout: string; stderr: string; maxRssMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REPORT_RSS, BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const m = /maxrss=(\d+)/.exec(stderr);
      resolve({ code, stdout, stderr: stderr.replace(/maxrss=\d+\n/, ""), maxRssMiB: m ? Number(m[1]) / 1024 : -1 });
    });
    if (feed) feed(child.stdin).catch(reject);
    else child.stdin.end();
  });
}

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
        const c = chunk(i);
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
