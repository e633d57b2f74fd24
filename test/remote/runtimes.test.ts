// The remote's client part on Node, Deno and Bun: each runtime (the built package) pushes its
// own blobs to one bucket on a real S3-API server, reads the blobs another runtime pushed
// through read-through, and refuses a tampered object without caching it.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { childEnv, DENO_PERMISSIONS, describeRun, RUNTIMES, runOn, type RuntimeName } from "../runtimes/helpers.ts";
import { plantObject, startS3Server, type S3Server } from "./helpers.ts";

const CLIENT = new URL("./children/remote_client.mjs", import.meta.url).pathname;
let server: S3Server;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

interface ClientResult {
  runtime: string;
  refs: string[];
  pushed: number;
  read: Record<string, number>;
  tampered: string | null;
  tamperedCached: boolean;
}

async function runClient(runtime: RuntimeName, root: string, refs: string[], env: Record<string, string> = {}): Promise<ClientResult> {
  const r = await runOn(runtime, CLIENT, [server.endpoint, root, JSON.stringify(refs)], {
    env: childEnv(env),
    denoPermissions: [...DENO_PERMISSIONS, "--allow-net=127.0.0.1"],
  });
  if (r.code !== 0) throw new Error(describeRun(`${runtime} remote client`, r));
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ClientResult;
}

describe("the remote client on node, deno and bun", () => {
  it("each pushes, reads what another pushed, and refuses a tampered object", async () => {
    const good = `the real blob ${Date.now()}\n`;
    const hash = createHash("sha256").update(good).digest("hex");
    await plantObject(server.endpoint, "runtimes", hash, new TextEncoder().encode("tampered\n"));

    const first: Partial<Record<RuntimeName, ClientResult>> = {};
    for (const runtime of RUNTIMES) first[runtime] = await runClient(runtime, join(tempDir(), ".tldrs"), []);
    for (const runtime of RUNTIMES) {
      expect(first[runtime]!.runtime).toBe(runtime);
      expect(first[runtime]!.pushed).toBe(2);
    }
    for (const [i, runtime] of RUNTIMES.entries()) {
      const other = first[RUNTIMES[(i + 1) % RUNTIMES.length]!]!;
      const result = await runClient(runtime, join(tempDir(), ".tldrs"), other.refs, { TAMPERED: `vhs://${hash}` });
      expect(Object.keys(result.read).sort(), runtime).toEqual([...other.refs].sort());
      expect(result.read[other.refs[0]!], runtime).toBe(`hello from ${other.runtime}\n`.length);
      expect(result.tampered, runtime).toBe("EINTEGRITY");
      expect(result.tamperedCached, runtime).toBe(false);
    }
  });
});
