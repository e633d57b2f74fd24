/**
 * CLI section: wall time of a cold `tldrs vhs put` of a 1 KB file and of `tldrs vhs cat`,
 * process start to exit, against the Python stand-in store doing the same operation
 * (hashlib, file, sqlite3 in WAL mode) in the same run; the start-up floors of both
 * interpreters; and the npm tarball's size.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, table } from "./util.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = join(root, "dist", "cli", "bin.js");
const pyStore = join(root, "test", "interop", "tldr_swinton_vhs.py");
const RUNS = 15;

function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export async function run(): Promise<void> {
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
  const work = mkdtempSync(join(tmpdir(), "tldrs-bench-cli-"));
  try {
    const ourStore = join(work, "ours");
    const theirStore = join(work, "python");
    const env = { ...process.env, TLDRS_VHS_HOME: ourStore };
    const files = Array.from({ length: RUNS + 2 }, (_, i) => {
      const f = join(work, `in-${i}.txt`);
      writeFileSync(f, `${i} `.padEnd(1024, "x"));
      return f;
    });
    const times = { put: [] as number[], cat: [] as number[], pyPut: [] as number[], pyGet: [] as number[], nodeFloor: [] as number[], pyFloor: [] as number[], version: [] as number[] };
    files.forEach((file, i) => {
      const ours = wall(process.execPath, [bin, "vhs", "put", file], env);
      const cat = wall(process.execPath, [bin, "vhs", "cat", ours.stdout.trim()], env);
      const theirs = wall("python3", [pyStore, "--root", theirStore, "put", file]);
      const parsed = JSON.parse(theirs.stdout) as string | { ref: string };
      const ref = typeof parsed === "string" ? parsed : parsed.ref;
      const pyGet = wall("python3", [pyStore, "--root", theirStore, "get", ref]);
      if (i < 2) return; // warm the OS caches
      times.put.push(ours.ms);
      times.cat.push(cat.ms);
      times.pyPut.push(theirs.ms);
      times.pyGet.push(pyGet.ms);
      times.nodeFloor.push(wall(process.execPath, ["-e", "0"]).ms);
      times.pyFloor.push(wall("python3", ["-c", "0"]).ms);
      times.version.push(wall(process.execPath, [bin, "--version"]).ms);
    });
    const m = (xs: number[]) => median(xs);
    table(
      ["command (cold process)", "tldrs ms", "Python store ms", "tldrs / Python"],
      [
        ["put 1 KB file", m(times.put), m(times.pyPut), `${(m(times.put) / m(times.pyPut)).toFixed(2)}x`],
        ["cat / get the blob", m(times.cat), m(times.pyGet), `${(m(times.cat) / m(times.pyGet)).toFixed(2)}x`],
        ["interpreter floor (node -e 0 / python3 -c 0)", m(times.nodeFloor), m(times.pyFloor), `${(m(times.nodeFloor) / m(times.pyFloor)).toFixed(2)}x`],
        ["tldrs --version (no engine load)", m(times.version), "", ""],
      ],
    );
    console.log(`\nmedians of ${RUNS} runs each.`);
    const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as Array<{ size: number; unpackedSize: number; entryCount: number }>;
    const p = packed[0]!;
    console.log(`\ntarball: ${(p.size / 1024 / 1024).toFixed(2)} MiB packed, ${(p.unpackedSize / 1024 / 1024).toFixed(2)} MiB unpacked, ${p.entryCount} files`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
