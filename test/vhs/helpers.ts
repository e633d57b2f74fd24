/** Shared by the VHS tests: stores on temp folders, blob paths, child processes on dist/. */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createNodePlatform } from "../../src/platform/node.ts";
import type { Platform } from "../../src/platform/port.ts";
import { openStoreWith, type OpenStoreOptions, type Store } from "../../src/store.ts";
import { tempDir } from "../helpers/tmp.ts";

export const DIST_NODE = new URL("../../dist/node.js", import.meta.url).href;
export const PY_STANDIN = fileURLToPath(new URL("../interop/tldr_swinton_vhs.py", import.meta.url));

export async function openTestStore(root = join(tempDir(), ".tldrs"), platform: Platform = createNodePlatform(), options: Omit<OpenStoreOptions, "root"> = {}): Promise<Store> {
  return openStoreWith(platform, { ...options, root });
}

export function blobFileOf(store: Store, ref: string): string {
  const hash = ref.replace("vhs://", "");
  return join(store.blobRoot, hash.slice(0, 2), hash.slice(2, 4), hash);
}

export { bytesOf, chunksOf, readAll, streamOf } from "../helpers/bytes.ts";

/**
 * Runs an ES module body in a child node process; `TLDRS` is the built package (dist/node.js).
 * The body prints one JSON line, which is returned parsed.
 */
export async function runChild<T = unknown>(body: string, args: string[] = []): Promise<T> {
  const dir = tempDir("tldrs-child-");
  const script = join(dir, "child.mjs");
  writeFileSync(script, `import * as TLDRS from ${JSON.stringify(DIST_NODE)};\n${body}\n`);
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TLDRS_VHS_HOME: "" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!) as T);
      } catch {
        reject(new Error(`child printed no JSON: ${out} ${err}`));
      }
    });
  });
}

export const HAS_PYTHON = spawnSync("python3", ["-c", "import sqlite3, zlib"], { stdio: "ignore" }).status === 0;

/** Runs the Python stand-in; returns stdout as bytes. */
export function py(root: string, args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync("python3", [PY_STANDIN, "--root", root, ...args], { input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python stand-in failed (${args.join(" ")}): ${r.stderr.toString()}`);
  return r.stdout;
}

export function pyJson<T = unknown>(root: string, args: string[]): T {
  return JSON.parse(py(root, args).toString()) as T;
}
