/**
 * The remote tests' parts: a real S3-API server (s3rver) in a child process on loopback, a
 * fault proxy in front of it (records requests; answers 503, hangs, cuts or stalls bodies on
 * demand), stores configured for a remote, and a free port nobody listens on.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { createNodePlatform } from "../../src/platform/node.ts";
import type { Platform } from "../../src/platform/port.ts";
import { resolveRemote, type RemoteOptions } from "../../src/remote/config.ts";
import { objectKey } from "../../src/remote/location.ts";
import { putObject } from "../../src/remote/objects.ts";
import { createSigner } from "../../src/remote/sign.ts";
import { openStoreWith, type Store } from "../../src/store.ts";
import { tempDir, tempDirForFile } from "../helpers/tmp.ts";

export const BUCKET = "team";
export const ACCESS_KEY = "S3RVER";
/** Distinctive values a test can look for in every output: they must never appear. */
export const SECRET = "sekret-Wq9xZp2Lm7Yt4Vb8Nc3";
export const TOKEN = "tokn-Hf6Jd1Ks5Pa0Qe2Rg7Uw";

const SERVER_SCRIPT = fileURLToPath(new URL("./children/s3_server.mjs", import.meta.url));

export interface S3Server {
  endpoint: string;
  port: number;
  child: ChildProcess;
  /** SIGKILL, at once (a server stopped mid-transfer). */
  kill(): void;
  stop(): Promise<void>;
}

export async function startS3Server(dir = tempDirForFile("tldrs-s3-")): Promise<S3Server> {
  const child = spawn(process.execPath, [SERVER_SCRIPT, join(dir, "data"), BUCKET], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(Number(line));
    });
    child.on("exit", (code) => reject(new Error(`s3 server exited (${code}) before listening: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    child,
    kill: () => void child.kill("SIGKILL"),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  bodyBytes: number;
}

/** What the proxy does to the next request; "pass" forwards it. */
export type Fault = "pass" | "503" | "hang" | "cut-body" | "stall-body";

export interface FaultProxy {
  endpoint: string;
  requests: RecordedRequest[];
  /** Faults for the next requests, in order; then every request passes. */
  faults: Fault[];
  /** The fault for every request once `faults` is used up. */
  always: Fault;
  close(): Promise<void>;
}

/** An HTTP proxy on loopback in front of `target` (an s3rver endpoint). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const open = new Set<ServerResponse>();
  const proxy: FaultProxy = { endpoint: "", requests: [], faults: [], always: "pass", close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      proxy.requests.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes: body.length });
      const fault = proxy.faults.shift() ?? proxy.always;
      if (fault === "503") {
        res.writeHead(503, { "content-type": "application/xml" });
        res.end("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
        return;
      }
      if (fault === "hang") {
        open.add(res);
        return;
      }
      const upstream = httpRequest({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (fault === "pass" || req.method !== "GET") {
          up.pipe(res);
          return;
        }
        let sent = 0;
        up.on("data", (c: Buffer) => {
          if (sent >= 1024) return;
          res.write(c.subarray(0, 1024 - sent));
          sent += Math.min(c.length, 1024);
          if (sent >= 1024) {
            up.destroy();
            if (fault === "cut-body") res.socket?.destroy();
            else open.add(res);
          }
        });
      });
      upstream.on("error", () => res.socket?.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const res of open) res.socket?.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

/** A loopback port with nothing listening on it. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The AWS environment of a machine using `endpoint`. */
export function remoteEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return { TLDRS_REMOTE: `s3://${BUCKET}/ci`, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: endpoint, ...extra };
}

/** The node platform with `env` as its whole environment. */
export function platformWithEnv(env: Record<string, string | undefined>): Platform {
  const base = createNodePlatform();
  return { ...base, env: (name) => env[name] };
}

/** A store of its own (one "machine") whose remote is `endpoint`, prefix `ci`. */
export async function openMachine(endpoint: string, remote: Partial<RemoteOptions> = {}, root = join(tempDir("tldrs-machine-"), ".tldrs")): Promise<Store> {
  const platform = platformWithEnv({ AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET });
  return openStoreWith(platform, { root, remote: { url: `s3://${BUCKET}/ci`, endpoint, retryBaseMs: 5, ...remote } });
}

/** A server and a fault proxy in front of it for the whole test file (started in beforeAll). */
export function useServerAndProxy(): { server: S3Server; proxy: FaultProxy } {
  const parts = {} as { server: S3Server; proxy: FaultProxy };
  beforeAll(async () => {
    parts.server = await startS3Server();
    parts.proxy = await startFaultProxy(parts.server.endpoint);
  });
  afterAll(async () => {
    await parts.proxy?.close();
    await parts.server?.stop();
  });
  return parts;
}

/** What is left in a store's tmp/ folder. */
export function tmpFiles(root: string): string[] {
  const dir = join(root, "tmp");
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Writes `body` under the object key of `hash`, bypassing every check: what a tampered bucket holds. */
export async function plantObject(endpoint: string, prefix: string, hash: string, body: Uint8Array): Promise<void> {
  const platform = platformWithEnv({});
  const config = resolveRemote(platform, { url: `s3://${BUCKET}/${prefix}`, endpoint });
  const remote = { platform, config, sign: createSigner({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }) };
  await putObject(remote, objectKey(prefix, hash), body, createHash("sha256").update(body).digest("hex"), "plant");
}
