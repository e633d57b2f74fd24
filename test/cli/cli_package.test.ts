// Packs the project, installs the tarball into an empty folder with npm, runs `npx tldrs`.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("npm package", () => {
  it("packs with no install scripts and runs from an empty folder via npx", () => {
    const packDir = tempDir();
    const out = execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", packDir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const [info] = JSON.parse(out.slice(out.indexOf("["))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "CHANGELOG.md", "LICENSE", "wasm/sql-wasm.wasm", "dist/cli/bin.js", "dist/node.js", "dist/node.d.ts"]));
    expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/"))).toBe(false);
    const pkg = JSON.parse(execFileSync("tar", ["-xOzf", join(packDir, info!.filename), "package/package.json"], { encoding: "utf8" }));
    for (const hook of ["preinstall", "install", "postinstall", "prepare"]) expect(pkg.scripts?.[hook], hook).toBeUndefined();

    const app = tempDir();
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    execFileSync(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", join(packDir, info!.filename)], { cwd: app, stdio: "ignore" });
    const run = (args: string[], input?: string) => spawnSync(npm, ["exec", "--offline", "--", "tldrs", ...args], { cwd: app, input, encoding: "utf8" });
    const put = run(["vhs", "put", "-"], "packaged hello\n");
    expect(put.stderr.replace(/npm warn.*\n/g, "")).toBe("");
    expect(put.status).toBe(0);
    const ref = put.stdout.trim();
    expect(ref).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
    const get = run(["vhs", "get", ref]);
    expect(get.status).toBe(0);
    expect(get.stdout).toBe("packaged hello\n");
    const ls = run(["vhs", "ls"]);
    expect(JSON.parse(ls.stdout)).toHaveLength(1);
    const doctor = run(["doctor"]);
    expect(doctor.status).toBe(0);
    expect(doctor.stdout).toContain("healthy");
    expect(readdirSync(join(app, ".tldrs"))).toContain("tldrs_state.db");
  });
});
