/** Shared by the state tests: stores on temp folders, child processes, python3 and git. */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { openStoreWith, type Store } from "../../src/store.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import type { Platform } from "../../src/platform/port.ts";

export const nodePlatform = createNodePlatform();

/** A store in `<project>/.tldrs` on the given platform (default: node). */
export function openProjectStore(project: string, platform: Platform = nodePlatform): Promise<Store> {
  return openStoreWith(platform, { project });
}

/** The node platform with a clock that reads `clock.now` (ms), for exact TTL edges. */
export function platformWithClock(clock: { now: number }): Platform {
  return { ...createNodePlatform(), now: () => clock.now };
}

function hasCommand(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0;
}

export const HAS_PYTHON = hasCommand("python3", ["-c", "import sqlite3"]);
export const HAS_GIT = hasCommand("git", ["--version"]);
export const NO_PYTHON = "python3 with the sqlite3 module is not on PATH: the interop tests need it";
export const NO_GIT = "the git CLI is not on PATH: the repoFingerprint tests build real repositories with it";

const STAND_IN = fileURLToPath(new URL("../interop/tldr_swinton_state.py", import.meta.url));

/** Runs the Python store stand-in on the store folder `root`; returns its JSON output. */
export function pythonState<T = unknown>(root: string, ...args: string[]): T {
  const r = spawnSync("python3", [STAND_IN, root, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python stand-in ${args[0]} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}


/** Runs git in `cwd` with a fixed identity and no user or system config. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.name=tldrs test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `count` children running `children/<script>` (which import dist/node.js, as
 * users do). Each prints "ready" once its store is open, then waits for "go" on stdin,
 * so that the operations under test start together rather than as the children load.
 */
export async function runTogether(script: string, argsFor: (i: number) => string[], count: number): Promise<ChildResult[]> {
  const file = fileURLToPath(new URL(`./children/${script}`, import.meta.url));
  const children = Array.from({ length: count }, (_, i) => spawn(process.execPath, [file, ...argsFor(i)], { stdio: ["pipe", "pipe", "pipe"] }));
  const results = children.map(
    (child) =>
      new Promise<ChildResult>((resolve) => {
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let seen = "";
          const onData = (d: Buffer) => {
            seen += d.toString();
            if (seen.includes("ready\n")) {
              child.stdout.off("data", onData);
              resolve();
            }
          };
          child.stdout.on("data", onData);
          child.on("close", (code) => reject(new Error(`child exited (${code}) before it was ready`)));
        }),
    ),
  );
  for (const child of children) child.stdin.end("go\n");
  return Promise.all(results);
}
