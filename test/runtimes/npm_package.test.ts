// The packed npm package, installed offline into an empty folder, used by Deno (`npm:tldrs`,
// resolved from the local node_modules) and Bun (`tldrs`), as a library and as a CLI.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { ROOT, bunExecutable, denoExecutable, describeRun, runCommand } from "./helpers.ts";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const DENO_LIB = ["--allow-read", "--allow-write", "--allow-env=TLDRS_VHS_HOME", "--allow-sys=hostname"];
const DENO_CLI = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=hostname"];

const DENO_SCRIPT = `
import * as viaNpm from "npm:tldrs";
import * as bare from "tldrs";
import { parseRef } from "npm:tldrs/core";
if (viaNpm.openStore !== bare.openStore) throw new Error("npm:tldrs and tldrs are two copies");
const store = await viaNpm.openStore({ project: "." });
const ref = await store.vhs.put("deno, from the npm package");
await store.state.openSession("deno-session", { repoFingerprint: "fp" });
console.log(JSON.stringify({ ref, hash: parseRef(ref), text: await store.vhs.getText(ref) }));
await store.close();
`;

const BUN_SCRIPT = `
import { openStore } from "tldrs";
const store = await openStore({ project: "." });
const ref = await store.vhs.put("bun, from the npm package");
const deno = (await store.state.listSessions()).map((s) => s.sessionId);
console.log(JSON.stringify({ ref, sessions: deno }));
await store.close();
`;

describe("the npm package on deno and bun", () => {
  it("imports and runs from a local node_modules, offline", async () => {
    // dist/ is built by the global setup; packing must not rebuild it under other tests' feet.
    const packDir = tempDir();
    const packed = execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", packDir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const { filename } = (JSON.parse(packed.slice(packed.indexOf("["))) as Array<{ filename: string }>)[0]!;
    const app = tempDir();
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    writeFileSync(join(app, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
    execFileSync(npm, ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", join(packDir, filename)], { cwd: app, stdio: "ignore" });
    writeFileSync(join(app, "deno_script.ts"), DENO_SCRIPT);
    writeFileSync(join(app, "bun_script.mjs"), BUN_SCRIPT);

    const deno = await runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_LIB, "deno_script.ts"], { cwd: app });
    expect(deno.code, describeRun("deno script", deno)).toBe(0);
    const fromDeno = JSON.parse(deno.stdout) as { ref: string; hash: string; text: string };
    expect(fromDeno.text).toBe("deno, from the npm package");

    const bun = await runCommand(bunExecutable(), ["bun_script.mjs"], { cwd: app });
    expect(bun.code, describeRun("bun script", bun)).toBe(0);
    const fromBun = JSON.parse(bun.stdout) as { ref: string; sessions: string[] };
    expect(fromBun.sessions).toEqual(["deno-session"]);

    // The CLI: Deno runs the package's bin (`deno run npm:tldrs`), Bun runs node_modules/.bin/tldrs.
    const [denoGet, bunGet, denoPut] = await Promise.all([
      runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_CLI, "npm:tldrs", "vhs", "get", fromBun.ref], { cwd: app }),
      runCommand(bunExecutable(), [join(app, "node_modules/.bin/tldrs"), "vhs", "get", fromDeno.ref], { cwd: app }),
      runCommand(denoExecutable(), ["run", "--no-prompt", ...DENO_CLI, "npm:tldrs", "vhs", "put", "-"], { cwd: app, input: "deno cli, npm package\n" }),
    ]);
    expect(denoGet.stdout, describeRun("deno run npm:tldrs vhs get", denoGet)).toBe("bun, from the npm package");
    expect(bunGet.stdout, describeRun("bun tldrs vhs get", bunGet)).toBe("deno, from the npm package");
    expect(denoPut.code, describeRun("deno run npm:tldrs vhs put -", denoPut)).toBe(0);

    const store = await openStore({ project: app });
    try {
      expect(await store.vhs.getText(denoPut.stdout.trim())).toBe("deno cli, npm package\n");
      expect((await store.vhs.stats()).count).toBe(3);
    } finally {
      await store.close();
    }
  });
});
