/**
 * Engines: tldrs on each engine against Python's sqlite3 doing the same work in the same run, at
 * 1,000, 10,000, 50,000 and 200,000 stored deliveries (issue 14). Per size, one database is built
 * (by Python, in WAL mode, as the Python store leaves it) and copied for each side; each side then
 * runs the same operations in the same order on its copy:
 *
 *   first     the first operation of a new process (a read): what every CLI call pays first
 *   write 1   recordDelivery of one symbol (upsert + session touch), one transaction
 *   batch 500 recordDeliveries of 500 symbols, one transaction
 *   delta 1k  checkDelta of 1,000 symbols (a session scan or primary-key lookups, as tldrs plans)
 *   read      getDelivery of one symbol
 *
 * Python works as the Python store does: a new connection per operation with PRAGMA
 * journal_mode=WAL, commit, close (synchronous=FULL, its default). Each side times itself
 * in-process (interpreter start-up not counted); medians after 2 warm-ups. sql.js runs on this
 * Node (20, where it is the engine); the native engine needs a runtime with its own SQLite: the
 * Node 24 of the test set-up (installed if missing), else Bun.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SCHEMA_DDL } from "../src/engine/schema.ts";
import { installNodes } from "../test/helpers/node_versions.ts";
import { PYTHON_DELTA } from "./python_delta.ts";
import { python, table } from "./util.ts";

const SIZES: Array<[stored: number, runs: number]> = [
  [1_000, 15],
  [10_000, 15],
  [50_000, 9],
  [200_000, 5],
];
const WORKER = fileURLToPath(new URL("./engines_worker.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../", import.meta.url));

interface Result {
  first: number;
  write1: number;
  batch500: number;
  delta1k: number;
  read: number;
  unchanged: number;
  engine?: string;
  runtime?: string;
}

// The rows of bench/engines_data.ts, and the operations of engines_worker.ts, in Python.
const PYTHON_BENCH = String.raw`
import json, sqlite3, statistics, sys, time
from datetime import datetime, timezone
mode, path, session, stored, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
UPSERT = """INSERT INTO deliveries
  (session_id, symbol_id, etag, representation, vhs_ref, token_estimate, code_snapshot, last_accessed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(session_id, symbol_id) DO UPDATE SET
  etag = excluded.etag, representation = excluded.representation, vhs_ref = excluded.vhs_ref,
  token_estimate = excluded.token_estimate, code_snapshot = excluded.code_snapshot,
  last_accessed = excluded.last_accessed"""

def now():
    return datetime.now(timezone.utc).isoformat()

def rows(count, offset, rnd):
    ts = now()
    out = []
    for i in range(count):
        n = offset + i
        rep = "signature_only" if i % 4 == 0 else "full"
        code = None if i % 4 == 0 else "def symbol_%d():\n    return %d\n" % (n, i)
        out.append((session, "src/module_%d.py:Symbol%d" % (n % 97, n), "etag-%d-%d" % (n, rnd), rep, None, 120 + i % 50, code, ts))
    return out

def conn():
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode=WAL")
    return c

if mode == "build":
    c = conn()
    c.executescript(sys.argv[6])
    c.execute("PRAGMA user_version = 1")
    ts = now()
    c.execute("INSERT INTO sessions VALUES (?, ?, ?, 'fp', NULL)", (session, ts, ts))
    c.executemany(UPSERT, rows(stored, 0, 0))
    c.commit()
    c.close()
    print(json.dumps(0))
    sys.exit(0)

def record(batch):
    c = conn()
    with c:
        c.executemany(UPSERT, batch)
        c.execute("UPDATE sessions SET last_accessed = ? WHERE session_id = ?", (now(), session))
    c.close()

${PYTHON_DELTA}
def read(symbol):
    c = conn()
    r = c.execute("SELECT session_id, symbol_id, etag, representation, vhs_ref, token_estimate, code_snapshot, last_accessed FROM deliveries WHERE session_id = ? AND symbol_id = ?", (session, symbol)).fetchone()
    c.close()
    return r

def timed(fn):
    for _ in range(2):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)

t0 = time.perf_counter()
read("src/module_5.py:Symbol5")
first = (time.perf_counter() - t0) * 1000
state = {"round": 1}
def write1():
    rnd = state["round"]; state["round"] += 1
    record(rows(1, rnd % stored, rnd + 1))
def batch500():
    rnd = state["round"]; state["round"] += 1
    record(rows(500, 0, rnd))
etags = {"src/module_%d.py:Symbol%d" % (n % 97, n): ("edited" if n % 3 == 0 else "etag-%d-0" % n) for n in range(1000)}
result = {"first": first, "write1": timed(write1), "batch500": timed(batch500), "delta1k": timed(lambda: delta(etags)), "read": timed(lambda: read("src/module_5.py:Symbol5"))}
result["unchanged"] = len(delta(etags)[0])
print(json.dumps(result))
`;

/** The runtime for the native side: Node 24 from the test set-up (installed if missing), else Bun. */
async function nativeRuntime(): Promise<{ command: string[]; label: string } | { unavailable: string }> {
  const node = (await installNodes()).find((b) => b.major === 24);
  if (node && "executable" in node) return { command: [node.executable, "--import", "tsx"], label: `node ${node.version}` };
  const bun = join(REPO, "node_modules/bun/bin/bun.exe");
  if (existsSync(bun)) return { command: [bun], label: "bun" };
  return { unavailable: `no runtime with a native SQLite (node 24: ${node && "unavailable" in node ? node.unavailable : "missing"}; bun not installed)` };
}

