/** Shared helpers of the engine tests: child processes, Python, a dead pid, row readers. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { StateDb } from "../../src/engine/state_db.ts";
import { SCHEMA_DDL } from "../../src/engine/schema.ts";
import { loadSqlJs } from "../../src/engine/sqljs.ts";
import type { Platform } from "../../src/platform/port.ts";

/**
 * A pid no process can have: above the largest pid_max Linux allows (2^22) and macOS's 99999,
 * so `kill(pid, 0)` fails with ESRCH. Lock records with it are stale on this host.
 */
export const DEAD_PID = 4_195_000;

/** The installed sql.js package, whose glue and binary the engine loads. */
export const SQLJS_DIR = fileURLToPath(new URL("../../node_modules/sql.js/", import.meta.url));

export const hasPython = spawnSync("python3", ["-c", "import sqlite3"], { stdio: "ignore" }).status === 0;

export function childScript(name: string): string {
  return fileURLToPath(new URL(`./children/${name}`, import.meta.url));
}

/** A running child with its stdout split in lines. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first line (so far or later) that matches. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(command: string, args: string[]): Child {
  const proc = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  let err = "";
  const waiters = new Set<() => void>();
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  proc.stderr!.setEncoding("utf8");
  proc.stderr!.on("data", (chunk: string) => (err += chunk));
  // "close" comes after the child exited and its stdio ended: every line has arrived.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on("close", (code, signal) => {
      if (partial) lines.push(partial);
      partial = "";
      resolve({ code, signal });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    waitForLine(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find(match);
          if (hit !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          } else if (done) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`child exited without the expected line; stdout: ${lines.join(" | ")}; stderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for a line; stdout: ${lines.join(" | ")}; stderr: ${err}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then(check);
        check();
      });
    },
  };
}

export function startNodeChild(name: string, args: string[]): Child {
  return startChild(process.execPath, [childScript(name), ...args]);
}

/** Runs a Python program to its end; returns stdout. Throws with stderr on failure. */
export function python(code: string, args: string[] = []): string {
  const r = spawnSync("python3", ["-c", code, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * PRAGMA integrity_check by Python's sqlite3. A plain connection, not mode=ro: on a WAL file a
 * read-only connection leaves its -wal and -shm behind (it may not delete them); this one, closing
 * last, removes them, and a read changes nothing else.
 */
export function pythonIntegrity(path: string): string {
  return python(
    "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(c.execute('PRAGMA integrity_check').fetchone()[0])\nc.close()",
    [path],
  ).trim();
}

/** Runs one query with a fresh StateDb (a fresh process's view of the file). */
export async function query(platform: Platform, path: string, sql: string): Promise<unknown[][]> {
  const db = await StateDb.open(platform, path);
  try {
    return await db.read((d) => d.all(sql));
  } finally {
    await db.close();
  }
}

/** The file's bytes and inode, to prove a file untouched. */
export function snapshot(path: string): { bytes: Buffer; ino: number; mtimeMs: number; size: number } {
  const st = statSync(path);
  return { bytes: readFileSync(path), ino: st.ino, mtimeMs: st.mtimeMs, size: st.size };
}

/** A write of one session row `id` (timestamps and fingerprint are placeholders). */
export const insertSession = (id: string) => (d: import("../../src/engine/sql.ts").Sql) => d.run("INSERT INTO sessions VALUES (?, 'a', 'b', 'fp', NULL)", [id]);

/** A database image built directly by sql.js from our schema and `sql` (a file another program could have made). */
export async function craftedImage(platform: Platform, sql: string): Promise<Buffer> {
  const SQL = await loadSqlJs(platform);
  const db = new SQL.Database();
  try {
    db.exec(SCHEMA_DDL);
    db.exec(sql);
    return Buffer.from(db.export());
  } finally {
    db.close();
  }
}
