/**
 * Engine: median latency of a one-row write transaction at database sizes of about 100 KB,
 * 1 MB and 10 MB, against Python's sqlite3 doing the same insert the way the Python store
 * does (a new connection per operation, PRAGMA journal_mode=WAL, commit, close), in the same
 * run, on a copy of the same file. Python times itself in-process (interpreter start-up not
 * counted, as ours is not). Two tldrs columns: a long-lived StateDb (lock, header check, SQL,
 * export, temp + fsync + rename + folder fsync, unlock) and a fresh StateDb per operation (it
 * also reads and checks the whole image first, as a new CLI process does; engine already
 * loaded). Plus the machine's fsync floor: write 4 KiB + fsync + rename + folder fsync.
 */
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateDb } from "../src/engine/state_db.ts";
import { isoTimestamp } from "../src/engine/timestamp.ts";
import { createNodePlatform } from "../src/platform/node.ts";
import { median, python, table, timeMedian } from "./util.ts";

const SIZES: Array<[label: string, bytes: number, runs: number]> = [
  ["100 KB", 100 * 1024, 41],
  ["1 MB", 1024 * 1024, 31],
  ["10 MB", 10 * 1024 * 1024, 15],
];

const PYTHON_BENCH = String.raw`
import json, sqlite3, statistics, sys, time
from datetime import datetime, timezone
path, runs = sys.argv[1], int(sys.argv[2])
def op(i):
    ts = datetime.now(timezone.utc).isoformat()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("INSERT INTO sessions VALUES (?, ?, ?, 'bench-fp', NULL)", ("py-%d" % i, ts, ts))
    conn.commit()
    conn.close()
for i in range(2):
    op(-1 - i)
times = []
for i in range(runs):
    t = time.perf_counter()
    op(i)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps(statistics.median(times)))
`;

let seq = 0;
const insertOne = (d: import("../src/engine/sql.ts").Sql) => {
  const ts = isoTimestamp(Date.now());
  d.run("INSERT INTO sessions VALUES (?, ?, ?, 'bench-fp', NULL)", [`ts-${seq++}`, ts, ts]);
};

/** A database of about `bytes`, filled with 1,000-byte rows (4 to a 4 KiB page) in a side table. */
async function makeDb(path: string, bytes: number): Promise<void> {
  const db = await StateDb.open(createNodePlatform(), path);
  await db.write((d) => {
    d.run("CREATE TABLE bench_fill (id INTEGER PRIMARY KEY, data TEXT NOT NULL)");
    // About 40 KiB are schema, index and free pages of an empty store.
    const rows = Math.max(1, Math.round((bytes - 40 * 1024) / 1024));
    for (let i = 0; i < rows; i++) d.run("INSERT INTO bench_fill VALUES (?, ?)", [i, "x".repeat(1000)]);
  });
  await db.close();
}

function fsyncFloor(dir: string, runs: number): number {
  const block = Buffer.alloc(4096, 7);
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const tmp = join(dir, `floor.${i}.tmp`);
    const fd = openSync(tmp, "wx");
    writeSync(fd, block);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(dir, "floor"));
    const dfd = openSync(dir, "r");
    fsyncSync(dfd);
    closeSync(dfd);
    if (i >= 3) times.push(performance.now() - t0);
  }
  return median(times);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tldrs-bench-engine-"));
  const platform = createNodePlatform();
  try {
    const rows: (string | number)[][] = [];
    for (const [label, bytes, runs] of SIZES) {
      const ours = join(dir, `ours-${label.replace(" ", "")}.db`);
      const theirs = join(dir, `py-${label.replace(" ", "")}.db`);
      await makeDb(ours, bytes);
      copyFileSync(ours, theirs);
      const size = statSync(ours).size;

      const db = await StateDb.open(platform, ours);
      const warm = await timeMedian(runs, () => db.write(insertOne));
      await db.close();
      const fresh = await timeMedian(runs, async () => {
        const one = await StateDb.open(platform, ours);
        await one.write(insertOne);
        await one.close();
      });
      const py = python<number>(PYTHON_BENCH, [theirs, String(runs)]);
      rows.push([label, `${(size / 1024).toFixed(0)} KiB`, warm, fresh, py, `${(warm / py).toFixed(1)}x`, `${(fresh / py).toFixed(1)}x`]);
    }
    table(["size", "file", "tldrs write, open StateDb (ms)", "tldrs write, fresh StateDb (ms)", "Python sqlite3 WAL (ms)", "ratio open/Python", "ratio fresh/Python"], rows);
    console.log(`\nfsync floor of ${dir} (write 4 KiB + fsync + rename + folder fsync): ${fsyncFloor(dir, 41).toFixed(2)} ms (median)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
