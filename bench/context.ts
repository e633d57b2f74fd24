/**
 * `npm run bench context`: `tldrs context` (runContext, in process) on real code bases that
 * are available offline, cold and warm:
 *
 *   first run       no symbol cache: walk, read, hash and parse every file
 *   warm            symbol cache warm (files trusted by their stamps): the default output
 *   cold session    symbol cache warm, a new session, --include-body: every symbol sent in full
 *   warm session    the same session again: every symbol UNCHANGED (the bytes delta saves)
 *
 * Corpora: the JavaScript/TypeScript sources inside this repo's node_modules (the store
 * goes to a temp folder through TLDRS_VHS_HOME: nothing is written there), and ~2,000
 * Python files of the system's Python library copied to a temp folder, when present.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runContext } from "../src/context/run_context.ts";
import { walkProject } from "../src/context/walk.ts";
import { createNodePlatform } from "../src/platform/node.ts";
import type { Platform } from "../src/platform/port.ts";
import { openStoreWith } from "../src/store.ts";
import { median, table } from "./util.ts";

interface Corpus {
  name: string;
  project: string;
  entry: string;
}

const PYTHON_TREES = ["/usr/lib/python3.11", "/usr/lib/python3/dist-packages"];

/** Copies the .py files of the system Python library into `dest` (the walk never follows symlinks). */
function copyPython(dest: string): boolean {
  let copied = false;
  for (const src of PYTHON_TREES) {
    if (!existsSync(src)) continue;
    cpSync(src, join(dest, src.split("/").pop()!), {
      recursive: true,
      filter: (s) => {
        const st = statSync(s, { throwIfNoEntry: false });
        return !!st && (st.isDirectory() ? !s.endsWith("__pycache__") : s.endsWith(".py"));
      },
    });
    copied = true;
  }
  return copied;
}

async function time(fn: () => Promise<number>): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const bytes = await fn();
  return { ms: performance.now() - t0, bytes };
}

export async function run(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "tldrs-bench-context-"));
  try {
    const corpora: Corpus[] = [
      { name: "node_modules JS/TS", project: fileURLToPath(new URL("../node_modules", import.meta.url)), entry: "@noble/hashes/src/scrypt.ts:scrypt" },
    ];
    const py = join(scratch, "python");
    if (copyPython(py)) corpora.push({ name: "Python library", project: py, entry: "python3.11/argparse.py:ArgumentParser.parse_known_args" });

    const rows: (string | number)[][] = [];
    for (const corpus of corpora) {
      const storeRoot = join(scratch, `store-${rows.length}`);
      const base = createNodePlatform();
      const platform: Platform = { ...base, env: (name) => (name === "TLDRS_VHS_HOME" ? storeRoot : base.env(name)) };
      const open = () => openStoreWith(platform, { project: corpus.project });
      const walked = await walkProject(platform, corpus.project);
      const sourceBytes = walked.files.reduce((n, f) => n + f.size, 0);
      const call = async (sessionId?: string): Promise<number> => {
        const r = await runContext(platform, { entry: corpus.entry, project: corpus.project, ...(sessionId ? { sessionId, includeBody: true, budget: 0 } : {}) }, open);
        return Buffer.byteLength(r.stdout);
      };

      const first: { ms: number; bytes: number }[] = [];
      for (let i = 0; i < 3; i++) {
        rmSync(join(storeRoot, "cache"), { recursive: true, force: true });
        first.push(await time(() => call()));
      }
      const warmDefault: { ms: number; bytes: number }[] = [];
      for (let i = 0; i < 7; i++) warmDefault.push(await time(() => call()));
      const cold: { ms: number; bytes: number }[] = [];
      const warm: { ms: number; bytes: number }[] = [];
      for (let i = 0; i < 7; i++) {
        const session = `bench-${i}`;
        cold.push(await time(() => call(session)));
        warm.push(await time(() => call(session)));
      }
      const label = `${corpus.name} (${walked.files.length} files, ${(sourceBytes / 1e6).toFixed(1)} MB)`;
      const coldBytes = median(cold.map((c) => c.bytes));
      const warmBytes = median(warm.map((c) => c.bytes));
      rows.push([label, "first run, no symbol cache", median(first.map((c) => c.ms)), median(first.map((c) => c.bytes)), ""]);
      rows.push([label, "warm, the default output", median(warmDefault.map((c) => c.ms)), median(warmDefault.map((c) => c.bytes)), ""]);
      rows.push([label, "cold session (all sent)", median(cold.map((c) => c.ms)), coldBytes, ""]);
      rows.push([label, "warm session (all UNCHANGED)", median(warm.map((c) => c.ms)), warmBytes, `${(100 * (1 - warmBytes / coldBytes)).toFixed(0)}% fewer bytes`]);
    }
    console.log(`entry: ${corpora.map((c) => `${c.name}: ${c.entry}`).join("; ")} (depth 2, text; sessions with --include-body --budget 0)\n`);
    table(["corpus", "call", "median ms", "output bytes", "delta"], rows);
    const cores = readdirSync("/sys/devices/system/cpu").filter((d) => /^cpu\d+$/.test(d)).length;
    console.log(`\n${cores} cores; first run: 3 runs, warm and sessions: 7 runs each.`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
