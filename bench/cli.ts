/**
 * CLI rows: wall time of fresh processes, spawn to exit, tldrs (dist/cli/bin.js) against the
 * Python stand-in store's CLI (test/interop/tldr_swinton_vhs.py) doing the same command in
 * the same run, alternating which goes first, with each process's own peak resident memory
 * (wait4 rusage):
 *
 *   cold, 1 KB      put, cat, has, info and context on each runtime, against the Python
 *                   baselines (cli_cold.ts; medians of 15), and the interpreter floors
 *   256 MiB, 1 GiB  vhs put FILE, vhs put - from a pipe (cat FILE |), vhs get --out FILE,
 *                   vhs cat into a pipe, against put FILE, put -, get --out, get into a pipe
 *
 * Plus the npm tarball's size. `--runs N` changes the rounds of the big rows (default 7 at
 * 256 MiB, half that, at least 3, at 1 GiB); `--cold-only` stops after the cold rows.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coldRows } from "./cli_cold.ts";
import { buildDist, measureProcess, median, MiB, mib, mibPerS, PY_STORE, type ProcessRun, ratio, REPO, roundsFlag, settle, table, writeRandomFile } from "./util.ts";

const BIN = join(REPO, "dist", "cli", "bin.js");
const SMALL_RUNS = 15;

type Side = "tldrs" | "python";

/** The argv of one command on one side; `root` is the store folder. */
function command(side: Side, root: string, args: string[]): { argv: string[]; env: NodeJS.ProcessEnv } {
  return side === "tldrs"
    ? { argv: [process.execPath, BIN, "vhs", ...args], env: { TLDRS_VHS_HOME: root, TLDRS_REMOTE: "" } }
    : { argv: ["python3", PY_STORE, "--root", root, ...pyArgs(args)], env: {} };
}

/** The stand-in spells `cat REF` as `get REF`. */
function pyArgs(args: string[]): string[] {
  return args[0] === "cat" ? ["get", ...args.slice(1)] : args;
}

function runSide(side: Side, root: string, args: string[], stdin?: string): ProcessRun {
  const { argv, env } = command(side, root, args);
  return measureProcess(argv, { env, ...(stdin ? { stdin } : {}) });
}

function refOf(run: ProcessRun): string {
  const m = /vhs:\/\/[0-9a-f]{64}/.exec(run.tail);
  if (!m) throw new Error(`bench: no ref in ${JSON.stringify(run.tail)}`);
  return m[0];
}

interface BigRow {
  label: string;
  size: number;
  runs: Record<Side, ProcessRun[]>;
}

function bigRows(work: string, label: string, size: number, rounds: number): BigRow[] {
  const input = join(work, `input-${label}`);
  writeRandomFile(input, size);
  const out = join(work, "out.bin");
  const rows: BigRow[] = ["vhs put FILE / put FILE", "vhs put - from a pipe / put -", "vhs get --out FILE / get --out FILE", "vhs cat into a pipe / get into a pipe"].map((what) => ({
    label: `${what}, ${label}`,
    size,
    runs: { tldrs: [], python: [] },
  }));
  const getRoot = (side: Side) => join(work, `get-${side}`);
  const refs = { tldrs: refOf(runSide("tldrs", getRoot("tldrs"), ["put", input])), python: refOf(runSide("python", getRoot("python"), ["put", input])) };
  if (refs.tldrs !== refs.python) throw new Error(`bench: refs differ: ${refs.tldrs} ${refs.python}`);
  for (let round = 0; round < rounds; round++) {
    const sides: Side[] = round % 2 === 0 ? ["tldrs", "python"] : ["python", "tldrs"];
    for (const side of sides) {
      const putRoot = join(work, `put-${side}`);
      const steps: Array<() => ProcessRun> = [
        () => runSide(side, putRoot, ["put", input]),
        () => runSide(side, putRoot, ["put", "-"], input),
        () => runSide(side, getRoot(side), ["get", refs[side], "--out", out]),
        () => runSide(side, getRoot(side), ["cat", refs[side]]),
      ];
      // The order rotates every round (the first step after another's big delete or writeback measured slower).
      steps.forEach((_, k) => {
        const i = (k + round) % steps.length;
        const step = steps[i]!;
        settle();
        const r = step();
        if (i < 2 && refOf(r) !== refs.tldrs) throw new Error(`bench: ${side} stored ${refOf(r)}`);
        if (i === 3 && r.bytes !== size) throw new Error(`bench: ${side} cat wrote ${r.bytes} bytes, expected ${size}`);
        rows[i]!.runs[side].push(r);
        rmSync(putRoot, { recursive: true, force: true });
        rmSync(out, { force: true });
      });
    }
  }
  for (const side of ["tldrs", "python"] as const) rmSync(getRoot(side), { recursive: true, force: true });
  rmSync(input);
  return rows;
}

export async function run(): Promise<void> {
  buildDist();
  const work = mkdtempSync(join(tmpdir(), "tldrs-bench-cli-"));
  try {
    await coldRows(work, SMALL_RUNS);
    if (process.argv.includes("--cold-only")) return;

    const rounds = roundsFlag(7);
    const bigRounds = Math.max(3, rounds >> 1);
    const rows = [...bigRows(work, "256 MiB", 256 * MiB, rounds), ...bigRows(work, "1 GiB", 1024 * MiB, bigRounds)];
    console.log(`\nBig blobs through the CLI (medians of ${rounds} rounds at 256 MiB, ${bigRounds} at 1 GiB; random bytes; wall time of the process, spawn to exit):\n`);
    table(
      ["command tldrs / Python store", "tldrs MiB/s", "Python MiB/s", "tldrs ms (min-max)", "Python ms (min-max)", "tldrs / Python", "tldrs peak MiB", "Python peak MiB"],
      rows.map((row) => {
        const ours = median(row.runs.tldrs.map((r) => r.ms));
        const theirs = median(row.runs.python.map((r) => r.ms));
        const peak = (rs: ProcessRun[]) => mib(Math.max(...rs.map((r) => r.peakKiB)));
        const range = (rs: ProcessRun[]) => `(${Math.round(Math.min(...rs.map((r) => r.ms)))}-${Math.round(Math.max(...rs.map((r) => r.ms)))})`;
        return [row.label, mibPerS(row.size, ours), mibPerS(row.size, theirs), `${Math.round(ours)} ${range(row.runs.tldrs)}`, `${Math.round(theirs)} ${range(row.runs.python)}`, ratio(ours, theirs), peak(row.runs.tldrs), peak(row.runs.python)];
      }),
    );

    const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as Array<{ size: number; unpackedSize: number; entryCount: number }>;
    const p = packed[0]!;
    console.log(`\ntarball: ${(p.size / MiB).toFixed(2)} MiB packed, ${(p.unpackedSize / MiB).toFixed(2)} MiB unpacked, ${p.entryCount} files`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
