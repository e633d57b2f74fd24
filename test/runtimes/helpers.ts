/**
 * Node, Deno and Bun as child processes of the tests. Deno and Bun are dev dependencies
 * (npm packages `deno` and `bun`), so they are found in node_modules on any machine after
 * `npm ci`; their real executables are used (not the npm wrappers), so a child's pid is the
 * runtime's own pid, the one its lock records carry.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type RuntimeName = "node" | "deno" | "bun";
export const RUNTIMES: readonly RuntimeName[] = ["node", "deno", "bun"];

/**
 * What a Deno program using tldrs needs (README, "Deno"): read the package's .wasm and the
 * store, write the store, env TLDRS_VHS_HOME, sys hostname (lock records). --allow-run lets
 * it tell a dead lock holder from a live one at once (without it, only the lock's age frees
 * a lock left by a crash).
 */
export const DENO_PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-run"];
/** What the CLI needs on Deno: it reads env beyond TLDRS_VHS_HOME (TLDRS_DEBUG, CI, NO_COLOR), so --allow-env whole. */
export const DENO_CLI_PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=hostname", "--allow-run"];

/** A real executable (not a JS wrapper, not an install placeholder) among `candidates`. */
function findExecutable(name: string, candidates: string[]): string {
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile() && statSync(c).size > 1_000_000) return c;
  }
  throw new Error(`${name} not found (looked at ${candidates.join(", ")}): it is a dev dependency; run npm ci`);
}

function platformPackages(scope: string, file: string): string[] {
  const dir = join(ROOT, "node_modules", scope);
  return existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d, file)) : [];
}

let deno: string | undefined;
let bun: string | undefined;

export function denoExecutable(): string {
  deno ??= findExecutable("deno", [join(ROOT, "node_modules/deno/deno"), ...platformPackages("@deno", "deno")]);
  return deno;
}

export function bunExecutable(): string {
  bun ??= findExecutable("bun", [join(ROOT, "node_modules/bun/bin/bun.exe"), ...platformPackages("@oven", "bin/bun")]);
  return bun;
}

/** The environment of a child: ours without TLDRS_VHS_HOME, quiet and colourless. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", ...extra };
  delete env["TLDRS_VHS_HOME"];
  delete env["FORCE_COLOR"];
  return env;
}

/** Command and arguments that run `script` (a file path) with `args` on `runtime`. */
export function commandFor(runtime: RuntimeName, script: string, args: string[] = [], denoPermissions = DENO_PERMISSIONS): [string, string[]] {
  switch (runtime) {
    case "node":
      return [process.execPath, [script, ...args]];
    case "deno":
      return [denoExecutable(), ["run", "--no-prompt", ...denoPermissions, script, ...args]];
    case "bun":
      return [bunExecutable(), [script, ...args]];
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously, so several can run at once). */
export function runCommand(command: string, args: string[], options: { cwd?: string; input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? childEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Runs `script` on `runtime`. */
export function runOn(runtime: RuntimeName, script: string, args: string[] = [], options: { cwd?: string; input?: string | Uint8Array; env?: NodeJS.ProcessEnv; denoPermissions?: string[] } = {}): Promise<RunResult> {
  const [command, argv] = commandFor(runtime, script, args, options.denoPermissions);
  return runCommand(command, argv, options);
}

/** A failure message with everything a reader needs. */
export function describeRun(what: string, r: RunResult): string {
  return `${what}: exit ${r.code ?? r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

export const WORKER = join(ROOT, "test/runtimes/children/worker.mjs");

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { code?: string; message: string };
}

/** A long-lived worker.mjs child on one runtime, driven by JSON commands (see worker.mjs). */
export class RuntimeWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private partial = "";
  private stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly pid: number;

  private constructor(
    readonly runtime: RuntimeName,
    private readonly proc: import("node:child_process").ChildProcessWithoutNullStreams,
  ) {
    this.pid = proc.pid!;
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.partial += chunk;
      const lines = this.partial.split("\n");
      this.partial = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        const reply = JSON.parse(line) as Reply;
        this.pending.get(reply.id)?.resolve(reply);
        this.pending.delete(reply.id);
      }
    });
    proc.stderr.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => {
      proc.on("close", (code, signal) => {
        for (const p of this.pending.values()) p.reject(new Error(`${runtime} worker exited (${code ?? signal}) with a command pending; stderr: ${this.stderr}`));
        this.pending.clear();
        resolve({ code, signal });
      });
    });
  }

  static start(runtime: RuntimeName, denoPermissions = DENO_PERMISSIONS, env: Record<string, string> = {}): RuntimeWorker {
    const [command, args] = commandFor(runtime, WORKER, [], denoPermissions);
    return new RuntimeWorker(runtime, spawn(command, args, { cwd: ROOT, env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] }));
  }

  /** Sends a command; resolves with its result, rejects with its error (code kept). */
  async call<T = unknown>(op: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.runtime} worker: "${op}" got no answer in ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.proc.stdin.write(JSON.stringify({ id, op, ...args }) + "\n");
    });
    if (!reply.ok) throw Object.assign(new Error(`${this.runtime} worker: "${op}" failed: ${reply.error?.message}`), { code: reply.error?.code });
    return reply.result as T;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.proc.kill(signal);
  }

  /** Ends the worker (closing its stores) and waits for it. */
  async stop(): Promise<void> {
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
