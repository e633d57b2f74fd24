// `producer | tldrs vhs put -` and `tldrs vhs cat REF | consumer` stream in flat memory.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { BIN } from "./cli_helpers.ts";
import { mebibyteChunk } from "../helpers/bytes.ts";

const TOTAL = 256 * 1024 * 1024;
// Prints the child's peak resident memory (KiB) on stderr as it exits.
const REPORT_RSS = "data:text/javascript," + encodeURIComponent('process.on("exit", () => process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`));');


function run(args: string[], cwd: string, feed?: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<{ code: number | null; stdoutHash: string; stdoutBytes: number; maxRssKiB: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REPORT_RSS, BIN, ...args], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const hash = createHash("sha256");
    let bytes = 0;
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const m = /maxrss=(\d+)/.exec(stderr);
      resolve({ code, stdoutHash: hash.digest("hex"), stdoutBytes: bytes, maxRssKiB: m ? Number(m[1]) : -1, stderr: stderr.replace(/maxrss=\d+\n/, "") });
    });
    if (feed) feed(child.stdin).catch(reject);
    else child.stdin.end();
  });
}

describe("CLI streaming memory", () => {
  it("puts 256 MiB from stdin and cats it back with peak RSS far below the data size", async () => {
    const cwd = tempDir();
    const expected = createHash("sha256");
    const put = await run(["vhs", "put", "-", "--compress-min-bytes", String(TOTAL * 2)], cwd, async (stdin) => {
      for (let i = 0; i < TOTAL / (1024 * 1024); i++) {
        const c = mebibyteChunk(i);
        expected.update(c);
        if (!stdin.write(c)) await new Promise((r) => stdin.once("drain", r));
      }
      stdin.end();
    });
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    const digest = expected.digest("hex");
    expect(put.stdoutBytes).toBe(71); // "vhs://" + 64 hex + newline
    const cat = await run(["vhs", "cat", `vhs://${digest}`], cwd);
    expect(cat.code).toBe(0);
    expect(cat.stdoutBytes).toBe(TOTAL);
    expect(cat.stdoutHash).toBe(digest);
    // Holding the blob would need > 256 MiB; the engine and runtime need about 100 MiB.
    console.log(`peak RSS: put ${Math.round(put.maxRssKiB / 1024)} MiB, cat ${Math.round(cat.maxRssKiB / 1024)} MiB for ${TOTAL / 1048576} MiB`);
    expect(put.maxRssKiB).toBeGreaterThan(0);
    expect(put.maxRssKiB).toBeLessThan(200 * 1024);
    expect(cat.maxRssKiB).toBeLessThan(200 * 1024);
  });

  it("puts a 256 MiB file and gets it back with --out with peak RSS far below the data size", async () => {
    const cwd = tempDir();
    const expected = createHash("sha256");
    const fd = openSync(join(cwd, "in.bin"), "w");
    for (let i = 0; i < TOTAL / (1024 * 1024); i++) {
      const c = mebibyteChunk(i);
      expected.update(c);
      writeSync(fd, c);
    }
    closeSync(fd);
    const digest = expected.digest("hex");
    const put = await run(["vhs", "put", "in.bin"], cwd);
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    const get = await run(["vhs", "get", `vhs://${digest}`, "--out", "out.bin"], cwd);
    expect(get.stderr).toBe("");
    expect(get.code).toBe(0);
    expect(createHash("sha256").update(readFileSync(join(cwd, "out.bin"))).digest("hex")).toBe(digest);
    console.log(`peak RSS: put FILE ${Math.round(put.maxRssKiB / 1024)} MiB, get --out ${Math.round(get.maxRssKiB / 1024)} MiB for ${TOTAL / 1048576} MiB`);
    expect(put.maxRssKiB).toBeGreaterThan(0);
    expect(put.maxRssKiB).toBeLessThan(150 * 1024);
    expect(get.maxRssKiB).toBeLessThan(150 * 1024);
  });
});
