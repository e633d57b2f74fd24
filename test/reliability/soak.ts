/**
 * The soak: 4 worker processes (Node, and Deno and Bun where they run the package) do random
 * puts, gets, deliveries, delta checks, gc, verify and cleanup on one store while a chaos
 * loop SIGKILLs one of them at random moments and restarts it. Each worker appends every
 * acknowledged operation to its own fsynced log (children/soak_worker.mjs). At the end the
 * checker holds the store to those logs:
 *
 * - every acknowledged keep put is readable with exactly its bytes;
 * - an ephemeral blob is gone only by rule: its delete was acknowledged, or it was marked old
 *   (gc runs only with maxAgeDays 1, so nothing else is old enough to go); gc never deleted
 *   anything else;
 * - every acknowledged delivery is present with its value (or a later attempted one) unless a
 *   cleanup's cutoff could have reached it; no phantom rows; delta misses only by cleanup;
 * - PRAGMA integrity_check is ok (and by Python's sqlite3 where present);
 * - verify finds no damage, only what kills explain (orphans of unacknowledged puts, rows of
 *   deleted blobs); once the leftovers of killed processes are past their grace period, one
 *   gc, one write and verify({ repair }) remove them all, and a second verify finds nothing.
 *
 * Usage: tsx test/reliability/soak.ts [--minutes N | --seconds N] [--node-only] [--keep]
 * (the workers run the built package: `npm run build` first; `npm run soak` does).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openStoreWith, type Store } from "../../src/store.ts";
import { contentFor } from "./soak_content.mjs";
import { stateDbOf } from "../../src/store.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const WORKER = fileURLToPath(new URL("./children/soak_worker.mjs", import.meta.url));
/** Clock slack between a worker's Date.now() and the engine's timestamps (same host). */
const SLACK_MS = 250;
/** How far back leftovers are moved to stand for "a later process, past every grace period". */
const PAST_GRACE_MS = 2 * 60 * 60 * 1000;

export type Runtime = "node" | "deno" | "bun";

/** A soak bounded by work done, not by time: it runs until every count is reached. */
export interface SoakTarget {
  kills: number;
  /** Acknowledged operations by kind ("put", "deliver", ...), counted from the workers' logs. */
  acknowledged: Record<string, number>;
}

export interface SoakOptions {
  /** Run for this long (the long soak), ... */
  durationMs?: number;
  /** ... or until this much was done (the short soak in npm test: the same checks on any machine, however loaded). */
  until?: SoakTarget;
  /** Runtimes for workers 0..3, cycled; those that cannot run the package fall back to node. */
  runtimes?: Runtime[];
  /** Pause between kills, drawn uniformly from [min, max] ms. */
  killEveryMs?: [number, number];
  /** Cleanup TTLs (seconds) the workers draw from. */
  ttls?: number[];
  /** Keep the soak folder (store and logs) even on success. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface SoakResult {
  dir: string;
  durationMs: number;
  runtimes: string[];
  notes: string[];
  kills: number;
  starts: number;
  /** Acknowledged operations by kind. */
  operations: Record<string, number>;
  totalOperations: number;
  /** Checks made by the checker (and the workers' live reads), by kind. */
  checks: Record<string, number>;
  totalChecks: number;
  /** Leftovers of killed processes found before recovery, by kind. */
  leftovers: Record<string, number>;
  violations: string[];
}

// ---- runtimes ------------------------------------------------------------------------------

function runtimeCommand(runtime: Runtime): string[] {
  if (runtime === "node") return [process.execPath];
  const bin = join(REPO, "node_modules/.bin", runtime);
  if (runtime === "deno") return [bin, "run", "-A", "--no-lock", `--config=${join(REPO, "deno.json")}`];
  return [bin];
}

/**
 * Whether `runtime` runs the built package here, and on which engine ("auto": native where the
 * runtime has SQLite of its own, so this Node's workers run sql.js and Deno's and Bun's native).
 */
