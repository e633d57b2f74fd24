/**
 * Cold-process rows of `npm run bench cli`: one fresh process per command, as an agent's shell
 * runs tldrs. Each tldrs runtime (this Node, Node 22 from the test set-up, Deno, Bun: the CLI in
 * dist/, as installed) against the Python baselines, in the same rounds, the order rotating:
 *
 *   stand-in    test/interop/tldr_swinton_vhs.py, the repo's Python store (always there)
 *   real store  the real tldr-swinton `tldrs vhs` handler on its real core store
 *               (bench/python/real_vhs.py): a lower bound of the real CLI
 *   real CLI    the real tldr-swinton CLI, all its imports, with the third-party packages that
 *               are missing here stubbed (bench/python/real_cli.py): a closer lower bound
 *
 * The two real ones need the tldr-swinton checkout: env TLDR_SWINTON_SRC names it. Python cannot
 * run `context` here (it needs tree-sitter, pygments, pathspec and ast-grep): its row shows the
 * real CLI's `context --help` (every import the command makes, no work), a lower bound again.
 * Medians of wall time and of CPU time (user + system, steadier on a busy machine).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installNodes } from "../test/helpers/node_versions.ts";
import { bunExecutable, DENO_CLI_PERMISSIONS, denoExecutable } from "../test/runtimes/helpers.ts";
import { measureProcess, median, PY_STORE, type ProcessRun, ratio, REPO, table } from "./util.ts";

/** env TLDRS_BENCH_BIN: another build's bin.js (an older commit's dist/, for a before/after). */
const BIN = process.env["TLDRS_BENCH_BIN"] || join(REPO, "dist", "cli", "bin.js");
const COMMANDS = ["put 1 KB file", "cat", "has", "info", "context (small project)"] as const;
type Command = (typeof COMMANDS)[number];

interface Side {
  label: string;
  kind: "tldrs" | "python";
  /** The argv of one command, `root` its store folder; undefined: this side cannot run it. */
  argv(root: string, command: Command, arg: string, project: string): string[] | undefined;
  /** Env for the child: the store folder by TLDRS_VHS_HOME where the side reads it. */
  env(root: string): NodeJS.ProcessEnv;
}

function tldrsSide(label: string, prefix: string[]): Side {
  return {
    label,
    kind: "tldrs",
    argv: (_root, command, arg, project) => [...prefix, ...tldrsArgs(command, arg, project)],
    env: (root) => ({ TLDRS_VHS_HOME: root, TLDRS_REMOTE: "" }),
  };
}

function tldrsArgs(command: Command, arg: string, project: string): string[] {
  if (command === "put 1 KB file") return ["vhs", "put", arg];
  if (command === "context (small project)") return ["context", "main", "--project", project];
  return ["vhs", command, arg];
}

async function tldrsSides(): Promise<{ sides: Side[]; notes: string[] }> {
  const sides = [tldrsSide(`node ${process.version}`, [process.execPath, BIN])];
  const notes: string[] = [];
  const node22 = (await installNodes()).find((b) => b.major === 22);
  if (node22 && "executable" in node22 && !process.version.startsWith("v22.")) sides.push(tldrsSide(`node ${node22.version}`, [node22.executable, BIN]));
  else if (node22 && "unavailable" in node22) notes.push(`node 22: ${node22.unavailable}`);
  for (const [name, find] of [
    ["deno", () => [denoExecutable(), "run", "--no-prompt", ...DENO_CLI_PERMISSIONS, BIN]],
    ["bun", () => [bunExecutable(), BIN]],
  ] as const) {
    try {
      sides.push(tldrsSide(name, find()));
    } catch (err) {
      notes.push(`${name}: ${(err as Error).message}`);
    }
  }
  return { sides, notes };
}

function pythonSides(): Side[] {
  const sides: Side[] = [
    {
      label: "stand-in",
      kind: "python",
      argv: (root, command, arg) => (command === "context (small project)" ? undefined : ["python3", PY_STORE, "--root", root, ...(command === "put 1 KB file" ? ["put", arg] : [command === "cat" ? "get" : command, arg])]),
      env: () => ({}),
    },
  ];
  const src = process.env["TLDR_SWINTON_SRC"];
  if (!src) return sides;
  if (!existsSync(join(src, "src", "tldr_swinton", "cli.py"))) throw new Error(`bench: TLDR_SWINTON_SRC "${src}" has no src/tldr_swinton/cli.py`);
  const vhsArgs = (command: Command, arg: string) => (command === "put 1 KB file" ? ["vhs", "put", arg] : ["vhs", command, arg]);
  sides.push(
    {
      label: "real store",
      kind: "python",
      argv: (_root, command, arg) => (command === "context (small project)" ? undefined : ["python3", join(REPO, "bench", "python", "real_vhs.py"), join(src, "src", "tldr_swinton"), ...vhsArgs(command, arg)]),
      env: (root) => ({ TLDRS_VHS_HOME: root }),
    },
    {
      label: "real CLI",
      kind: "python",
      argv: (_root, command, arg) => ["python3", join(REPO, "bench", "python", "real_cli.py"), join(src, "src"), ...(command === "context (small project)" ? ["context", "--help"] : vhsArgs(command, arg))],
      env: (root) => ({ TLDRS_VHS_HOME: root }),
    },
  );
  return sides;
}