function worker(command: string[], root: string, engine: string, runs: number, stored: number): Result {
  const [cmd, ...pre] = command;
  const r = spawnSync(cmd!, [...pre, WORKER, root, engine, String(runs), String(stored)], { encoding: "utf8", cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench worker (${engine}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Result;
}

export async function run(): Promise<void> {
  const native = await nativeRuntime();
  const sqljs = { command: [process.execPath, "--import", "tsx"], label: `node ${process.version}` };
  const OPS: Array<[key: keyof Result, label: string]> = [
    ["write1", "write 1"],
    ["batch500", "batch 500"],
    ["delta1k", "delta 1k"],
    ["read", "read"],
    ["first", "first op of a process"],
  ];
  const rows: (string | number)[][] = [];
  const engines = new Set<string>();
  for (const [stored, runs] of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), "tldrs-bench-engines-"));
    try {
      const template = join(dir, "template.db");
      python(PYTHON_BENCH, ["build", template, "bench-session", String(stored), "0", SCHEMA_DDL]);
      const mb = (statSync(template).size / 1024 / 1024).toFixed(1);
      const copy = (name: string) => {
        const root = join(dir, name, ".tldrs");
        mkdirSync(root, { recursive: true });
        copyFileSync(template, join(root, "tldrs_state.db"));
        return root;
      };
      const py = python<Result>(PYTHON_BENCH, ["run", join(copy("python"), "tldrs_state.db"), "bench-session", String(stored), String(runs)]);
      const s = worker(sqljs.command, copy("sqljs"), "sqljs", runs, stored);
      engines.add(`sql.js: ${s.engine} on ${s.runtime}`);
      const n = "unavailable" in native ? undefined : worker(native.command, copy("native"), "native", runs, stored);
      if (n) engines.add(`native: ${n.engine} on ${n.runtime}`);
      for (const side of [s, n]) {
        if (side && side.unchanged !== py.unchanged) throw new Error(`bench: ${side.engine} found ${side.unchanged} unchanged, Python ${py.unchanged}: not the same work`);
      }
      for (const [key, label] of OPS) {
        const ratio = (x: number | undefined) => (x === undefined ? "-" : `${(x / (py[key] as number)).toFixed(2)}x`);
        rows.push([`${stored.toLocaleString("en-US")} (${mb} MB)`, label, py[key] as number, n ? (n[key] as number) : "-", ratio(n?.[key] as number | undefined), s[key] as number, ratio(s[key] as number)]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const e of engines) console.log(`- ${e}`);
  if ("unavailable" in native) console.log(`- native: not measured: ${native.unavailable}`);
  console.log("- Python: sqlite3 of this machine's python3, a connection per operation (PRAGMA journal_mode=WAL), as the Python store");
  console.log("");
  table(["deliveries (file)", "operation", "Python ms", "native ms", "native / Python", "sql.js ms", "sql.js / Python"], rows);
}
