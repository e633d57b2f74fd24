/**
 * VHS library rows: tldrs (the built package, dist/) against the Python stand-in store
 * (test/interop/tldr_swinton_vhs.py: hashlib, shutil copy, no compression unless asked),
 * both timed in their own process around the one call, in the same run, alternating which
 * goes first, with `sync` before each step. Every measured call runs in a fresh child
 * process, so each row also reports that process's peak resident memory (getrusage
 * maxRSS: the runtime, the engine and the call).
 *
 *   put 256 MiB / 1 GiB    putFile, and put of a node stream of the file (64 KiB chunks),
 *                          against Store.put(open(file))
 *   get 256 MiB / 1 GiB    getToFile, getStream read to its end, and getInto, against
 *                          Store.get(ref, file) and Store.get(ref, sink)
 *   zlib 256 MiB           put with compress: true (compressible bytes) and get of that blob
 *   1 KB put, warm         200 puts of distinct 1 KB contents in one process, median, then 200
 *                          of content already stored; on this Node and on Node 24 (native engine)
 *
 * Fairness: a tldrs put fsyncs the blob, its folder and the database, and verifies every
 * read (length and sha256); the Python store fsyncs only its WAL on commit and reads
 * without checking. Those are the guarantees being compared, on purpose; one more column
 * gives Python's time plus an fsync of the file it wrote. The order of the steps rotates
 * every round. Ranges (min-max) are printed beside the medians: this machine is shared.
 * `npm run bench vhs -- --runs N` changes the number of rounds of the 256 MiB rows.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installNodes } from "../test/helpers/node_versions.ts";
import { buildDist, median, MiB, mibPerS, mib, ratio, REPO, roundsFlag, settle, table, writeCompressibleFile, writeRandomFile } from "./util.ts";

interface ChildResult {
  ms: number;
  /** Second figure, for the small row: median of puts of content already stored. */
  msSame?: number;
  /** Python only: the fsync of the file it wrote, timed after its call. */
  msSync?: number | null;
  peakKiB: number;
  ref: string;
  bytes: number;
  /** tldrs only, the small row: the engine that ran. */
  engine?: string;
}

const NODE_CHILD = `
import { createReadStream } from "node:fs";
import { openStore } from ${JSON.stringify(join(REPO, "dist", "node.js"))};
const [op, root, file, arg] = process.argv.slice(2);
const store = await openStore({ root, remote: false });
await store.vhs.get(await store.vhs.put("warm up the engine and the folders"));
const opts = op.endsWith("-zlib") ? { compress: true } : {};
let ref = "", bytes = 0, msSame;
const t0 = performance.now();
switch (op.replace(/-zlib$/, "")) {
  case "putFile": ref = await store.vhs.putFile(file, opts); break;
  case "putStream": ref = await store.vhs.put(createReadStream(file), opts); break;
  case "getToFile": await store.vhs.getToFile(arg, file); break;
  case "getInto": await store.vhs.getInto(arg, async (chunk) => void (bytes += chunk.length)); break;
  case "getStream": {
    const reader = (await store.vhs.getStream(arg)).getReader();
    for (;;) { const { value, done } = await reader.read(); if (done) break; bytes += value.length; }
    break;
  }
  case "small": {
    const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const runs = Number(arg);
    const times = [], same = [];
    for (let i = 0; i < runs; i++) {
      const data = String(i).padStart(8, "0").repeat(128);
      const t = performance.now(); await store.vhs.put(data); times.push(performance.now() - t);
    }
    for (let i = 0; i < runs; i++) {
      const t = performance.now(); await store.vhs.put("00000000".repeat(128)); same.push(performance.now() - t);
    }
    msSame = med(same);
    console.log(JSON.stringify({ ms: med(times), msSame, peakKiB: process.resourceUsage().maxRSS, ref, bytes, engine: store.engine.name }));
    process.exit(0);
  }
}
const ms = performance.now() - t0;
await store.close();
console.log(JSON.stringify({ ms, peakKiB: process.resourceUsage().maxRSS, ref, bytes }));
`;

