/**
 * VHS: throughput of put and get on a 256 MiB file against `sha256sum` + `cp` of the same
 * file in the same run (both read the page cache: this measures CPU and copies, not the
 * disk); median latency of 1 KiB puts against Python doing what the Python store does
 * (hashlib, temp file + os.replace, a new sqlite3 connection in WAL mode, INSERT OR IGNORE,
 * commit) timed in-process; peak resident memory of a 1 GiB put and get, each in its own
 * child process (getrusage maxRSS, minus the process's resident memory before the call).
 *
 * Note on fairness: a tldrs put fsyncs the blob, its folder and the database; `cp` fsyncs
 * nothing (so a second baseline adds `sync` of the copy), and the Python store fsyncs only
 * its WAL on commit (sqlite's default). `sync` runs before each timed step so that dirty
 * pages of the previous step are not charged to it.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createNodePlatform } from "../src/platform/node.ts";
import { openStoreWith } from "../src/store.ts";
import { median, python, table } from "./util.ts";

const MiB = 1024 * 1024;
const CHILD_FLAG = "--vhs-bench-child";
const platform = createNodePlatform();

const PYTHON_SMALL_PUTS = String.raw`
import hashlib, json, os, sqlite3, statistics, sys, time
from datetime import datetime, timezone
root, runs, same = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "same"
blobs, tmp, db = os.path.join(root, "blobs"), os.path.join(root, "tmp"), os.path.join(root, "tldrs_state.db")
os.makedirs(tmp, exist_ok=True)
conn = sqlite3.connect(db)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE IF NOT EXISTS objects (hash TEXT PRIMARY KEY, size INTEGER NOT NULL, stored_size INTEGER NOT NULL DEFAULT 0, compression TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, last_accessed TEXT NOT NULL)")
conn.commit(); conn.close()
def put(data):
    h = hashlib.sha256(data).hexdigest()
    temp = os.path.join(tmp, "upload-%d-%s" % (os.getpid(), os.urandom(6).hex()))
    with open(temp, "wb") as f:
        f.write(data)
    dest = os.path.join(blobs, h[:2], h[2:4], h)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if not os.path.exists(dest):
        os.replace(temp, dest)
    else:
        os.unlink(temp)
    now = datetime.now(timezone.utc).isoformat()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    with conn:
        conn.execute("INSERT OR IGNORE INTO objects (hash, size, stored_size, compression, created_at, last_accessed) VALUES (?, ?, ?, '', ?, ?)", (h, len(data), os.path.getsize(dest), now, now))
    conn.close()
for i in range(3):
    put(b"warm-%d" % i + bytes(1024))
times = []
for i in range(runs):
    data = b"the same 1 KiB".ljust(1024, b".") if same else (b"%08d" % i) * 128
    t = time.perf_counter()
    put(data)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps(statistics.median(times)))
`;

function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  for (let at = 0; at < bytes; at += MiB) writeSync(fd, randomBytes(MiB));
  closeSync(fd);
}

function timeCommand(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
  return performance.now() - t0;
}

/** Writes back dirty pages of earlier steps, so they are not charged to the next timed one. */
function settle(): void {
  spawnSync("sync", [], { stdio: "ignore" });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function throughput(work: string): Promise<void> {
  const size = 256 * MiB;
  const file = join(work, "random-256m.bin");
  writeRandomFile(file, size);
  const copy = join(work, "copy.bin");
  const runs = 3;
  const baseline: number[] = [];
  const baselineSynced: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    settle();
    const ms = timeCommand("sha256sum", [file]) + timeCommand("cp", [file, copy]);
    const syncMs = timeCommand("sync", [copy]); // what tldrs does too: the copy is durable
    rmSync(copy);
    if (i > 0) {
      // the first run warms the page cache
      baseline.push(ms);
      baselineSynced.push(ms + syncMs);
    }
  }
  const base = median(baseline);
  const baseSynced = median(baselineSynced);

  const rows: (string | number)[][] = [];
  for (const [label, options, n] of [
    ["raw (compress: false)", { compress: false }, runs],
    ["zlib (default: >= 64 KiB)", {}, 1],
  ] as const) {
    const putTimes: number[] = [];
    const againTimes: number[] = [];
    const getTimes: number[] = [];
    for (let i = 0; i < n; i++) {
      const root = join(work, `store-${label.slice(0, 3)}-${i}`);
      const store = await openStoreWith(platform, { root });
      let ref = "";
      settle();
      putTimes.push(await timed(async () => (ref = await store.vhs.putFile(file, options))));
      settle();
      // The same content again: staged like any put, then the file already there is read and
      // checked (issue 13: a damaged one is replaced) before the upload is dropped.
      againTimes.push(await timed(() => store.vhs.putFile(file, options)));
      settle();
      getTimes.push(await timed(() => store.vhs.getToFile(ref, copy)));
      rmSync(copy);
      await store.close();
      rmSync(root, { recursive: true, force: true });
    }
    const put = median(putTimes);
    const get = median(getTimes);
    const row = (what: string, ms: number) => [what, ms, size / MiB / (ms / 1000), base, baseSynced, `${(ms / base).toFixed(2)}x / ${(ms / baseSynced).toFixed(2)}x`];
    rows.push(row(`put 256 MiB file, ${label}`, put));
    rows.push(row(`put the same 256 MiB again (existing file checked), ${label}`, median(againTimes)));
    rows.push(row(`get 256 MiB to a file, ${label}`, get));
  }
  rmSync(file);
  console.log(`Throughput (median of ${runs} for raw, 1 run for zlib; random bytes, so zlib is its worst case):\n`);
  table(["operation", "tldrs ms", "tldrs MiB/s", "sha256sum + cp ms", "... + sync of the copy ms", "tldrs / baselines"], rows);
}

