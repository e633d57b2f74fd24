import { createHash } from "node:crypto";
import { sha256 as sha } from "../helpers/bytes.ts";
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { cli } from "./cli_helpers.ts";


describe("tldrs vhs (in-process)", () => {
  it("put from a file, cat, get --out, has, info, ls, stats, rm", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "a.txt"), "hello world\n");
    const put = await cli(["vhs", "put", "a.txt"], { cwd });
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    const ref = put.stdout.trim();
    expect(ref).toBe(`vhs://${sha("hello world\n")}`);
    expect(existsSync(join(cwd, ".tldrs", "tldrs_state.db"))).toBe(true);

    const cat = await cli(["vhs", "cat", ref], { cwd });
    expect(cat.code).toBe(0);
    expect(cat.stdout).toBe("hello world\n");

    const get = await cli(["vhs", "get", ref.slice(6), "--out", "b.txt"], { cwd });
    expect(get.code).toBe(0);
    expect(get.stdout).toBe("");
    expect(readFileSync(join(cwd, "b.txt"), "utf8")).toBe("hello world\n");

    expect((await cli(["vhs", "has", ref], { cwd })).code).toBe(0);
    const info = await cli(["vhs", "info", ref], { cwd });
    expect(info.code).toBe(0);
    const record = JSON.parse(info.stdout);
    expect(record).toMatchObject({ hash: sha("hello world\n"), size: 12, compression: "" });
    expect(Object.keys(record)).toEqual(expect.arrayContaining(["stored_size", "created_at", "last_accessed"]));

    const ls = await cli(["vhs", "ls"], { cwd });
    expect(JSON.parse(ls.stdout)).toHaveLength(1);
    const jsonl = await cli(["vhs", "ls", "--jsonl"], { cwd });
    expect(jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l).hash)).toEqual([sha("hello world\n")]);

    const stats = JSON.parse((await cli(["vhs", "stats"], { cwd })).stdout);
    expect(stats).toMatchObject({ count: 1, total_bytes: 12 });
    expect(stats).toHaveProperty("total_stored_bytes");

    const rm = await cli(["vhs", "rm", ref], { cwd });
    expect(rm.code).toBe(0);
    expect(JSON.parse(rm.stdout)).toEqual({ deleted: true });
    const rm2 = await cli(["vhs", "rm", ref], { cwd });
    expect(rm2.code).toBe(1);
    expect(rm2.stderr).toMatch(/^tldrs: .*not found/);
    expect((await cli(["vhs", "has", ref], { cwd })).code).toBe(1);
    const info2 = await cli(["vhs", "info", ref], { cwd });
    expect(info2.code).toBe(1);
    expect(JSON.parse(info2.stdout)).toEqual({});
  });

  it("put from stdin with - and without a file, compressed on request", async () => {
    const cwd = tempDir();
    const data = "x".repeat(1000);
    const r1 = await cli(["vhs", "put", "-", "--compress"], { cwd, stdin: data });
    expect(r1.code).toBe(0);
    const info = JSON.parse((await cli(["vhs", "info", r1.stdout.trim()], { cwd })).stdout);
    expect(info.compression).toBe("zlib");
    expect(info.stored_size).toBeLessThan(1000);
    const r2 = await cli(["vhs", "put"], { cwd, stdin: data });
    expect(r2.stdout).toBe(r1.stdout);
    expect((await cli(["vhs", "cat", r1.stdout.trim()], { cwd })).stdout).toBe(data);
  });

  it("compression as the Python CLI: none by default, --compress, --compress-min-bytes, --no-compress wins, random bytes stay raw", async () => {
    const cwd = tempDir();
    const infoOf = async (ref: string) => JSON.parse((await cli(["vhs", "info", ref], { cwd })).stdout) as { compression: string; size: number; stored_size: number };
    const text = (i: number) => `line ${i} of a build log\n`.repeat(5_000); // about 120 KB, shrinks well
    const put = async (args: string[], stdin: string | Uint8Array) => {
      const r = await cli(["vhs", "put", "-", ...args], { cwd, stdin });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return r.stdout.trim();
    };
    expect((await infoOf(await put([], text(1)))).compression).toBe(""); // 0.1 compressed from 64 KiB on
    expect((await infoOf(await put(["--compress"], text(2)))).compression).toBe("zlib");
    expect((await infoOf(await put(["--compress-min-bytes", "1000"], text(3)))).compression).toBe("zlib");
    expect((await infoOf(await put(["--compress-min-bytes", String(1 << 20)], text(4)))).compression).toBe("");
    expect((await infoOf(await put(["--no-compress", "--compress-min-bytes", "1"], text(5)))).compression).toBe(""); // 0.1 ignored --no-compress
    const noise = new Uint8Array(createHash("sha512").update("seed").digest().length * 4096);
    for (let at = 0; at < noise.length; at += 64) noise.set(createHash("sha512").update(String(at)).digest(), at);
    const random = await infoOf(await put(["--compress"], noise));
    expect(random).toMatchObject({ compression: "", size: noise.length, stored_size: noise.length }); // 0.1 kept the larger zlib file
  });

  it("--project puts the store under that folder; TLDRS_VHS_HOME wins", async () => {
    const cwd = tempDir();
    const project = join(cwd, "proj");
    mkdirSync(project);
    const r = await cli(["vhs", "put", "-", "--project", "proj"], { cwd, stdin: "p" });
    expect(r.code).toBe(0);
    expect(existsSync(join(project, ".tldrs", "tldrs_state.db"))).toBe(true);
    expect(existsSync(join(cwd, ".tldrs"))).toBe(false);
    const home = join(cwd, "home");
    const r2 = await cli(["vhs", "put", "-", "--project", "proj"], { cwd, stdin: "q", env: { TLDRS_VHS_HOME: home } });
    expect(r2.code).toBe(0);
    expect(existsSync(join(home, "tldrs_state.db"))).toBe(true);
  });

  it("gc --dry-run and verify print JSON", async () => {
    const cwd = tempDir();
    await cli(["vhs", "put", "-"], { cwd, stdin: "one" });
    const gc = await cli(["vhs", "gc", "--max-age-days", "0", "--dry-run"], { cwd });
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout)).toBeTypeOf("object");
    const verify = await cli(["vhs", "verify"], { cwd });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toBeTypeOf("object");
    expect((await cli(["vhs", "stats"], { cwd })).stdout).toContain('"count": 1');
  });

  const bad: Array<[string, string[], number, RegExp]> = [
    ["no subcommand", ["vhs"], 2, /needs a subcommand/],
    ["unknown subcommand", ["vhs", "frob"], 2, /unknown command "vhs frob"/],
    ["unknown command", ["frob"], 2, /unknown command "frob"/],
    ["missing positional named", ["session", "show"], 2, /missing ID/],
    ["unknown flag", ["vhs", "put", "--bogus"], 2, /^tldrs: unknown option "--bogus"\n/],
    ["missing ref", ["vhs", "cat"], 2, /Not enough non-option arguments|ref/i],
    ["bad ref", ["vhs", "cat", "vhs://xyz"], 1, /invalid|ref/i],
    ["uppercase ref", ["vhs", "info", "A".repeat(64)], 1, /invalid|ref/i],
    ["path-like ref", ["vhs", "get", "../../etc/passwd"], 1, /invalid|ref/i],
    ["unknown ref", ["vhs", "cat", "0".repeat(64)], 1, /not found/i],
    ["missing input file", ["vhs", "put", "nope.txt"], 1, /nope\.txt.*no such file/],
    ["folder as input", ["vhs", "put", "."], 1, /is a folder/],
    ["negative limit", ["vhs", "ls", "--limit", "-3"], 2, /--limit must be a whole number/],
    ["zero limit", ["vhs", "ls", "--limit", "0"], 2, /--limit must be a whole number of 1 or more/],
    ["non-numeric compress-min-bytes", ["vhs", "put", "-", "--compress-min-bytes", "abc"], 2, /--compress-min-bytes/],
    ["negative max-age-days", ["vhs", "gc", "--max-age-days", "-1"], 2, /--max-age-days/],
    ["fractional keep-last", ["vhs", "gc", "--keep-last", "1.5"], 2, /--keep-last/],
    ["missing ttl", ["session", "cleanup"], 2, /--ttl-seconds/],
    ["no command", [], 2, /no command/],
  ];
  it.each(bad)("%s: exit %i with one clear line", async (_name, args, code, pattern) => {
    const cwd = tempDir();
    const r = await cli(args, { cwd });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(/^tldrs: /);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout === "" || r.stdout === "{}\n").toBe(true);
    if (code === 2) expect(r.stderr).toMatch(/--help/);
  });

  it("--out into a missing folder fails clearly and leaves nothing", async () => {
    const cwd = tempDir();
    const ref = (await cli(["vhs", "put", "-"], { cwd, stdin: "data" })).stdout.trim();
    const r = await cli(["vhs", "get", ref, "--out", "missing/dir/x.txt"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tldrs: .*missing\/dir/);
    expect(existsSync(join(cwd, "missing"))).toBe(false);
  });

  it("--out into a read-only folder fails clearly", async () => {
    if (process.getuid?.() === 0) return; // root ignores permissions; covered by the corpus in issue 8
    const cwd = tempDir();
    const ref = (await cli(["vhs", "put", "-"], { cwd, stdin: "data" })).stdout.trim();
    mkdirSync(join(cwd, "ro"));
    chmodSync(join(cwd, "ro"), 0o555);
    const r = await cli(["vhs", "get", ref, "--out", "ro/x.txt"], { cwd });
    expect(r.code).toBe(1);
  });

  it("--help and --version print and exit 0; every command has an example", async () => {
    const cwd = tempDir();
    const v = await cli(["--version"], { cwd });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    for (const cmd of [["vhs", "put"], ["vhs", "get"], ["vhs", "cat"], ["vhs", "has"], ["vhs", "info"], ["vhs", "rm"], ["vhs", "ls"], ["vhs", "stats"], ["vhs", "gc"], ["vhs", "verify"], ["session", "ls"], ["session", "show"], ["session", "cleanup"], ["session", "default"], ["doctor"], ["mcp"]]) {
      const h = await cli([...cmd, "--help"], { cwd });
      expect(h.code, cmd.join(" ")).toBe(0);
      expect(h.stdout, cmd.join(" ")).toContain("Examples:");
    }
    expect(existsSync(join(cwd, ".tldrs"))).toBe(false);
  });
});
