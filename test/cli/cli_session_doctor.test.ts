import { existsSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
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

describe("session show and doctor findings on a used store", () => {
  it("session show and ls count the deliveries a context call recorded", async () => {
    const { mkdirSync } = await import("node:fs");
    const cwd = tempDir();
    mkdirSync(join(cwd, "src"));
    writeFileSync(join(cwd, "src", "app.py"), "def helper():\n    return 1\n\n\ndef main():\n    return helper()\n");
    expect((await cli(["context", "main", "--delta"], { cwd })).code).toBe(0);
    const id = (await cli(["session", "default"], { cwd })).stdout.trim();
    const show = await cli(["session", "show", id], { cwd });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ session_id: id, delivery_count: 2 });
    const ls = JSON.parse((await cli(["session", "ls"], { cwd })).stdout);
    expect(ls).toEqual([expect.objectContaining({ session_id: id, delivery_count: 2 })]);
  });

  it("doctor reports a missing blob file and a leftover temp file, each with its fix", async () => {
    const cwd = tempDir();
    const ref = (await cli(["vhs", "put", "-"], { cwd, stdin: "soon gone" })).stdout.trim();
    const hash = ref.slice(6);
    unlinkSync(join(cwd, ".tldrs", "blobs", hash.slice(0, 2), hash.slice(2, 4), hash));
    const leftover = join(cwd, ".tldrs", "tldrs_state.db.0123456789abcdef.tmp");
    writeFileSync(leftover, "partial");
    const old = new Date(Date.now() - 2 * 3600_000); // past the sweeper's grace period
    utimesSync(leftover, old, old);
    const r = await cli(["doctor", "--json"], { cwd });
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings as Array<{ check: string; severity: string; detail: string; fix?: string }>;
    expect(findings).toContainEqual(expect.objectContaining({ check: "blobs", severity: "warn", fix: "tldrs vhs verify --repair", detail: expect.stringContaining("blob file is missing") }));
    expect(findings).toContainEqual(expect.objectContaining({ check: "leftovers", severity: "warn", fix: expect.stringContaining("tldrs_state.db.0123456789abcdef.tmp") }));
    expect(findings).toContainEqual(expect.objectContaining({ check: "database", severity: "ok" }));
  });

  // A temp file younger than the sweeper's grace period may be a write in progress: the fix
  // doctor printed (rm) would have deleted it under that writer.
  it("doctor leaves young temp files alone, as the sweeper does: a healthy store", async () => {
    const cwd = tempDir();
    await cli(["vhs", "put", "-"], { cwd, stdin: "x" });
    writeFileSync(join(cwd, ".tldrs", "tldrs_state.db.0123456789abcdef.tmp"), "a write in progress");
    const r = await cli(["doctor", "--json"], { cwd });
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout).findings.map((f: { check: string }) => f.check)).not.toContain("leftovers");
  });

  it("doctor names a symlinked blob folder and the command that removes the link", async () => {
    const cwd = tempDir();
    const ref = (await cli(["vhs", "put", "-"], { cwd, stdin: "x" })).stdout.trim();
    const prefix = join(cwd, ".tldrs", "blobs", ref.slice(6, 8));
    const outside = join(tempDir(), "moved");
    renameSync(prefix, outside);
    symlinkSync(outside, prefix);
    const r = await cli(["doctor", "--json"], { cwd });
    expect(r.code).toBe(1);
    const blobs = (JSON.parse(r.stdout).findings as Array<{ check: string; severity: string; detail: string; fix?: string }>).find((f) => f.check === "blobs");
    expect(blobs).toMatchObject({ severity: "error", detail: expect.stringContaining("symbolic link"), fix: expect.stringContaining(`rm ${prefix}`) });
  });

  // A lock whose start time is in the future: never a negative age; past the stale limit
  // (30 s) it is stale, so the next write breaks it instead of waiting for it forever.
  it("doctor shows a future-dated lock as such, and calls it stale beyond the stale limit", async () => {
    const cwd = tempDir();
    await cli(["vhs", "put", "-"], { cwd, stdin: "x" });
    const lock = join(cwd, ".tldrs", "tldrs_state.db.lock");
    const host = (await import("node:os")).hostname();
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host, runtime: "node", token: "t", created_ms: Date.now() + 3_600_000 }));
    const r = await cli(["doctor"], { cwd });
    expect(r.stdout).toMatch(/lock: stale: held by pid \d+ on host .* started 3\d{3}\.\d s in the future/);
    expect(r.stdout).not.toMatch(/-\d+\.\d s/);
    const put = await cli(["vhs", "put", "-"], { cwd, stdin: "after a future lock" });
    expect(put.code, put.stderr).toBe(0);
  });
});