function runtimeWorks(runtime: Runtime, dir: string, distNode: string): { error: string | null; engine: string } {
  const probe = join(dir, `probe-${runtime}.mjs`);
  writeFileSync(
    probe,
    `import { openStore } from ${JSON.stringify(distNode)};\nconst s = await openStore({ root: ${JSON.stringify(join(dir, `probe-${runtime}`))} });\n` +
      `const r = await s.vhs.put("probe");\nawait s.state.recordDeliveries("p", [{ symbolId: "a", etag: "e", representation: "full" }]);\n` +
      `if ((await s.vhs.getText(r)) !== "probe") throw new Error("bad read");\nawait s.close();\nconsole.log("ok " + s.engine.name);\n`,
  );
  const [cmd, ...args] = runtimeCommand(runtime);
  const r = spawnSync(cmd!, [...args, probe], { encoding: "utf8", timeout: 60_000, cwd: REPO });
  const ok = /^ok (\w+)$/m.exec(r.stdout ?? "");
  if (r.status === 0 && ok) return { error: null, engine: ok[1]! };
  return { error: `${runtime} cannot run the package here (${(r.error?.message ?? r.stderr ?? "").trim().split("\n").slice(-1)[0] || `exit ${r.status}`})`, engine: "" };
}

/**
 * A private copy of the built package, so that a rebuild of dist/ during a long soak (a test
 * run, another engineer) does not change the code under workers that restart. Bare imports
 * resolve through a node_modules link beside it; Deno maps them with the repo's deno.json.
 */
