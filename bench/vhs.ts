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
 *   get 256 MiB / 1 GiB    getToFile, and getStream read to its end, against Store.get(ref,
 *                          file) and Store.get(ref, sink)
 *   zlib 256 MiB           put with compress: true (compressible bytes) and get of that blob
 *   1 KB put, warm         200 puts of distinct 1 KB contents in one process, median
 *
 * Fairness: a tldrs put fsyncs the blob, its folder and the database, and verifies every
 * read (length and sha256); the Python store fsyncs only its WAL on commit and reads
 * without checking. Those are the guarantees being compared, on purpose.
 * `npm run bench vhs -- --runs N` changes the number of rounds of the 256 MiB rows.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDist, median, MiB, mibPerS, mib, ratio, REPO, roundsFlag, settle, table, writeCompressibleFile, writeRandomFile } from "./util.ts";

interface ChildResult {
  ms: number;
  /** Second figure, for the small row: median of puts of content already stored. */
  msSame?: number;
  peakKiB: number;
  ref: string;
  bytes: number;
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
    console.log(JSON.stringify({ ms: med(times), msSame, peakKiB: process.resourceUsage().maxRSS, ref, bytes }));
    process.exit(0);
  }
}
const ms = performance.now() - t0;
await store.close();
console.log(JSON.stringify({ ms, peakKiB: process.resourceUsage().maxRSS, ref, bytes }));
`;

const PY_CHILD = String.raw`
import io, json, resource, statistics, sys, time
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
elif op == "getStream":
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
print(json.dumps({"ms": ms, "msSame": ms_same, "peakKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ref": ref, "bytes": sink.bytes}))
`;

type Side = "tldrs" | "python";

function child(side: Side, work: string, op: string, root: string, file: string, arg = ""): ChildResult {
  const r =
    side === "tldrs"
      ? spawnSync(process.execPath, [join(work, "child.mjs"), op, root, file, arg], { encoding: "utf8", env: { ...process.env, TLDRS_REMOTE: "" } })
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
  const peak = (rs: ChildResult[]) => mib(Math.max(...rs.map((r) => r.peakKiB)));
  return [row.label, mibPerS(row.bytes, ours), mibPerS(row.bytes, theirs), ours, theirs, ratio(ours, theirs), peak(row.tldrs), peak(row.python)];
}

/** One size: put rows into fresh stores, get rows from a store holding the blob; `rounds` of each, alternating sides. */
function bigRows(work: string, label: string, size: number, rounds: number, zlib: boolean): Row[] {
  const input = join(work, `input-${label}`);
  (zlib ? writeCompressibleFile : writeRandomFile)(input, size);
  const suffix = zlib ? "-zlib" : "";
  const what = zlib ? `${label}, compress: true` : label;
  const ops = zlib ? ["putFile"] : ["putFile", "putStream"];
  const rows: Row[] = [
    ...ops.map((op) => ({ label: `${op === "putFile" ? "putFile" : "put(node stream)"} ${what} / Store.put`, bytes: size, tldrs: [], python: [] })),
    { label: `getToFile ${what} / Store.get(ref, file)`, bytes: size, tldrs: [], python: [] },
    ...(zlib ? [] : [{ label: `getStream ${what} / Store.get(ref, sink)`, bytes: size, tldrs: [], python: [] }]),
  ];
  const refs: Record<Side, string> = { tldrs: "", python: "" };
  const getRoot = (side: Side) => join(work, `get-${side}`);
  for (const side of ["tldrs", "python"] as const) refs[side] = child(side, work, `putFile${suffix}`, getRoot(side), input).ref;
  if (refs.tldrs !== refs.python) throw new Error(`bench: refs differ: ${refs.tldrs} ${refs.python}`);
  const out = join(work, "out.bin");
  for (let round = 0; round < rounds; round++) {
    const sides: Side[] = round % 2 === 0 ? ["tldrs", "python"] : ["python", "tldrs"];
    for (const side of sides) {
      let i = 0;
      for (const op of ops) {
        const root = join(work, `put-${side}`);
        settle();
        const r = child(side, work, `${op}${suffix}`, root, input);
        if (r.ref !== refs.tldrs) throw new Error(`bench: ${side} ${op} stored ${r.ref}, expected ${refs.tldrs}`);
        rows[i++]![side].push(r);
        rmSync(root, { recursive: true, force: true });
      }
      settle();
      rows[i++]![side].push(child(side, work, `getToFile${suffix}`, getRoot(side), out, refs[side]));
      rmSync(out, { force: true });
      if (!zlib) {
        settle();
        const r = child(side, work, "getStream", getRoot(side), "", refs[side]);
        if (r.bytes !== size) throw new Error(`bench: ${side} getStream read ${r.bytes} bytes, expected ${size}`);
        rows[i++]![side].push(r);
      }
    }
  }
  for (const side of ["tldrs", "python"] as const) rmSync(getRoot(side), { recursive: true, force: true });
  rmSync(input);
  return rows;
}

export async function run(): Promise<void> {
  buildDist();
  const work = mkdtempSync(join(tmpdir(), "tldrs-bench-vhs-"));
  writeFileSync(join(work, "child.mjs"), NODE_CHILD);
  const rounds = roundsFlag(7);
  try {
    const small = { tldrs: child("tldrs", work, "small", join(work, "small-tldrs"), "", "200"), python: child("python", work, "small", join(work, "small-py"), "", "200") };
    console.log("1 KB puts in a warm process (one process each, median of 200):\n");
    table(["operation", "tldrs ms", "Python ms", "tldrs / Python", "tldrs peak MiB", "Python peak MiB"], [
      ["1 KB put, distinct contents", small.tldrs.ms, small.python.ms, ratio(small.tldrs.ms, small.python.ms), mib(small.tldrs.peakKiB), mib(small.python.peakKiB)],
      ["1 KB put, content already stored", small.tldrs.msSame!, small.python.msSame!, ratio(small.tldrs.msSame!, small.python.msSame!), "", ""],
    ]);

    const rows = [...bigRows(work, "256 MiB", 256 * MiB, rounds, false), ...bigRows(work, "1 GiB", 1024 * MiB, Math.max(3, rounds >> 1), false), ...bigRows(work, "256 MiB", 256 * MiB, Math.max(3, rounds >> 1), true)];
    console.log(`\nBig blobs (median of ${rounds} rounds at 256 MiB, ${Math.max(3, rounds >> 1)} at 1 GiB and for zlib; random bytes, compressible bytes for zlib; one fresh process per call):\n`);
    table(["operation tldrs / Python store", "tldrs MiB/s", "Python MiB/s", "tldrs ms", "Python ms", "tldrs / Python", "tldrs peak MiB", "Python peak MiB"], rows.map(rowCells));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
