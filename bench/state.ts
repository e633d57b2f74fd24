/**
 * State: recordDeliveries of 500 symbols and checkDelta of 1,000 and 10,000 symbols,
 * tldrs (sql.js in memory, one lock and one atomic whole-file flush per write) against
 * Python's sqlite3 running the same statements the way the Python store does (a new
 * connection per operation with PRAGMA journal_mode=WAL), in the same run, on databases
 * holding the same 10,000 deliveries, with the same query plan for checkDelta (a session
 * scan for 10,000 symbols, primary-key lookups 500 per statement for 1,000). Python times
 * itself in-process, so its interpreter start-up is not counted, as ours is not.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../src/node.ts";
import type { DeliveryInput } from "../src/state/deliveries.ts";
import { PYTHON_DELTA } from "./python_delta.ts";
import { python, table, timeMedian } from "./util.ts";

const RUNS = 15;
const STORED = 10_000;
const BATCH = 500;
const SESSION = "bench-session";

function deliveries(count: number, offset: number, round: number): DeliveryInput[] {
  return Array.from({ length: count }, (_, i) => ({
    symbolId: `src/module_${(offset + i) % 97}.py:Symbol${offset + i}`,
    etag: `etag-${offset + i}-${round}`,
    representation: i % 4 === 0 ? "signature_only" : "full",
    tokenEstimate: 120 + (i % 50),
    codeSnapshot: i % 4 === 0 ? null : `def symbol_${offset + i}():\n    return ${i}\n`,
  }));
}

/** symbolId -> etag for `count` stored symbols: one in three edited since delivery. */
function etagsFor(count: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of deliveries(count, 0, 0)) out[d.symbolId] = Number(d.symbolId.split("Symbol")[1]) % 3 === 0 ? "edited" : d.etag;
  return out;
}

const PYTHON_BENCH = String.raw`
import json, sqlite3, statistics, sys, time
from datetime import datetime, timezone
path, session, stored, batch, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
UPSERT = """INSERT INTO deliveries
  (session_id, symbol_id, etag, representation, vhs_ref, token_estimate, code_snapshot, last_accessed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(session_id, symbol_id) DO UPDATE SET
  etag = excluded.etag, representation = excluded.representation, vhs_ref = excluded.vhs_ref,
  token_estimate = excluded.token_estimate, code_snapshot = excluded.code_snapshot,
  last_accessed = excluded.last_accessed"""

def conn():
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode=WAL")
    return c

def rows(count, offset, rnd):
    now = datetime.now(timezone.utc).isoformat()
    out = []
    for i in range(count):
        n = offset + i
        rep = "signature_only" if i % 4 == 0 else "full"
        code = None if i % 4 == 0 else "def symbol_%d():\n    return %d\n" % (n, i)
        out.append((session, "src/module_%d.py:Symbol%d" % (n % 97, n), "etag-%d-%d" % (n, rnd), rep, None, 120 + i % 50, code, now))
    return out

c = conn()
c.execute("""CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY, created_at TEXT NOT NULL,
  last_accessed TEXT NOT NULL, repo_fingerprint TEXT NOT NULL, default_language TEXT)""")
c.execute("""CREATE TABLE IF NOT EXISTS deliveries (session_id TEXT NOT NULL, symbol_id TEXT NOT NULL,
  etag TEXT NOT NULL, representation TEXT NOT NULL, vhs_ref TEXT, token_estimate INTEGER,
  code_snapshot TEXT, last_accessed TEXT NOT NULL, PRIMARY KEY(session_id, symbol_id))""")
c.execute("CREATE INDEX IF NOT EXISTS idx_deliveries_last_accessed ON deliveries(last_accessed)")
now = datetime.now(timezone.utc).isoformat()
c.execute("INSERT OR IGNORE INTO sessions VALUES (?, ?, ?, 'fp', NULL)", (session, now, now))
c.executemany(UPSERT, rows(stored, 0, 0))
c.commit(); c.close()

def record(rnd):
    c = conn()
    with c:
        c.executemany(UPSERT, rows(batch, 0, rnd))
        c.execute("UPDATE sessions SET last_accessed = ? WHERE session_id = ?", (datetime.now(timezone.utc).isoformat(), session))
    c.close()

${PYTHON_DELTA}
def etags_for(count):
    out = {}
    for (_, sid, etag, *_rest) in rows(count, 0, 0):
        out[sid] = "edited" if int(sid.split("Symbol")[1]) % 3 == 0 else etag
    return out

def timed(fn, *args):
    for _ in range(2):
        fn(*args)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)

counter = iter(range(1, 10**9))
result = {
    "record": timed(lambda: record(next(counter))),
    "delta1k": timed(delta, etags_for(1000)),
    "delta10k": timed(delta, etags_for(10000)),
}
check = delta(etags_for(stored))
result["unchanged10k"] = len(check[0])
print(json.dumps(result))
`;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tldrs-bench-state-"));
  try {
    const store = await openStore({ project: dir });
    await store.state.openSession(SESSION, { repoFingerprint: "fp" });
    await store.state.recordDeliveries(SESSION, deliveries(STORED, 0, 0));
    let round = 1;
    const record = await timeMedian(RUNS, () => store.state.recordDeliveries(SESSION, deliveries(BATCH, 0, round++)));
    const etags1k = etagsFor(1_000);
    const etags10k = etagsFor(10_000);
    const delta1k = await timeMedian(RUNS, () => store.state.checkDelta(SESSION, etags1k));
    const delta10k = await timeMedian(RUNS, () => store.state.checkDelta(SESSION, etags10k));
    const unchanged10k = (await store.state.checkDelta(SESSION, etagsFor(STORED))).unchanged.size;
    const dbBytes = statSync(store.dbPath).size;
    await store.close();

    const py = python<{ record: number; delta1k: number; delta10k: number; unchanged10k: number }>(PYTHON_BENCH, [
      join(dir, "python_state.db"),
      SESSION,
      String(STORED),
      String(BATCH),
      String(RUNS),
    ]);
    if (py.unchanged10k !== unchanged10k) throw new Error(`bench: Python found ${py.unchanged10k} unchanged, tldrs ${unchanged10k}: not the same work`);

    console.log(`Database: ${STORED.toLocaleString("en-US")} deliveries in one session, ${(dbBytes / 1024 / 1024).toFixed(2)} MiB; median of ${RUNS} runs after 2 warm-ups.`);
    console.log("");
    table(
      ["operation", "tldrs ms", "Python sqlite3 ms", "tldrs / Python"],
      [
        [`recordDeliveries, ${BATCH} symbols (one lock, one flush)`, record, py.record, `${(record / py.record).toFixed(2)}x`],
        ["checkDelta, 1,000 symbols", delta1k, py.delta1k, `${(delta1k / py.delta1k).toFixed(2)}x`],
        ["checkDelta, 10,000 symbols", delta10k, py.delta10k, `${(delta10k / py.delta10k).toFixed(2)}x`],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
