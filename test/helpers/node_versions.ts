/**
 * The Node versions users run, for the tests: the latest 22, 24 and 26, installed by the test
 * set-up from the npm registry's `node` package (whose install script fetches the official
 * build for this platform), never taken from the system. The machine's own Node (the one
 * running vitest) is tested as well, by every other test.
 *
 * Each build is installed once per checkout under node_modules/.cache/tldrs-test-node/<major>/
 * (so `npm ci`, which empties node_modules, gets the newest patch release again). Where the
 * registry cannot be reached the build is marked unavailable with the reason, and the tests
 * that need it skip and say why; nothing falls back to a Node found elsewhere.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const NODE_MAJORS = [22, 24, 26] as const;
export type NodeMajor = (typeof NODE_MAJORS)[number];

export type NodeBuild = { major: NodeMajor; version: string; executable: string } | { major: NodeMajor; unavailable: string };

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CACHE = join(ROOT, "node_modules/.cache/tldrs-test-node");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The version a Node executable reports, if it runs and is of `major`. */
function versionOf(executable: string, major: number): string | undefined {
  if (!existsSync(executable)) return undefined;
  const r = spawnSync(executable, ["--version"], { encoding: "utf8", timeout: 30_000 });
  const version = r.stdout?.trim();
  return r.status === 0 && version?.startsWith(`v${major}.`) ? version : undefined;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: String(err) });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The registry npm uses here, answering within a few seconds, or the reason it does not. */
export async function registryProblem(): Promise<string | undefined> {
  const registry = spawnSync(npm, ["config", "get", "registry"], { encoding: "utf8" }).stdout?.trim() || "https://registry.npmjs.org/";
  try {
    const res = await fetch(new URL("node", registry.endsWith("/") ? registry : registry + "/"), { signal: AbortSignal.timeout(15_000), headers: { accept: "application/vnd.npm.install-v1+json" } });
    await res.body?.cancel();
    return res.ok ? undefined : `the npm registry ${registry} answered ${res.status}`;
  } catch (err) {
    return `the npm registry ${registry} cannot be reached (${(err as Error).message})`;
  }
}

async function installNode(major: NodeMajor, offlineReason: string | undefined): Promise<NodeBuild> {
  const dir = join(CACHE, String(major));
  const executable = join(dir, "node_modules/node/bin/node");
  const have = versionOf(executable, major);
  if (have) return { major, version: have, executable };
  if (offlineReason) return { major, unavailable: offlineReason };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The `node` package's preinstall script installs the official build; allow exactly it.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, allowScripts: { node: true } }));
  const r = await run(npm, ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", `node@${major}`], dir, 300_000);
  const version = versionOf(executable, major);
  if (version) return { major, version, executable };
  return { major, unavailable: `npm install node@${major} failed (exit ${r.code}): ${r.output.trim().split("\n").slice(-3).join(" / ")}` };
}

/** Installs (or finds installed) every build of NODE_MAJORS, at the same time. */
export async function installNodes(): Promise<NodeBuild[]> {
  const missing = NODE_MAJORS.some((m) => !versionOf(join(CACHE, String(m), "node_modules/node/bin/node"), m));
  const offline = missing ? await registryProblem() : undefined;
  return Promise.all(NODE_MAJORS.map((m) => installNode(m, offline)));
}

/** Runs `script` (JavaScript, or TypeScript through tsx) on a Node build; see runOnNode in tests. */
export function nodeCommand(build: { executable: string }, script: string, args: string[] = []): [string, string[]] {
  return [build.executable, [...(script.endsWith(".ts") ? ["--import", "tsx"] : []), script, ...args]];
}
