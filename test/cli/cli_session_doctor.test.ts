import { existsSync, writeFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { cli } from "./cli_helpers.ts";

describe("tldrs session (in-process)", () => {
  it("default prints a stable 16-hex id; ls, show and cleanup print JSON", async () => {
    const cwd = tempDir();
    const d1 = await cli(["session", "default"], { cwd });
    expect(d1.code).toBe(0);
    expect(d1.stdout).toMatch(/^[0-9a-f]{16}\n$/);
    expect((await cli(["session", "default"], { cwd })).stdout).toBe(d1.stdout);
    const ls = await cli(["session", "ls"], { cwd });
    expect(ls.code).toBe(0);
    expect(Array.isArray(JSON.parse(ls.stdout))).toBe(true);
    const cleanup = await cli(["session", "cleanup", "--ttl-seconds", "3600"], { cwd });
    expect(cleanup.code).toBe(0);
    expect(JSON.parse(cleanup.stdout)).toEqual({ sessions: 0, deliveries: 0 });
    const show = await cli(["session", "show", "nope"], { cwd });
    expect(show.code).toBe(1);
    expect(show.stderr).toMatch(/^tldrs: cannot show session "nope": not found/);
  });
});

describe("tldrs doctor (in-process)", () => {
  it("reports a missing store as healthy and a fresh store as healthy", async () => {
    const cwd = tempDir();
    const empty = await cli(["doctor"], { cwd });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain("healthy");
    expect(existsSync(join(cwd, ".tldrs"))).toBe(false);
    await cli(["vhs", "put", "-"], { cwd, stdin: "hello" });
    const ok = await cli(["doctor", "--json"], { cwd });
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.healthy).toBe(true);
    expect(report.sizes.blob_count).toBe(1);
  });

  it("flags a foreign -wal, a stale lock and a corrupt database, each with a fix", async () => {
    const cwd = tempDir();
    await cli(["vhs", "put", "-"], { cwd, stdin: "hello" });
    const db = join(cwd, ".tldrs", "tldrs_state.db");
    writeFileSync(db + "-wal", "");
    writeFileSync(db + ".lock", JSON.stringify({ pid: 999999, host: (await import("node:os")).hostname(), runtime: "node", token: "t", created_ms: Date.now() - 60_000 }));
    const r = await cli(["doctor", "--json"], { cwd });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const checks = Object.fromEntries(report.findings.map((f: { check: string }) => [f.check, f]));
    expect(checks["foreign-sqlite"].fix).toContain("wal_checkpoint");
    expect(checks["lock"].severity).toBe("warn");
    expect(checks["lock"].fix).toContain("rm ");
    unlinkSync(db + "-wal");
    writeFileSync(db, "not a database at all, just text that is long enough to have a header ...............................");
    const r2 = await cli(["doctor"], { cwd });
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/FAIL\] database: .*corrupt/);
    expect(r2.stdout).toContain("fix: mv ");
  });
});