const PY_CHILD = String.raw`
import io, json, os, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from tldr_swinton_vhs import Store
op, root, file, arg = sys.argv[2:6]
compress = op.endswith("-zlib")
op = op.replace("-zlib", "")
store = Store(root)
class Sink:
    bytes = 0
    def write(self, b):
        self.bytes += len(b)
sink, ref, ms_same = Sink(), "", None
t0 = time.perf_counter()
if op in ("putFile", "putStream"):
    with open(file, "rb") as f:
        ref = store.put(f, compress)
elif op == "getToFile":
    with open(file, "wb") as f:
        store.get(arg, f)
elif op in ("getStream", "getInto"):
    store.get(arg, sink)
elif op == "small":
    runs, times, same = int(arg), [], []
    for i in range(runs):
        data = (b"%08d" % i) * 128
        t = time.perf_counter(); store.put(io.BytesIO(data)); times.append((time.perf_counter() - t) * 1000)
    for i in range(runs):
        t = time.perf_counter(); store.put(io.BytesIO(b"00000000" * 128)); same.append((time.perf_counter() - t) * 1000)
    ms_same = statistics.median(same)
ms = (time.perf_counter() - t0) * 1000 if op != "small" else statistics.median(times)
ms_sync = None
written = store._blob_path(ref[6:]) if op in ("putFile", "putStream") else file if op == "getToFile" else None
if written:
    t1 = time.perf_counter()
    fd = os.open(written, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    ms_sync = (time.perf_counter() - t1) * 1000
print(json.dumps({"ms": ms, "msSync": ms_sync, "msSame": ms_same, "peakKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ref": ref, "bytes": sink.bytes}))
`;

type Side = "tldrs" | "python";

