/**
 * What a user gets today: the packed tarball installed into an empty folder with an empty,
 * private npm cache and no lockfile, so the registry resolves every declared range as it would
 * for a user now (the 0.1.0 package broke when sql.js 1.17.0 was published, and a test that
 * installed from a warm cache did not see it). Then the CLI and the library on every runtime
 * users run: the machine's Node, Node 22, 24 and 26 from the registry, Deno and Bun.
 *
 * Needs the npm registry: where it cannot be reached, every case skips and says why; nothing
 * falls back to a cache.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, type TestContext } from "vitest";
import { installedNodes, missingNodes } from "../helpers/node_builds.ts";
import { registryProblem } from "../helpers/node_versions.ts";
import { tempDirForFile } from "../helpers/tmp.ts";
import { call, connect, writeProject } from "../mcp/helpers.ts";
import { ROOT, bunExecutable, denoExecutable, describeRun, runCommand, type RunResult } from "../runtimes/helpers.ts";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const DENO_LIB = ["--allow-read", "--allow-write", "--allow-env=TLDRS_VHS_HOME", "--allow-sys=hostname"];
const DENO_CLI = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=hostname"];

const NODE_SCRIPT = `
import { openStore } from "tldrs";
import * as testing from "tldrs/testing";
const store = await openStore({ project: "." });
const ref = await store.vhs.put("node, from the installed package");
// The test tools live on their own subpath, off the main entry.
console.log(JSON.stringify({ ref, text: await store.vhs.getText(ref), testing: Object.keys(testing).sort(), db: "db" in store }));
await store.close();
`;
const DENO_SCRIPT = `
import * as viaNpm from "npm:tldrs";
import * as bare from "tldrs";
import { parseRef } from "npm:tldrs/core";
if (viaNpm.openStore !== bare.openStore) throw new Error("npm:tldrs and tldrs are two copies");
const store = await viaNpm.openStore({ project: "." });
const ref = await store.vhs.put("deno, from the installed package");
await store.state.openSession("deno-session", { repoFingerprint: "fp" });
console.log(JSON.stringify({ ref, hash: parseRef(ref), text: await store.vhs.getText(ref) }));
await store.close();
`;
const BUN_SCRIPT = `
import { openStore } from "tldrs";
const store = await openStore({ project: "." });
const ref = await store.vhs.put("bun, from the installed package");
const sessions = (await store.state.listSessions()).map((s) => s.sessionId);
console.log(JSON.stringify({ ref, text: await store.vhs.getText(ref), sessions }));
await store.close();
`;

interface Install {
  app: string;
  tarball: string;
  files: string[];
  packedBytes: number;
  unpackedBytes: number;
  seconds: number;
}

let install: Install | undefined;
let skipReason: string | undefined;

function du(path: string): number {
  let total = 0;
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  for (const entry of readdirSync(path)) total += du(join(path, entry));
  return total;
}

/** The packages npm installed (its hidden lockfile in node_modules lists each once). */
function installedPackages(app: string): Record<string, { version?: string }> {
  const lock = JSON.parse(readFileSync(join(app, "node_modules/.package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
  return Object.fromEntries(Object.entries(lock.packages).filter(([path]) => path.startsWith("node_modules/")));
}

function need(t: TestContext): Install {
  if (!install) t.skip(`no fresh install: ${skipReason}`);
  return install!;
}

const tldrs = (app: string, args: string[], input?: string): Promise<RunResult> =>
  runCommand(npm, ["exec", "--offline", "--", "tldrs", ...args], { cwd: app, input: input ?? "" });

beforeAll(async () => {
  skipReason = await registryProblem();
  if (skipReason) {
    console.warn(`fresh install tests skipped: ${skipReason}`);
    return;
  }
  const work = tempDirForFile("tldrs-install-");
  // dist/ is built by the global set-up; packing must not rebuild it under other tests' feet.
  const packed = execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [info] = JSON.parse(packed.slice(packed.indexOf("["))) as Array<{ filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }>;
  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  writeFileSync(join(app, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  const started = performance.now();
  // An empty private cache and no lockfile: what the registry resolves today, nothing cached.
  const r = spawnSync(npm, ["install", "--cache", join(work, "npm-cache"), "--prefer-online", "--no-audit", "--no-fund", "--no-package-lock", join(work, info!.filename)], { cwd: app, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm install of the tarball failed (exit ${r.status}):\n${r.stderr}`);
  install = { app, tarball: join(work, info!.filename), files: info!.files.map((f) => f.path), packedBytes: info!.size, unpackedBytes: info!.unpackedSize, seconds: (performance.now() - started) / 1000 };
  const pkgs = installedPackages(app);
  console.log(
    `fresh install: tarball ${(install.packedBytes / 1024).toFixed(0)} KiB packed, ${(install.unpackedBytes / 1024).toFixed(0)} KiB unpacked; ` +
      `node_modules ${(du(join(app, "node_modules")) / 2 ** 20).toFixed(1)} MiB, ${Object.keys(pkgs).length} packages; install ${install.seconds.toFixed(1)} s`,
  );
}, 300_000);

describe("a fresh install of the tarball (empty npm cache, no lockfile)", () => {
  it("ships dist and the grammars, no engine copy of its own, no install scripts; npm resolves sql.js to the pinned build", (t) => {
    const { app, files } = need(t);
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "CHANGELOG.md", "LICENSE", "dist/cli/bin.js", "dist/node.js", "dist/node.d.ts", "wasm/grammars/tree-sitter-python.wasm"]));
    expect(files.filter((f) => /^(src|test|bench)\//.test(f) || f.endsWith(".tgz") || f === "wasm/sql-wasm.wasm")).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, "node_modules/tldrs/package.json"), "utf8")) as { scripts?: Record<string, string>; dependencies: Record<string, string> };
    for (const hook of ["preinstall", "install", "postinstall", "prepare"]) expect(pkg.scripts?.[hook], hook).toBeUndefined();
    const pkgs = installedPackages(app);
    expect(pkgs["node_modules/sql.js"]?.version).toBe(pkg.dependencies["sql.js"]);
    // Nothing with a native build among what a user installs.
    const native = Object.keys(pkgs).filter((p) => readdirSync(join(app, p)).includes("binding.gyp"));
    expect(native).toEqual([]);
  });

  it("npx tldrs: vhs put, cat, ls; context on a small project; doctor", async (t) => {
    const { app } = need(t);
    const put = await tldrs(app, ["vhs", "put", "-"], "fresh hello\n");
    expect(put.code, describeRun("vhs put", put)).toBe(0);
    expect(put.stderr.replace(/npm warn.*\n/g, "")).toBe("");
    const ref = put.stdout.trim();
    expect(ref).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
    const cat = await tldrs(app, ["vhs", "cat", ref]);
    expect(cat.stdout, describeRun("vhs cat", cat)).toBe("fresh hello\n");
    const ls = await tldrs(app, ["vhs", "ls"]);
    expect((JSON.parse(ls.stdout) as unknown[]).length, describeRun("vhs ls", ls)).toBeGreaterThanOrEqual(1);

    const project = join(app, "proj");
    mkdirSync(join(project, "pkg"), { recursive: true });
    writeFileSync(join(project, "pkg/app.py"), "def helper(x):\n    return x + 1\n\n\ndef main():\n    return helper(2)\n");
    const context = await tldrs(app, ["context", "main", "--project", project]);
    expect(context.code, describeRun("context", context)).toBe(0);
    expect(context.stdout).toContain("return helper(2)");
    expect(context.stdout).toContain("## pkg/app.py:helper (lines 1-2) [depth 1]\ndef helper(x)\n"); // callees: their signature

    const doctor = await tldrs(app, ["doctor"]);
    expect(doctor.code, describeRun("doctor", doctor)).toBe(0);
    expect(doctor.stdout).toMatch(/\[ok {2}\] engine: sql\.js \d+\.\d+\.\d+ \(glue and binary checked\)/);
    expect(doctor.stdout).toMatch(/healthy\n$/);
  });

  it("tldrs mcp from the installed package answers the SDK's client (the SDK resolved by npm like the rest)", async (t) => {
    const { app } = need(t);
    const project = join(app, "mcp-proj");
    writeProject(project);
    const s = await connect(project, { bin: join(app, "node_modules/tldrs/dist/cli/bin.js") });
    try {
      expect((await s.client.listTools()).tools).toHaveLength(5);
      expect(await call(s, "context", { entry: "main" })).toContain("return helper(2)");
      expect(await call(s, "context", { entry: "main" })).toContain("[UNCHANGED]");
    } finally {
      await s.close();
    }
  });

  it("imports from a Node script, a Deno script (npm:tldrs from node_modules) and a Bun script", async (t) => {
    const { app } = need(t);
    writeFileSync(join(app, "node_script.mjs"), NODE_SCRIPT);
    writeFileSync(join(app, "deno_script.ts"), DENO_SCRIPT);
    writeFileSync(join(app, "bun_script.mjs"), BUN_SCRIPT);
    const node = await runCommand(process.execPath, ["node_script.mjs"], { cwd: app });
    expect(node.code, describeRun("node script", node)).toBe(0);
    expect(JSON.parse(node.stdout)).toMatchObject({
      text: "node, from the installed package",
      testing: ["CrashError", "createFaultyPlatform", "createMemoryPlatform"],
      db: false,
    });
    const deno = await runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_LIB, "deno_script.ts"], { cwd: app });
    expect(deno.code, describeRun("deno script", deno)).toBe(0);
    const fromDeno = JSON.parse(deno.stdout) as { ref: string; text: string };
    expect(fromDeno.text).toBe("deno, from the installed package");
    const bun = await runCommand(bunExecutable(), ["bun_script.mjs"], { cwd: app });
    expect(bun.code, describeRun("bun script", bun)).toBe(0);
    const fromBun = JSON.parse(bun.stdout) as { ref: string; text: string; sessions: string[] };
    expect(fromBun).toMatchObject({ text: "bun, from the installed package", sessions: ["deno-session"] });

    // The CLI: Deno runs the package's bin (`deno run npm:tldrs`), Bun runs node_modules/.bin/tldrs.
    const [denoGet, bunGet] = await Promise.all([
      runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_CLI, "npm:tldrs", "vhs", "get", fromBun.ref], { cwd: app }),
      runCommand(bunExecutable(), [join(app, "node_modules/.bin/tldrs"), "vhs", "get", fromDeno.ref], { cwd: app }),
    ]);
    expect(denoGet.stdout, describeRun("deno run npm:tldrs vhs get", denoGet)).toBe("bun, from the installed package");
    expect(bunGet.stdout, describeRun("bun tldrs vhs get", bunGet)).toBe("deno, from the installed package");
  });

  it("the installed CLI and library on Node 22, 24 and 26 (from the registry's node package)", async (t) => {
    const { app } = need(t);
    const missing = missingNodes();
    if (missing) t.skip(missing);
    writeFileSync(join(app, "node_script.mjs"), NODE_SCRIPT);
    for (const node of installedNodes()) {
      const bin = join(app, "node_modules/tldrs/dist/cli/bin.js");
      const put = await runCommand(node.executable, [bin, "vhs", "put", "-"], { cwd: app, input: `on ${node.version}\n` });
      expect(put.code, describeRun(`${node.version} vhs put`, put)).toBe(0);
      expect(put.stderr).toBe("");
      const cat = await runCommand(node.executable, [bin, "vhs", "cat", put.stdout.trim()], { cwd: app });
      expect(cat.stdout, describeRun(`${node.version} vhs cat`, cat)).toBe(`on ${node.version}\n`);
      const doctor = await runCommand(node.executable, [bin, "doctor"], { cwd: app });
      expect(doctor.code, describeRun(`${node.version} doctor`, doctor)).toBe(0);
      const lib = await runCommand(node.executable, ["node_script.mjs"], { cwd: app });
      expect(lib.code, describeRun(`${node.version} library`, lib)).toBe(0);
    }
  });

  it("glue and binary of different builds: one line naming both and the fix, at once, on Node, Deno and Bun (sql.js engine); doctor fails; the native engine runs on", async (t) => {
    const { app } = need(t);
    const wasm = join(app, "node_modules/sql.js/dist/sql-wasm-browser.wasm");
    const saved = join(app, "saved.wasm");
    copyFileSync(wasm, saved);
    try {
      const bytes = readFileSync(wasm);
      const mid = bytes.length >> 1;
      bytes[mid] = bytes[mid]! ^ 0x01; // a binary of another build, as a hand edit or a bundler leaves it
      writeFileSync(wasm, bytes);
      const bin = join(app, "node_modules/tldrs/dist/cli/bin.js");
      // Deno and Bun run the native engine by default: sql.js is asked for there.
      const runs = await Promise.all([
        runCommand(process.execPath, [bin, "vhs", "put", "-"], { cwd: app, input: "x" }),
        runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_CLI, bin, "--engine", "sqljs", "vhs", "put", "-"], { cwd: app, input: "x" }),
        runCommand(bunExecutable(), [bin, "--engine", "sqljs", "vhs", "put", "-"], { cwd: app, input: "x" }),
      ]);
      for (const r of runs) {
        expect(r.code, describeRun("damaged engine", r)).toBe(1);
        expect(r.stderr).toMatch(/^tldrs: The SQLite engine in ".*node_modules\/sql\.js\/" is not the sql\.js [\d.]+ build tldrs needs: .*its glue \(dist\/sql-wasm-browser\.js\) is sql\.js [\d.]+, its binary \(dist\/sql-wasm-browser\.wasm\) is an unknown build .*reinstall sql\.js [\d.]+ .*\n$/);
      }
      const doctor = await tldrs(app, ["doctor"]);
      expect(doctor.code, describeRun("doctor", doctor)).toBe(1);
      expect(doctor.stdout).toContain("[FAIL] engine: The SQLite engine in");
      expect(doctor.stdout).toMatch(/needs action/);
      // Where the runtime has its own SQLite, the damaged sql.js is reported, and not used.
      const bunPut = await runCommand(bunExecutable(), [bin, "vhs", "put", "-"], { cwd: app, input: "native" });
      expect(bunPut.code, describeRun("bun put on the native engine", bunPut)).toBe(0);
      const bunDoctor = await runCommand(bunExecutable(), [bin, "doctor"], { cwd: app });
      expect(bunDoctor.code, describeRun("bun doctor", bunDoctor)).toBe(1);
      expect(bunDoctor.stdout).toContain("[ok  ] engine: native (bun:sqlite");
      expect(bunDoctor.stdout).toContain("[FAIL] sql.js: The SQLite engine in");
    } finally {
      copyFileSync(saved, wasm);
    }
  });
});