/** A small Python project for `context`: two files, a call across them. */
function smallProject(work: string): string {
  const project = join(work, "project");
  mkdirSync(join(project, "pkg"), { recursive: true });
  writeFileSync(join(project, "pkg", "util.py"), 'def helper(x):\n    """Add one."""\n    return x + 1\n');
  writeFileSync(join(project, "pkg", "app.py"), "from pkg.util import helper\n\n\ndef main():\n    return helper(2)\n");
  return project;
}

function refOf(run: ProcessRun): string {
  const m = /vhs:\/\/[0-9a-f]{64}/.exec(run.tail);
  if (!m) throw new Error(`bench: no ref in ${JSON.stringify(run.tail)}`);
  return m[0];
}

export async function coldRows(work: string, runs: number): Promise<void> {
  const { sides: ours, notes } = await tldrsSides();
  const sides = [...ours, ...pythonSides()];
  const project = smallProject(work);
  const times = new Map<string, { ms: number[]; cpu: number[]; peak: number[] }>();
  const record = (side: Side, command: string, r: ProcessRun) => {
    const t = times.get(`${side.label}|${command}`) ?? { ms: [], cpu: [], peak: [] };
    t.ms.push(r.ms);
    t.cpu.push(r.cpuMs);
    t.peak.push(r.peakKiB);
    times.set(`${side.label}|${command}`, t);
  };
  const floors = { node: [] as ProcessRun[], python: [] as ProcessRun[], version: [] as ProcessRun[] };
  for (let i = 0; i < runs + 2; i++) {
    const file = join(work, `in-${i}.txt`);
    writeFileSync(file, `${i} `.padEnd(1024, "x"));
    // Each round starts with another side, so no side always runs after the same one.
    const order = sides.map((_, k) => sides[(k + i) % sides.length]!);
    for (const side of order) {
      const root = join(work, `small-${side.label.replace(/\W+/g, "_")}`);
      let ref = "";
      for (const command of COMMANDS) {
        const argv = side.argv(root, command, command === "put 1 KB file" ? file : ref, project);
        if (!argv) continue;
        const r = measureProcess(argv, { env: side.env(root), cwd: work });
        if (command === "put 1 KB file") ref = refOf(r);
        if (i >= 2) record(side, command, r); // two rounds warm the OS caches
      }
    }
    if (i < 2) continue;
    floors.node.push(measureProcess([process.execPath, "-e", "0"]));
    floors.python.push(measureProcess(["python3", "-c", "0"]));
    floors.version.push(measureProcess([process.execPath, BIN, "--version"]));
  }
  const stat = (label: string, command: string) => times.get(`${label}|${command}`);
  const py = sides.filter((s) => s.kind === "python");
  const rows: (string | number)[][] = [];
  for (const command of COMMANDS) {
    for (const side of ours) {
      const t = stat(side.label, command)!;
      const ms = median(t.ms);
      const cells: (string | number)[] = [command, side.label, Math.round(ms), Math.round(median(t.cpu)), (Math.max(...t.peak) / 1024).toFixed(0)];
      for (const p of py) {
        const theirs = stat(p.label, command);
        cells.push(theirs ? Math.round(median(theirs.ms)) : "n/a", theirs ? ratio(ms, median(theirs.ms)) : "");
      }
      rows.push(cells);
    }
  }
  const pyCpu = py.map((p) => `${p.label} ${COMMANDS.map((c) => stat(p.label, c)).map((t) => (t ? Math.round(median(t.cpu)) : "n/a")).join("/")}`).join("; ");
  console.log(`Cold processes (medians of ${runs}; wall ms unless said; ratio = tldrs wall / Python wall):\n`);
  table(["command", "tldrs on", "tldrs ms", "tldrs CPU ms", "tldrs peak MiB", ...py.flatMap((p) => [`${p.label} ms`, "tldrs / it"])], rows);
  console.log(`\nPython CPU ms (put/cat/has/info/context): ${pyCpu}`);
  console.log(
    `Floors: node -e 0 ${Math.round(median(floors.node.map((r) => r.ms)))} ms (CPU ${Math.round(median(floors.node.map((r) => r.cpuMs)))}), ` +
      `python3 -c 0 ${Math.round(median(floors.python.map((r) => r.ms)))} ms (CPU ${Math.round(median(floors.python.map((r) => r.cpuMs)))}), ` +
      `tldrs --version ${Math.round(median(floors.version.map((r) => r.ms)))} ms`,
  );
  if (!process.env["TLDR_SWINTON_SRC"]) console.log("Real tldr-swinton rows: set TLDR_SWINTON_SRC to its checkout.");
  if (py.some((p) => p.label === "real CLI")) console.log('Python "context" is the real CLI\'s `context --help` (its imports, no work): tree-sitter and the rest are not installed.');
  for (const n of notes) console.log(`Not measured: ${n}`);
}