function snapshotPackage(dir: string): string {
  const pkg = join(dir, "pkg");
  cpSync(join(REPO, "dist"), join(pkg, "dist"), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  return pathToFileURL(join(pkg, "dist/node.js")).href;
}

// ---- workers and chaos ---------------------------------------------------------------------

interface Kill {
  worker: number;
  pid: number;
  at: number;
}

class Worker {
  proc: ChildProcess | undefined;
  exited: Promise<void> = Promise.resolve();
  startedAt = 0;
  unexpected: string[] = [];
  starts = 0;
  private markKilled: (() => void) | undefined;
  constructor(
    readonly id: number,
    readonly runtime: Runtime,
    private readonly args: string[],
    private readonly stderrPath: string,
    private readonly env: Record<string, string>,
  ) {}

  start(): void {
    const [cmd, ...pre] = runtimeCommand(this.runtime);
    const err = openSync(this.stderrPath, "a");
    const proc = spawn(cmd!, [...pre, WORKER, ...this.args], { stdio: ["ignore", "ignore", err], cwd: REPO, env: { ...process.env, ...this.env } });
    closeSync(err);
    this.proc = proc;
    this.starts++;
    this.startedAt = Date.now();
    let killed = false;
    this.markKilled = () => (killed = true);
    this.exited = new Promise((resolve) => {
      proc.on("exit", (code, signal) => {
        if (!killed && code !== 0) this.unexpected.push(`worker ${this.id} (${this.runtime}, pid ${proc.pid}) exited with ${signal ?? code}`);
        if (this.proc === proc) this.proc = undefined;
        resolve();
      });
    });
  }

  async kill(): Promise<Kill | null> {
    const proc = this.proc;
    if (!proc || proc.pid === undefined) return null;
    this.markKilled?.();
    const at = Date.now();
    proc.kill("SIGKILL");
    await this.exited;
    return { worker: this.id, pid: proc.pid, at };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the run -------------------------------------------------------------------------------

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const say = options.log ?? ((line: string) => console.log(line));
  const dir = mkdtempSync(join(tmpdir(), "tldrs-soak-"));
  const root = join(dir, "project", ".tldrs");
  const logDir = join(dir, "logs");
  const scratch = join(dir, "scratch");
  const stopFile = join(dir, "stop");
  mkdirSync(logDir, { recursive: true });
  mkdirSync(scratch, { recursive: true });
  const notes: string[] = [];
  const distNode = snapshotPackage(dir);

  const wanted = options.runtimes ?? ["node", "node", "deno", "bun"];
  const verdict = new Map<Runtime, { error: string | null; engine: string }>();
  const runtimes: Runtime[] = [];
  for (const r of wanted) {
    if (!verdict.has(r)) verdict.set(r, runtimeWorks(r, dir, distNode));
    const why = verdict.get(r)!.error;
    if (why) {
      if (!notes.includes(why)) notes.push(why);
      if (!verdict.has("node")) verdict.set("node", runtimeWorks("node", dir, distNode));
      runtimes.push("node");
    } else runtimes.push(r);
  }
  const labels = runtimes.map((r) => `${r} (${verdict.get(r)?.engine ?? "?"})`);
  for (const n of notes) say(`soak: note: ${n}; using a Node worker in its place`);

  const env = { SOAK_TTLS: (options.ttls ?? [2, 5, 3600]).join(",") };
  const workers = runtimes.map((rt, id) => new Worker(id, rt, [distNode, root, String(id), logDir, stopFile, scratch], join(logDir, `worker-${id}.stderr`), env));
  const started = Date.now();
  const goal = options.until ? `until ${options.until.kills} kills and ${Object.entries(options.until.acknowledged).map(([k, n]) => `${n} ${k}`).join(", ")} acknowledged` : `for ${((options.durationMs ?? 0) / 1000).toFixed(0)} s`;
  say(`soak: ${workers.length} workers (${labels.join(", ")}) on ${root} ${goal}`);
  const done = () => (options.until ? kills.length >= options.until.kills && reached(logDir, options.until.acknowledged) : Date.now() - started >= (options.durationMs ?? 0));
  for (const w of workers) w.start();

  const kills: Kill[] = [];
  const [minGap, maxGap] = options.killEveryMs ?? [300, 1500];
  let lastReport = started;
  while (!done()) {
    await sleep(minGap + Math.random() * (maxGap - minGap));
    if (done()) break;
    const w = workers[Math.floor(Math.random() * workers.length)]!;
    const k = await w.kill();
    if (k) kills.push(k);
    w.start();
    for (const other of workers) if (!other.proc) other.start(); // an unexpected exit: restart it too
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      say(`soak: ${((Date.now() - started) / 1000).toFixed(0)} s, ${kills.length} kills`);
    }
  }
  writeFileSync(stopFile, "stop\n");
  const stopDeadline = Date.now() + 60_000;
  for (const w of workers) {
    while (w.proc && Date.now() < stopDeadline) await sleep(50);
    if (w.proc) {
      notes.push(`worker ${w.id} did not stop within 60 s: killed`);
      const k = await w.kill();
      if (k) kills.push(k);
    }
  }
  const durationMs = Date.now() - started;

  const result = await check({ dir, root, distNode, logDir, kills, durationMs, runtimes: labels, notes, workers });
  if (result.violations.length === 0 && !options.keep) rmSync(dir, { recursive: true, force: true });
  return result;
}

// ---- the checker ---------------------------------------------------------------------------

interface LogEntry {
  t: string;
  at: number;
  op?: number;
  [key: string]: unknown;
}

interface Run {
  worker: number;
  pid: number;
  /** When this process stopped existing: its kill, its last line, or never known (Infinity). */
  end: number;
  entries: LogEntry[];
}

interface Write {
  start: number;
  etag: string;
  rep: string;
  acked: boolean;
}

function readRuns(logDir: string, kills: Kill[]): { runs: Run[]; torn: number } {
  const killAt = new Map(kills.map((k) => [k.pid, k.at]));
  const runs: Run[] = [];
  let torn = 0;
  for (const name of readdirSync(logDir).sort()) {
    const m = /^worker-(\d+)\.jsonl$/.exec(name);
    if (!m) continue;
    let run: Run | undefined;
    for (const line of readFileSync(join(logDir, name), "utf8").split("\n")) {
      if (line === "") continue;
      let e: LogEntry;
      try {
        e = JSON.parse(line) as LogEntry;
      } catch {
        torn++; // the last line of a run killed mid-write
        continue;
      }
      if (e.t === "start") {
        run = { worker: Number(m[1]), pid: Number(e["pid"]), end: Infinity, entries: [] };
        runs.push(run);
      }
      run?.entries.push(e);
    }
  }
  for (const r of runs) {
    const last = r.entries[r.entries.length - 1];
    r.end = killAt.get(r.pid) ?? (last?.t === "stop" ? last.at : Infinity);
  }
  return { runs, torn };
}

/** Acknowledged operations by kind, as the checker counts them. */
function countOperations(runs: Run[]): Record<string, number> {
  const operations: Record<string, number> = {};
  for (const run of runs) {
    for (const e of run.entries) {
      if (e.t.endsWith("-start") || e.t === "start") continue;
      const kind = e.t.replace(/-ack$/, "");
      operations[kind] = (operations[kind] ?? 0) + 1;
    }
  }
  return operations;
}

/** True once the workers' logs hold at least `floors` acknowledged operations of each kind. */
function reached(logDir: string, floors: Record<string, number>): boolean {
  const done = countOperations(readRuns(logDir, []).runs);
  return Object.entries(floors).every(([kind, n]) => (done[kind] ?? 0) >= n);
}

const TEMP_KINDS: Array<[string, RegExp]> = [
  ["upload in tmp/", /^tmp\/upload-\d+-[0-9a-f]+$/],
  ["database temp or undo file", /^tldrs_state\.db\.[0-9a-f]{16,32}\.(tmp|prev)$/],
  ["lock", /^tldrs_state\.db\.lock$/],
  ["lock temp", /^tldrs_state\.db\.lock(\.break)?\.[0-9a-f]{16,32}\.tmp$/],
  ["break lock", /^tldrs_state\.db\.lock\.break$/],
  ["default session temp", /^default_session_id\.tmp-\d+-[0-9a-f]+$/],
  ["-wal or -shm of a killed native worker", /^tldrs_state\.db-(wal|shm)$/],
];

/**
 * A native worker killed mid-operation leaves the -wal and -shm of its connection; the next
 * native connection recovers from them and, closing last, removes them. The checker runs sql.js
 * (this Node), which would wait for them and then refuse: so, as the next native process would,
 * one native read (Bun, else Deno) runs first. Returns what ran, or why none could.
 */
function recoverNativeLeftovers(root: string, distNode: string, dir: string): string {
  const db = join(root, "tldrs_state.db");
  if (!existsSync(`${db}-wal`) && !existsSync(`${db}-shm`)) return "nothing to recover";
  const script = join(dir, "recover.mjs");
  writeFileSync(script, `import { openStore } from ${JSON.stringify(distNode)};\nconst s = await openStore({ root: ${JSON.stringify(root)}, engine: "native" });\nawait s.state.listSessions();\nawait s.close();\n`);
  for (const runtime of ["bun", "deno"] as const) {
    const [cmd, ...args] = runtimeCommand(runtime);
    const r = spawnSync(cmd!, [...args, script], { encoding: "utf8", timeout: 60_000, cwd: REPO });
    if (r.status === 0) return `a native read on ${runtime} recovered the -wal and -shm`;
  }
  return "no native runtime could open the store to recover its -wal";
}

/** Files of the store that are neither its database, its blobs nor its id file. */
function listLeftovers(root: string): Array<{ path: string; kind: string | null }> {
  const out: Array<{ path: string; kind: string | null }> = [];
  const consider = (rel: string) => {
    const kind = TEMP_KINDS.find(([, re]) => re.test(rel))?.[0] ?? null;
    out.push({ path: join(root, rel), kind });
  };
  for (const name of readdirSync(root)) {
    if (["tldrs_state.db", "blobs", "tmp", "default_session_id", "quarantine", ".gitignore", "CACHEDIR.TAG"].includes(name)) continue;
    consider(name);
  }
  if (existsSync(join(root, "tmp"))) for (const name of readdirSync(join(root, "tmp"))) consider(`tmp/${name}`);
  if (existsSync(join(root, "quarantine"))) for (const name of readdirSync(join(root, "quarantine"))) out.push({ path: join(root, "quarantine", name), kind: null });
  return out;
}

function pythonIntegrity(path: string): string | null {
  const r = spawnSync("python3", ["-c", "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(c.execute('PRAGMA integrity_check').fetchone()[0])\nc.close()", path], { encoding: "utf8" });
  if (r.error || r.status === null) return null;
  return r.status === 0 ? r.stdout.trim() : `python3 failed: ${r.stderr.trim()}`;
}

async function check(ctx: { dir: string; root: string; distNode: string; logDir: string; kills: Kill[]; durationMs: number; runtimes: string[]; notes: string[]; workers: Worker[] }): Promise<SoakResult> {
  const { root, kills } = ctx;
  const violations: string[] = [];
  const fail = (what: string) => {
    if (violations.length < 200) violations.push(what);
  };
  const checks: Record<string, number> = {};
  const count = (k: string, n = 1) => void (checks[k] = (checks[k] ?? 0) + n);
  for (const w of ctx.workers) for (const u of w.unexpected) fail(u);

  const { runs, torn } = readRuns(ctx.logDir, kills);
  const operations = countOperations(runs);
  if (torn > kills.length) fail(`${torn} torn log lines but only ${kills.length} kills`);

  // -- what the logs say was acknowledged
  const keep = new Map<string, { src: string; size: number }>();
  const eph = new Map<string, { src: string; size: number; acked: boolean }>();
  const unackedPuts = new Set<string>();
  const aged = new Set<string>();
  const delStarted = new Set<string>();
  const deletedByCall = new Set<string>();
  const gcDeleted = new Set<string>();
  const writes = new Map<string, Write[]>();
  const cleanups: Array<{ start: number; end: number; ttl: number }> = [];
  const deltas: Array<{ at: number; session: string; misses: Array<{ sym: string; start: number }> }> = [];
  const defaultIds = new Set<string>();
  for (const run of runs) {
    const open = new Map<number, LogEntry>();
    for (const e of run.entries) {
      if (e.op !== undefined && e.t.endsWith("-start")) open.set(e.op, e);
      const started = e.op !== undefined ? open.get(e.op) : undefined;
      switch (e.t) {
        case "put-start":
          unackedPuts.add(String(e["hash"]));
          if (e["kind"] === "eph") eph.set(String(e["hash"]), { src: String(e["src"]), size: Number(e["size"]), acked: false });
          break;
        case "put-ack": {
          const hash = String(e["hash"]);
          unackedPuts.delete(hash);
          if (started?.["hash"] !== hash) fail(`worker ${run.worker}: put-ack of ${hash} without its put-start`);
          else if (started["kind"] === "keep") keep.set(hash, { src: String(started["src"]), size: Number(started["size"]) });
          else if (eph.has(hash)) eph.get(hash)!.acked = true;
          break;
        }
        case "age-start":
          aged.add(String(e["hash"]));
          break;
        case "del-start":
          delStarted.add(String(e["hash"]));
          break;
        case "del-ack":
          if (e["deleted"] === true) deletedByCall.add(String(e["hash"]));
          else fail(`delete of ${String(e["hash"])} (never marked old, so gc may not take it) found nothing to delete`);
          break;
        case "gc-ack":
          if (e["dryRun"] !== true) for (const h of e["deleted"] as string[]) gcDeleted.add(h);
          break;
        case "deliver-start":
          for (const [sym, etag, rep] of e["items"] as Array<[string, string, string]>) {
            const key = `${String(e["session"])}\u0000${sym}`;
            if (!writes.has(key)) writes.set(key, []);
            writes.get(key)!.push({ start: Number(e["start"] ?? e.at), etag, rep, acked: false });
          }
          break;
        case "deliver-ack":
          if (started) {
            for (const [sym, etag] of started["items"] as Array<[string, string]>) {
              const list = writes.get(`${String(started["session"])}\u0000${sym}`)!;
              const w = [...list].reverse().find((x) => x.etag === etag && x.start === Number(started["start"] ?? started.at));
              if (w) w.acked = true;
            }
          }
          break;
        case "cleanup-start":
          cleanups.push({ start: e.at, end: run.end, ttl: Number(e["ttl"]) });
          break;
        case "cleanup-ack": {
          const c = cleanups.find((x) => x.start === started?.at);
          if (c) c.end = e.at;
          break;
        }
        case "delta":
          deltas.push({ at: e.at, session: String(e["session"]), misses: e["misses"] as Array<{ sym: string; start: number }> });
          count("delta checks by workers");
          count("delta symbols checked by workers", Number(e["checked"]));
          break;
        case "get-ok":
          count("reads of acknowledged blobs by workers");
          break;
        case "default-ack":
          defaultIds.add(String(e["id"]));
          break;
        case "violation":
          fail(`worker ${run.worker} (pid ${run.pid}): ${String(e["what"])}: ${JSON.stringify(e["detail"])}`);
          break;
        case "error":
          fail(`worker ${run.worker} (pid ${run.pid}) ${String(e["name"])} failed: ${String(e["code"])} ${String(e["message"])} ${String(e["stack"] ?? "")}`);
          break;
      }
    }
  }
  const removableBy = (start: number, before = Infinity) =>
    cleanups.some((c) => c.start <= before && c.end - c.ttl * 1000 > start - SLACK_MS);

  for (const h of gcDeleted) {
    count("gc deletions checked against the rule");
    if (!aged.has(h)) fail(`gc deleted ${h}, which no worker marked old`);
  }
  if (defaultIds.size > 1) fail(`workers saw ${defaultIds.size} different default session ids: ${[...defaultIds].join(", ")}`);
  count("default session ids compared", defaultIds.size > 0 ? 1 : 0);
  for (const d of deltas) {
    for (const miss of d.misses) {
      count("delta misses explained by cleanup");
      if (!removableBy(miss.start, d.at)) fail(`delta in ${d.session} at ${d.at}: ${miss.sym} (delivered at ${miss.start}) reported changed, and no cleanup could have removed it`);
    }
  }

  // -- leftovers of killed processes, before any recovery
  const leftovers: Record<string, number> = {};
  for (const l of listLeftovers(root)) {
    if (l.kind === null) fail(`unexpected file in the store: ${l.path}`);
    else leftovers[l.kind] = (leftovers[l.kind] ?? 0) + 1;
  }

  if (leftovers["-wal or -shm of a killed native worker"]) ctx.notes.push(recoverNativeLeftovers(root, ctx.distNode, ctx.dir));

  const platform = createNodePlatform();
  let store: Store = await openStoreWith(platform, { root, lock: { timeoutMs: 30_000 } });
  try {
    // -- the database
    const integrity = await stateDbOf(store).read((d) => d.all("PRAGMA integrity_check").map((r) => String(r[0])));
    count("integrity checks");
    if (integrity.join() !== "ok") fail(`integrity_check: ${integrity.slice(0, 5).join("; ")}`);
    const py = pythonIntegrity(store.dbPath);
    if (py !== null) {
      count("integrity checks");
      if (py !== "ok") fail(`python3 integrity_check: ${py}`);
    }

    // -- blobs
    for (const [hash, b] of keep) {
      count("acknowledged keep blobs read back");
      const got = await store.vhs.get(`vhs://${hash}`).catch((e: unknown) => e as Error);
      if (got instanceof Error) fail(`acknowledged blob ${hash} is not readable: ${got.message}`);
      else if (Buffer.compare(Buffer.from(got), Buffer.from(contentFor(b.src, b.size))) !== 0) fail(`acknowledged blob ${hash} has other bytes`);
    }
    for (const [hash, b] of eph) {
      const ref = `vhs://${hash}`;
      const present = await store.vhs.has(ref);
      if (deletedByCall.has(hash) || gcDeleted.has(hash)) {
        count("deleted blobs confirmed gone");
        if (present) fail(`blob ${hash} was reported deleted but is back`);
        continue;
      }
      if (!present) {
        count("ephemeral blobs gone by rule");
        if (b.acked && !aged.has(hash) && !delStarted.has(hash)) fail(`acknowledged blob ${hash} is gone, though no delete or gc could take it`);
        continue;
      }
      count("ephemeral blobs read back");
      const got = await store.vhs.get(ref).catch((e: unknown) => e as Error);
      if (got instanceof Error) fail(`blob ${hash} is present but not readable: ${got.message}`);
      else if (Buffer.compare(Buffer.from(got), Buffer.from(contentFor(b.src, b.size))) !== 0) fail(`blob ${hash} has other bytes`);
    }

    // -- deliveries
    const rows = await stateDbOf(store).read((d) =>
      d.all("SELECT session_id, symbol_id, etag, representation FROM deliveries").map((r) => ({ key: `${String(r[0])}\u0000${String(r[1])}`, etag: String(r[2]), rep: String(r[3]) })),
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    for (const r of rows) {
      if (!writes.has(r.key)) fail(`a delivery nobody wrote: ${r.key.replace("\u0000", " / ")}`);
    }
    for (const [key, list] of writes) {
      const lastAcked = list.map((w) => w.acked).lastIndexOf(true);
      const row = byKey.get(key);
      const shown = key.replace("\u0000", " / ");
      count("deliveries checked");
      if (row) {
        const allowed = list.slice(Math.max(lastAcked, 0));
        if (!allowed.some((w) => w.etag === row.etag && w.rep === row.rep)) {
          fail(`delivery ${shown} holds ${row.etag}/${row.rep}, not the last acknowledged ${lastAcked >= 0 ? `${list[lastAcked]!.etag}/${list[lastAcked]!.rep}` : "(none)"} nor a later attempt`);
        }
      } else if (lastAcked >= 0) {
        count("absent deliveries explained by cleanup");
        if (!removableBy(list[lastAcked]!.start)) fail(`acknowledged delivery ${shown} (at ${list[lastAcked]!.start}) is gone, and no cleanup could have removed it`);
      }
    }

    // -- verify, before recovery: only what kills explain
    const before = await store.vhs.verify();
    count("verify runs");
    count("blob files verified", before.checked);
    if (before.corrupt.length > 0) fail(`verify: corrupt blobs ${before.corrupt.join(", ")}`);
    if (before.wrongSizes.length > 0) fail(`verify: wrong sizes ${before.wrongSizes.join(", ")}`);
    if (before.strays.length > 0) fail(`verify: strays ${before.strays.join(", ")}`);
    for (const h of before.orphans) if (!unackedPuts.has(h)) fail(`verify: blob ${h} has no row, though its put was acknowledged`);
    for (const h of before.missingFiles) if (keep.has(h)) fail(`verify: acknowledged blob ${h} has lost its file`);
    for (const h of before.missingFiles) if (!eph.has(h)) fail(`verify: row without a file for ${h}, which was never deleted`);
    await store.close();

    // -- recovery, "much later": leftovers past their grace period are removed by the sweeps
    const past = new Date(Date.now() - PAST_GRACE_MS);
    for (const l of listLeftovers(root)) if (l.kind !== null) utimesSync(l.path, past, past);
    store = await openStoreWith(platform, { root, lock: { timeoutMs: 30_000 } });
    await store.vhs.gc({});
    await stateDbOf(store).write(() => undefined);
    await store.vhs.verify({ repair: true });
    const after = await store.vhs.verify();
    count("verify runs");
    const findings = after.missingFiles.length + after.orphans.length + after.wrongSizes.length + after.corrupt.length + after.staleUploads.length + after.strays.length;
    if (findings > 0 || after.ok !== after.checked) fail(`verify after repair still reports: ${JSON.stringify(after)}`);
    const left = listLeftovers(root).filter((l) => !l.path.endsWith("tldrs_state.db.lock") || existsSync(l.path));
    for (const l of left) fail(`left after recovery: ${l.path} (${l.kind ?? "unknown"}, ${(Date.now() - statSync(l.path).mtimeMs) / 1000} s old)`);
    count("leftover listings");
    const integrity2 = await stateDbOf(store).read((d) => String(d.get("PRAGMA integrity_check")?.[0]));
    count("integrity checks");
    if (integrity2 !== "ok") fail(`integrity_check after recovery: ${integrity2}`);
  } finally {
    await store.close();
  }

  const totalOperations = Object.entries(operations).filter(([k]) => !["start", "stop", "violation", "error"].includes(k)).reduce((n, [, v]) => n + v, 0);
  return {
    dir: ctx.dir,
    durationMs: ctx.durationMs,
    runtimes: ctx.runtimes,
    notes: ctx.notes,
    kills: kills.length,
    starts: ctx.workers.reduce((n, w) => n + w.starts, 0),
    operations,
    totalOperations,
    checks,
    totalChecks: Object.values(checks).reduce((n, v) => n + v, 0),
    leftovers,
    violations,
  };
}

export function formatSoak(r: SoakResult): string {
  const lines = [
    `soak: ${(r.durationMs / 1000).toFixed(1)} s, workers: ${r.runtimes.join(", ")}`,
    `  kills: ${r.kills}, process starts: ${r.starts}`,
    `  operations acknowledged: ${r.totalOperations} (${Object.entries(r.operations).map(([k, v]) => `${k} ${v}`).join(", ")})`,
    `  checks: ${r.totalChecks} (${Object.entries(r.checks).map(([k, v]) => `${k} ${v}`).join(", ")})`,
    `  leftovers of killed processes before recovery: ${Object.entries(r.leftovers).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
    ...r.notes.map((n) => `  note: ${n}`),
    r.violations.length === 0 ? "  violations: none" : `  VIOLATIONS (${r.violations.length}), store kept in ${r.dir}:\n    ${r.violations.join("\n    ")}`,
  ];
  return lines.join("\n");
}

async function cli(argv: string[]): Promise<number> {
  const num = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const minutes = num("--minutes");
  const seconds = num("--seconds");
  const durationMs = seconds !== undefined ? seconds * 1000 : (minutes ?? 10) * 60_000;
  if (!existsSync(join(REPO, "dist/node.js"))) {
    console.error("soak: dist/node.js is missing: run `npm run build` first");
    return 2;
  }
  const long = durationMs >= 120_000;
  const result = await runSoak({
    durationMs,
    keep: argv.includes("--keep"),
    ...(argv.includes("--node-only") ? { runtimes: ["node", "node", "node", "node"] as Runtime[] } : {}),
    ...(long ? { killEveryMs: [500, 4000] as [number, number], ttls: [5, 30, 120, 3600] } : {}),
  });
  console.log(formatSoak(result));
  return result.violations.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