function child(side: Side, work: string, op: string, root: string, file: string, arg = "", node = process.execPath): ChildResult {
  const r =
    side === "tldrs"
      ? spawnSync(node, [join(work, "child.mjs"), op, root, file, arg], { encoding: "utf8", env: { ...process.env, TLDRS_REMOTE: "" } })
      : spawnSync("python3", ["-c", PY_CHILD, join(REPO, "test", "interop"), op, root, file, arg], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench ${side} ${op} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
}

interface Row {
  label: string;
  bytes: number;
  tldrs: ChildResult[];
  python: ChildResult[];
}

function rowCells(row: Row): (string | number)[] {
  const ours = median(row.tldrs.map((r) => r.ms));
  const theirs = median(row.python.map((r) => r.ms));
  const synced = row.python[0]?.msSync != null ? median(row.python.map((r) => r.ms + (r.msSync ?? 0))) : undefined;
  const peak = (rs: ChildResult[]) => mib(Math.max(...rs.map((r) => r.peakKiB)));
  const range = (rs: ChildResult[]) => `${Math.round(Math.min(...rs.map((r) => r.ms)))}-${Math.round(Math.max(...rs.map((r) => r.ms)))}`;
  return [
    row.label,
    mibPerS(row.bytes, ours),
    mibPerS(row.bytes, theirs),
    `${Math.round(ours)} (${range(row.tldrs)})`,
    `${Math.round(theirs)} (${range(row.python)})`,
    ratio(ours, theirs),
    synced === undefined ? "" : `${Math.round(synced)} / ${ratio(ours, synced)}`,
    peak(row.tldrs),
    peak(row.python),
  ];
}

interface Step {
  label: string;
  /** The child's op, where it works, its file argument, and its last argument. */
  op: string;
  root: (side: Side) => string;
  file: string;
  arg: (side: Side) => string;
  /** Removed after each run. */
  leftover: (side: Side) => string;
  check: (r: ChildResult, side: Side) => void;
}

/**
 * One size: put rows into fresh stores, get rows from a store holding the blob; `rounds` of
 * each, alternating which side goes first, and rotating the order of the steps every round
 * (the first step after another's big delete or writeback measured slower here, whichever it was).
 */
function bigRows(work: string, label: string, size: number, rounds: number, zlib: boolean): Row[] {
  const input = join(work, `input-${label}`);
  (zlib ? writeCompressibleFile : writeRandomFile)(input, size);
  const suffix = zlib ? "-zlib" : "";
  const what = zlib ? `${label}, compress: true` : label;
  const refs: Record<Side, string> = { tldrs: "", python: "" };
  const getRoot = (side: Side) => join(work, `get-${side}`);
  const putRoot = (side: Side) => join(work, `put-${side}`);
  const out = join(work, "out.bin");
  const stored = (r: ChildResult, side: Side) => {
    if (r.ref !== refs.tldrs) throw new Error(`bench: ${side} stored ${r.ref}, expected ${refs.tldrs}`);
  };
  const readAll = (r: ChildResult, side: Side) => {
    if (r.bytes !== size) throw new Error(`bench: ${side} read ${r.bytes} bytes, expected ${size}`);
  };
  const put = (op: string, name: string): Step => ({ label: `${name} ${what} / Store.put`, op: op + suffix, root: putRoot, file: input, arg: () => "", leftover: putRoot, check: stored });
  const steps: Step[] = [
    put("putFile", "putFile"),
    ...(zlib ? [] : [put("putStream", "put(node stream)")]),
    { label: `getToFile ${what} / Store.get(ref, file)`, op: `getToFile${suffix}`, root: getRoot, file: out, arg: (side) => refs[side], leftover: () => out, check: () => undefined },
    ...(zlib
      ? []
      : [
          { label: `getStream ${what} / Store.get(ref, sink)`, op: "getStream", root: getRoot, file: "", arg: (side: Side) => refs[side], leftover: () => "", check: readAll },
          { label: `getInto ${what} / Store.get(ref, sink)`, op: "getInto", root: getRoot, file: "", arg: (side: Side) => refs[side], leftover: () => "", check: readAll },
        ]),
  ];
  const rows: Row[] = steps.map((step) => ({ label: step.label, bytes: size, tldrs: [], python: [] }));
  for (const side of ["tldrs", "python"] as const) refs[side] = child(side, work, `putFile${suffix}`, getRoot(side), input).ref;
  if (refs.tldrs !== refs.python) throw new Error(`bench: refs differ: ${refs.tldrs} ${refs.python}`);
  for (let round = 0; round < rounds; round++) {
    const sides: Side[] = round % 2 === 0 ? ["tldrs", "python"] : ["python", "tldrs"];
    const order = steps.map((_, i) => (i + round) % steps.length);
    for (const side of sides) {
      for (const i of order) {
        const step = steps[i]!;
        settle();
        const r = child(side, work, step.op, step.root(side), step.file, step.arg(side));
        step.check(r, side);
        rows[i]![side].push(r);
        if (step.leftover(side)) rmSync(step.leftover(side), { recursive: true, force: true });
      }
    }
  }
  for (const side of ["tldrs", "python"] as const) rmSync(getRoot(side), { recursive: true, force: true });
  rmSync(input);
  return rows;
}

/** MiB/s of sha256 in this process over bytes in memory: node:crypto (what the node platform uses) and @noble/hashes. */
async function hashFloor(): Promise<{ native: number; noble: number }> {
  const { createHash, randomBytes } = await import("node:crypto");
  const { sha256 } = await import("@noble/hashes/sha2.js");
  const data = new Uint8Array(randomBytes(64 * MiB));
  const rate = (bytes: number, run: () => void) => {
    const times = [0, 1, 2].map(() => {
      const t0 = performance.now();
      run();
      return performance.now() - t0;
    });
    return mibPerS(bytes, median(times));
  };
  return {
    native: rate(data.length, () => createHash("sha256").update(data).digest()),
    noble: rate(16 * MiB, () => sha256(data.subarray(0, 16 * MiB))),
  };
}

/** The disk's own speed for a durable copy: `dd bs=1M conv=fsync` of the file, median of `rounds`. */
function diskFloor(work: string, size: number, rounds: number): number {
  const input = join(work, "floor-input");
  const out = join(work, "floor-out");
  writeRandomFile(input, size);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    settle();
    const t0 = performance.now();
    const r = spawnSync("dd", [`if=${input}`, `of=${out}`, "bs=1M", "conv=fsync"], { stdio: "ignore" });
    if (r.status !== 0) throw new Error("bench: dd failed");
    times.push(performance.now() - t0);
    rmSync(out);
  }
  rmSync(input);
  return median(times);
}

