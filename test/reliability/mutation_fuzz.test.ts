// Mutation fuzz: 1,000 mutants of a valid database image (byte flips, header fields, page
// swaps, copies and zeroing, truncations, garbage runs). Each mutant either opens with a clean
// integrity_check (and takes a write that keeps it clean) or is refused with a TldrsError; no
// crash, no other error, no hang. The mutants run in a child process (children/fuzz_child.mjs)
// under a watchdog: a mutant that takes more than 20 s is a hang, the child is killed, the
// mutant kept for inspection, and the run goes on from the next one. The watchdog is the only
// clock in this test: nothing asserts on how fast a mutant is.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { StateDb } from "../../src/engine/state_db.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";

const MUTANTS = 1_000;
// 100x the slowest mutant measured (166 ms, under load): a loaded machine is slower, not hung.
const HANG_MS = 20_000;
const CHILD = fileURLToPath(new URL("./children/fuzz_child.mjs", import.meta.url));
const DIST = pathToFileURL(fileURLToPath(new URL("../../dist/node.js", import.meta.url))).href;

/** A valid store database over many pages: rows in every table, indexes, overflow pages. */
async function seedImage(dir: string): Promise<string> {
  const path = join(dir, "seed.db");
  const db = await StateDb.open(createNodePlatform(), path);
  await db.write((d) => {
    for (let i = 0; i < 200; i++) {
      const ts = `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}.000000+00:00`;
      d.run("INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?)", [i.toString(16).padStart(64, "0"), i * 10, i * 7, i % 2 ? "zlib" : "", ts, ts]);
      if (i < 20) d.run("INSERT INTO sessions VALUES (?, ?, ?, 'git:abc', NULL)", [`s${i}`, ts, ts]);
      d.run("INSERT INTO deliveries VALUES (?, ?, ?, 'full', NULL, ?, ?, ?)", [`s${i % 20}`, `sym${i}`, `e${i}`, i, i % 10 === 0 ? "x".repeat(6000) : `code ${i}`, ts]);
    }
  });
  await db.close();
  return path;
}

interface FuzzRun {
  outcomes: Map<number, string>;
  kinds: Map<number, string>;
  problems: string[];
  maxMs: number;
}

/** Runs mutants from..to-1 in one child; resolves with where it stopped (to, or after a hang or crash). */
function runChild(seed: string, work: string, from: number, to: number, run: FuzzRun): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, DIST, seed, work, String(from), String(to)], { stdio: ["ignore", "pipe", "pipe"] });
    let current = -1;
    let startedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    let stderr = "";
    let partial = "";
    let hung = false;
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        const [what, index, ...rest] = line.split(" ");
        if (what === "start") {
          current = Number(index);
          run.kinds.set(current, rest.join(" "));
          startedAt = performance.now();
          timer = setTimeout(() => {
            hung = true;
            run.problems.push(`mutant ${current} (${run.kinds.get(current)}): no answer within ${HANG_MS} ms (kept as ${join(work, `hang-${current}.db`)})`);
            copyFileSync(join(work, "m", "tldrs_state.db"), join(work, `hang-${current}.db`));
            child.kill("SIGKILL");
          }, HANG_MS);
        } else if (what === "end") {
          clearTimeout(timer);
          run.maxMs = Math.max(run.maxMs, performance.now() - startedAt);
          run.outcomes.set(Number(index), rest.join(" "));
          current = -1;
        }
      }
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (hung) return resolve(current + 1);
      if (current >= 0) {
        run.problems.push(`mutant ${current} (${run.kinds.get(current)}): the child died (${signal ?? code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
        return resolve(current + 1);
      }
      if (code !== 0) run.problems.push(`the fuzz child exited ${signal ?? code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
      resolve(to);
    });
  });
}

describe("mutation fuzz of the database image", () => {
  it(`${MUTANTS} mutants each open clean or are refused as corrupt; no crash, no hang`, async () => {
    const work = tempDir("tldrs-fuzz-");
    const seed = await seedImage(work);
    expect(readFileSync(seed).length).toBeGreaterThan(20 * 4096);
    const run: FuzzRun = { outcomes: new Map(), kinds: new Map(), problems: [], maxMs: 0 };
    let next = 0;
    while (next < MUTANTS && run.problems.length < 20) next = await runChild(seed, work, next, MUTANTS, run);

    const tally = new Map<string, number>();
    for (const [i, outcome] of run.outcomes) {
      const key = outcome.startsWith("BAD:") ? "BAD" : outcome;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (outcome.startsWith("BAD:")) run.problems.push(`mutant ${i} (${run.kinds.get(i)}): ${outcome.slice(4)}`);
      // A flipped user_version makes a "newer" file: read, never written.
      else expect(["ok", "refused:ECORRUPT", "refused:ENEWERSCHEMA"], `mutant ${i} (${run.kinds.get(i)})`).toContain(outcome);
    }
    const byKind = new Map<string, string>();
    for (const [i, outcome] of run.outcomes) {
      const k = run.kinds.get(i)!;
      const [ok, refused] = (byKind.get(k) ?? "0/0").split("/").map(Number) as [number, number];
      byKind.set(k, outcome === "ok" ? `${ok + 1}/${refused}` : `${ok}/${refused + 1}`);
    }
    console.info(
      `mutation fuzz: ${run.outcomes.size} mutants: ${[...tally].map(([k, v]) => `${k} ${v}`).join(", ")}; slowest ${run.maxMs.toFixed(0)} ms\n` +
        `  by kind (opened clean / refused): ${[...byKind].map(([k, v]) => `${k} ${v}`).join(", ")}`,
    );
    expect(run.problems).toEqual([]);
    expect(run.outcomes.size).toBe(MUTANTS);
    expect(existsSync(join(work, "hang-0.db"))).toBe(false);
    writeFileSync(join(work, "done"), "");
  });
});
