/** Small helpers shared by the benchmark sections. */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const MiB = 1024 * 1024;
export const REPO = fileURLToPath(new URL("../", import.meta.url));
/** The Python stand-in store (hashlib, shutil, no compression unless asked): the baseline. */
export const PY_STORE = join(REPO, "test", "interop", "tldr_swinton_vhs.py");

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs fn `n` times (after `warmup` runs) and returns the median in ms. */
export async function timeMedian(n: number, fn: () => unknown | Promise<unknown>, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Runs a Python snippet that prints one JSON value; returns it parsed. */
export function python<T = unknown>(code: string, args: string[] = []): T {
  const r = spawnSync("python3", ["-c", code, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}

/** Prints a markdown table. */
export function table(header: string[], rows: (string | number)[][]): void {
  const fmt = (v: string | number) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.map(fmt).join(" | ")} |`);
}

/** `npm run build` (tsc, then the CLI's bundle): children run dist/, as users do. */
export function buildDist(): void {
  execFileSync(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", join(REPO, "tsconfig.build.json")], { stdio: "inherit" });
  execFileSync(process.execPath, [join(REPO, "scripts", "bundle_cli.mjs")], { stdio: "inherit" });
}

/**
 * Writes back dirty pages of earlier steps, so they are not charged to the next timed one
 * (measured here: 256 MiB written with a few GiB dirty in the page cache took 0.8 s, 0.06 s
 * after a sync).
 */
export function settle(): void {
  spawnSync("sync", [], { stdio: "ignore" });
}

export function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  for (let at = 0; at < bytes; at += MiB) writeSync(fd, randomBytes(Math.min(MiB, bytes - at)));
  closeSync(fd);
}

/** 6 bits of entropy a byte, a fresh stamp every MiB: zlib has real work (about 3:4). */
export function writeCompressibleFile(path: string, bytes: number): void {
  const pattern = Buffer.alloc(MiB);
  let x = 987654321;
  for (let i = 0; i < pattern.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    pattern[i] = (x >>> 24) & 0x3f;
  }
  const fd = openSync(path, "w");
  for (let n = 0; n * MiB < bytes; n++) {
    pattern.writeUInt32BE(n, 0);
    writeSync(fd, pattern, 0, Math.min(MiB, bytes - n * MiB));
  }
  closeSync(fd);
}

export interface ProcessRun {
  ms: number;
  /** The child's CPU time, user and system (wait4 rusage): steadier than wall time on a busy machine. */
  cpuMs: number;
  /** The child's peak resident memory (wait4 rusage), KiB. */
  peakKiB: number;
  /** Bytes the child wrote to stdout, and the last of them as text. */
  bytes: number;
  tail: string;
}

// Spawns one command and reports its wall time (spawn to exit) and its own peak RSS from wait4:
// a wrapper is needed because node's spawn does not return the child's rusage. stdout is read
// and dropped in 1 MiB reads (the consumer of a pipe); stdin is a file through `cat` (a pipe).
const MEASURE = String.raw`
import json, os, subprocess, sys, tempfile, time
spec = json.loads(sys.argv[1])
err = tempfile.TemporaryFile()
t0 = time.perf_counter()
feeder = subprocess.Popen(["cat", spec["stdin"]], stdout=subprocess.PIPE) if spec.get("stdin") else None
child = subprocess.Popen(spec["argv"], stdin=feeder.stdout if feeder else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, env=spec["env"], cwd=spec.get("cwd"))
if feeder:
    feeder.stdout.close()
fd, n, tail = child.stdout.fileno(), 0, b""
while True:
    b = os.read(fd, 1 << 20)
    if not b:
        break
    n += len(b)
    tail = b[-4096:] if len(b) >= 4096 else (tail + b)[-4096:]
_, status, usage = os.wait4(child.pid, 0)
ms = (time.perf_counter() - t0) * 1000
if feeder:
    feeder.wait()
code = os.waitstatus_to_exitcode(status)
err.seek(0)
print(json.dumps({"ms": ms, "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000, "peakKiB": usage.ru_maxrss, "code": code, "bytes": n, "tail": tail.decode("utf8", "replace"), "stderr": err.read().decode("utf8", "replace")[-2000:]}))
`;

export function measureProcess(argv: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ProcessRun {
  const spec = { argv, stdin: options.stdin, env: { ...process.env, ...options.env }, cwd: options.cwd };
  const r = python<ProcessRun & { code: number; stderr: string }>(MEASURE, [JSON.stringify(spec)]);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.code}): ${r.stderr}`);
  return { ms: r.ms, cpuMs: r.cpuMs, peakKiB: r.peakKiB, bytes: r.bytes, tail: r.tail };
}

/** "0.85x": tldrs time over the baseline's (at or below 1.00x is the goal). */
export function ratio(ours: number, theirs: number): string {
  return `${(ours / theirs).toFixed(2)}x`;
}

export function mibPerS(bytes: number, ms: number): number {
  return Math.round(bytes / MiB / (ms / 1000));
}

export function mib(kib: number): string {
  return (kib / 1024).toFixed(0);
}

/** `--runs N` on the command line (rounds of the big-blob rows), else `fallback`. */
export function roundsFlag(fallback: number): number {
  const at = process.argv.indexOf("--runs");
  const n = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench: --runs needs a positive integer, got "${process.argv[at + 1]}"`);
  return n;
}
