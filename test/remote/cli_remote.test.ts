// The remote through the CLI: put --push, push (REFS or --all), pull, --json, read-through of
// cat/get/has, --remote over TLDRS_REMOTE, and the failures as one line that never carries a
// credential (in-process, and the built binary with TLDRS_DEBUG).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, spawnCli } from "../cli/cli_helpers.ts";
import { tempDir } from "../helpers/tmp.ts";
import { remoteEnv, SECRET, startS3Server, TOKEN, unusedPort, type S3Server } from "./helpers.ts";

let server: S3Server;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

function machine(): string {
  const dir = join(tempDir("tldrs-cli-machine-"), "project");
  mkdirSync(dir);
  return dir;
}

describe("tldrs vhs push / pull", () => {
  it("put --push on one machine, pull --json and cat on another", async () => {
    const env = remoteEnv(server.endpoint);
    const a = machine();
    const b = machine();
    const put = await cli(["vhs", "put", "-", "--push"], { cwd: a, env, stdin: "a CI test log\n" });
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    const ref = put.stdout.trim();
    expect(ref).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);

    const pulled = await cli(["vhs", "pull", ref, "--json"], { cwd: b, env });
    expect(pulled.code).toBe(0);
    expect(JSON.parse(pulled.stdout)).toEqual({ pulled: [ref], present: [], bytes: 14 });
    const again = await cli(["vhs", "pull", ref], { cwd: b, env });
    expect(again.stdout).toBe("pulled 0, already here 1; 0 B received from s3://team/ci\n");
    const cat = await cli(["vhs", "cat", ref], { cwd: b, env: {} }); // now local: no remote needed
    expect(cat.stdout).toBe("a CI test log\n");
  });

  it("cat, get --out and has read through to the remote", async () => {
    const env = remoteEnv(server.endpoint);
    const a = machine();
    const ref = (await cli(["vhs", "put", "-", "--push"], { cwd: a, env, stdin: "read me through\n" })).stdout.trim();
    const b = machine();
    expect((await cli(["vhs", "has", ref], { cwd: b, env: {} })).code).toBe(1);
    expect((await cli(["vhs", "has", ref], { cwd: b, env })).code).toBe(0);
    expect((await cli(["vhs", "cat", ref], { cwd: b, env })).stdout).toBe("read me through\n");
    const c = machine();
    expect((await cli(["vhs", "get", ref, "--out", "got.txt"], { cwd: c, env })).code).toBe(0);
    expect(readFileSync(join(c, "got.txt"), "utf8")).toBe("read me through\n");
  });

  it("push --all --json reports what was sent and what was there", async () => {
    const env = remoteEnv(server.endpoint, { TLDRS_REMOTE: "s3://team/all-json" });
    const a = machine();
    const r1 = (await cli(["vhs", "put", "-"], { cwd: a, env, stdin: "one\n" })).stdout.trim();
    const r2 = (await cli(["vhs", "put", "-"], { cwd: a, env, stdin: "two\n" })).stdout.trim();
    expect((await cli(["vhs", "push", r1], { cwd: a, env })).stdout).toBe("pushed 1, already there 0; 4 B sent to s3://team/all-json\n");
    const all = await cli(["vhs", "push", "--all", "--json"], { cwd: a, env });
    expect(JSON.parse(all.stdout)).toEqual({ pushed: [r2], present: [r1], missing: [], bytes: 4 });
  });

  it("--remote wins over TLDRS_REMOTE", async () => {
    const env = remoteEnv(server.endpoint, { TLDRS_REMOTE: "s3://no-such-bucket/ci" });
    const a = machine();
    const ref = (await cli(["vhs", "put", "-"], { cwd: a, env, stdin: "flag wins\n" })).stdout.trim();
    const viaEnv = await cli(["vhs", "push", ref], { cwd: a, env });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toMatch(/bucket "no-such-bucket" does not exist/);
    const viaFlag = await cli(["vhs", "push", ref, "--remote", "s3://team/flag"], { cwd: a, env });
    expect(viaFlag.stderr).toBe("");
    expect(viaFlag.stdout).toMatch(/^pushed 1, .* sent to s3:\/\/team\/flag\n$/);
  });
});

describe("failures through the CLI", () => {
  it("an unreachable endpoint: one line, exit 1; put --push keeps the blob and prints its ref first", async () => {
    const port = await unusedPort();
    const env = remoteEnv(`http://127.0.0.1:${port}`);
    const a = machine();
    const put = await spawnCli(["vhs", "put", "-", "--push"], { cwd: a, env, stdin: "kept locally\n" });
    expect(put.code).toBe(1);
    const ref = put.stdout.trim();
    expect(ref).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
    expect(put.stderr).toMatch(new RegExp(`^tldrs: Cannot push "${ref}" to "s3://team/ci": cannot reach remote "s3://team/ci" at http://127.0.0.1:${port}: connection refused; .*\\(5 attempts\\)\\n$`));
    expect((await cli(["vhs", "cat", ref], { cwd: a, env: {} })).stdout).toBe("kept locally\n");
  });

  it("wrong credentials: one line, and no credential in stdout or stderr, even with TLDRS_DEBUG", async () => {
    const a = machine();
    for (const debug of [{}, { TLDRS_DEBUG: "1" }] as Array<Record<string, string>>) {
      const env = remoteEnv(server.endpoint, { AWS_ACCESS_KEY_ID: "AKIDWRONGCLI", AWS_SESSION_TOKEN: TOKEN, ...debug });
      const r = await spawnCli(["vhs", "pull", "ab".repeat(32)], { cwd: a, env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^tldrs: Cannot pull .*refused the credentials \(HTTP 403 InvalidAccessKeyId\)/);
      if (!("TLDRS_DEBUG" in debug)) expect(r.stderr.trim().split("\n").length).toBe(1);
      for (const secret of [SECRET, TOKEN, "AKIDWRONGCLI"]) expect(r.stdout + r.stderr).not.toContain(secret);
    }
  });
});