async function smallPuts(work: string): Promise<void> {
  const runs = 200;
  const root = join(work, "small");
  const store = await openStoreWith(platform, { root });
  for (let i = 0; i < 3; i++) await store.vhs.put(`warm-${i}`.padEnd(1024, "."));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const data = String(i).padStart(8, "0").repeat(128);
    times.push(await timed(() => store.vhs.put(data)));
  }
  const same = "the same 1 KiB".padEnd(1024, ".");
  await store.vhs.put(same);
  const sameTimes: number[] = [];
  for (let i = 0; i < runs; i++) sameTimes.push(await timed(() => store.vhs.put(same)));
  await store.close();
  const py = python<number>(PYTHON_SMALL_PUTS, [join(work, "small-py"), String(runs), "distinct"]);
  const pySame = python<number>(PYTHON_SMALL_PUTS, [join(work, "small-py-same"), String(runs), "same"]);
  const ours = median(times);
  const oursSame = median(sameTimes);
  console.log(`\n1 KiB puts, median of ${runs} into one store (distinct contents; then one content ${runs} times):\n`);
  table(["", "median ms", "tldrs / Python"], [
    ["tldrs put (temp + fsync, link, folder fsync, one write transaction + atomic flush)", ours, `${(ours / py).toFixed(2)}x`],
    ["Python store steps (hashlib, temp + os.replace, new sqlite3 connection, WAL, INSERT, commit)", py, "1.00x"],
    ["tldrs put of stored content (temp + fsync, existing file read and checked, access time)", oursSame, `${(oursSame / pySame).toFixed(2)}x`],
    ["Python store steps, stored content (exists: temp unlinked, INSERT OR IGNORE, commit)", pySame, "1.00x"],
  ]);
}

interface ChildResult {
  ref: string;
  ms: number;
  before: number;
  peak: number;
  sha256: string;
}

function runChild(mode: string, root: string, arg = ""): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG, mode, root, arg], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
}

async function peakMemory(work: string): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const mode of ["raw", "zlib"] as const) {
    const root = join(work, `gib-${mode}`);
    settle();
    const put = runChild(`put-${mode}`, root);
    settle();
    const get = runChild("get", root, put.ref);
    if (get.sha256 !== put.ref.slice(6)) throw new Error("bench: 1 GiB get returned other bytes");
    const mb = (n: number) => (n / MiB).toFixed(1);
    rows.push([`put 1 GiB stream, ${mode}`, put.ms, mb(put.peak), mb(put.peak - put.before)]);
    settle();
    rows.push([`getStream 1 GiB, ${mode}`, get.ms, mb(get.peak), mb(get.peak - get.before)]);
    rmSync(root, { recursive: true, force: true });
  }
  console.log("\nPeak resident memory, 1 GiB, each call in its own child process:\n");
  table(["operation", "ms", "peak RSS MiB", "growth over start MiB"], rows);
}

/** The child side of peakMemory: one put of a generated 1 GiB stream, or one getStream. */
async function child(mode: string, root: string, arg: string): Promise<void> {
  const store = await openStoreWith(platform, { root });
  await store.vhs.get(await store.vhs.put("warm up the engine and the folders"));
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  let ref = arg;
  const digest = createHash("sha256");
  if (mode.startsWith("put-")) {
    // One pattern of 6 bits of entropy a byte (zlib has real work, about 3:4; its 32 KiB
    // window never sees the repeat), stamped with the chunk number: cheap to make.
    const pattern = new Uint8Array(MiB);
    let x = 987654321;
    for (let i = 0; i < pattern.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      pattern[i] = (x >>> 24) & 0x3f;
    }
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let n = 0; n < 1024; n++) {
        const chunk = pattern.slice();
        new DataView(chunk.buffer).setUint32(0, n);
        yield chunk;
      }
    }
    ref = await store.vhs.put(source(), { compress: mode === "put-zlib" });
  } else {
    const reader = (await store.vhs.getStream(ref)).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      digest.update(value);
    }
  }
  const ms = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  await store.close();
  const result: ChildResult = { ref, ms, before, peak, sha256: digest.digest("hex") };
  console.log(JSON.stringify(result));
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "tldrs-bench-vhs-"));
  try {
    await throughput(work);
    await smallPuts(work);
    await peakMemory(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const flag = process.argv.indexOf(CHILD_FLAG);
if (flag >= 0) {
  const [mode, root, arg] = process.argv.slice(flag + 1);
  await child(mode!, root!, arg ?? "");
}