export async function run(): Promise<void> {
  buildDist();
  const work = mkdtempSync(join(tmpdir(), "tldrs-bench-vhs-"));
  writeFileSync(join(work, "child.mjs"), NODE_CHILD);
  const rounds = roundsFlag(7);
  try {
    // This Node's engine (sql.js on Node 20), and the native engine on the Node 24 of the test
    // set-up where it can be had: what users of Node 22+ run.
    const node24 = (await installNodes()).find((b) => b.major === 24);
    const sides: Array<[label: string, node: string]> = [[`node ${process.version}`, process.execPath]];
    if (node24 && "executable" in node24) sides.push([`node ${node24.version}`, node24.executable]);
    const python = child("python", work, "small", join(work, "small-py"), "", "200");
    const smallRows: (string | number)[][] = [];
    for (const [label, node] of sides) {
      const ours = child("tldrs", work, "small", join(work, `small-${smallRows.length}`), "", "200", node);
      smallRows.push(
        [`1 KB put, distinct contents (${label}, ${ours.engine})`, ours.ms, python.ms, ratio(ours.ms, python.ms), mib(ours.peakKiB), mib(python.peakKiB)],
        [`1 KB put, content already stored (${label}, ${ours.engine})`, ours.msSame!, python.msSame!, ratio(ours.msSame!, python.msSame!), "", ""],
      );
    }
    console.log("1 KB puts in a warm process (one process each, median of 200):\n");
    table(["operation", "tldrs ms", "Python ms", "tldrs / Python", "tldrs peak MiB", "Python peak MiB"], smallRows);

    const rows = [...bigRows(work, "256 MiB", 256 * MiB, rounds, false), ...bigRows(work, "1 GiB", 1024 * MiB, Math.max(3, rounds >> 1), false), ...bigRows(work, "256 MiB", 256 * MiB, Math.max(3, rounds >> 1), true)];
    console.log(`\nBig blobs (median of ${rounds} rounds at 256 MiB, ${Math.max(3, rounds >> 1)} at 1 GiB and for zlib; random bytes, compressible bytes for zlib; one fresh process per call):\n`);
    table(["operation tldrs / Python store", "tldrs MiB/s", "Python MiB/s", "tldrs ms (min-max)", "Python ms (min-max)", "tldrs / Python", "Python + fsync of its file ms / ratio", "tldrs peak MiB", "Python peak MiB"], rows.map(rowCells));
    const floor = diskFloor(work, 256 * MiB, rounds);
    console.log(`\nDisk floor, a durable copy of 256 MiB (dd bs=1M conv=fsync, median of ${rounds}): ${Math.round(floor)} ms, ${mibPerS(256 * MiB, floor)} MiB/s.`);
    const hash = await hashFloor();
    console.log(`sha256 in memory: node:crypto ${hash.native} MiB/s (the node platform's hasher, in Node, Deno and Bun), @noble/hashes ${hash.noble} MiB/s (for runtimes without one): every get checks every byte, so this is its floor.`);
    console.log("The Python store never fsyncs a blob (nor a get's output); tldrs does, before a blob gets its name or a file is renamed into place. The fsync column adds what that costs Python: os.fsync of the file it wrote, timed after its call.");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
