// Where `vhs get` writes (issue 13): `--out -` and `--out /dev/stdout` are stdout; a FIFO or a
// character device (also through a link) is written into, never replaced; up to 8 MiB a blob is
// verified whole before its first byte reaches stdout or a device, and above that it streams.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VERIFY_FIRST_BYTES } from "../../src/cli/verified_output.ts";
import { tempDir } from "../helpers/tmp.ts";
import { bytesOf } from "../vhs/helpers.ts";
import { cli, spawnCli } from "./cli_helpers.ts";

const haveMkfifo = spawnSync("mkfifo", ["--version"]).status === 0;

async function stored(cwd: string, data: Uint8Array, compress = false): Promise<{ ref: string; file: string }> {
  const r = await cli(["vhs", "put", "-", ...(compress ? ["--compress"] : [])], { cwd, stdin: data });
  expect(r.code, r.stderr).toBe(0);
  const ref = r.stdout.trim();
  const h = ref.slice(6);
  return { ref, file: join(cwd, ".tldrs", "blobs", h.slice(0, 2), h.slice(2, 4), h) };
}

describe("vhs get --out to stdout, FIFOs and devices", () => {
  it("--out - and --out /dev/stdout write to stdout (the /dev node is never touched)", async () => {
    const cwd = tempDir();
    const data = bytesOf(70_000, 1);
    const { ref } = await stored(cwd, data);
    const dash = await cli(["vhs", "get", ref, "--out", "-"], { cwd });
    expect(dash.code).toBe(0);
    expect(Buffer.compare(dash.stdoutBytes, data)).toBe(0);
    const before = existsSync("/dev/stdout") ? lstatSync("/dev/stdout") : null;
    const dev = await spawnCli(["vhs", "get", ref, "--out", "/dev/stdout"], { cwd });
    expect(dev.code, dev.stderr).toBe(0);
    expect(Buffer.compare(dev.stdoutBytes, data)).toBe(0);
    if (before) expect(lstatSync("/dev/stdout").ino).toBe(before.ino);
  });

  it.skipIf(!haveMkfifo)("a FIFO is written into, as a shell redirection does", async () => {
    const cwd = tempDir();
    const data = bytesOf(200_000, 2);
    const { ref } = await stored(cwd, data, true);
    const fifo = join(cwd, "fifo");
    spawnSync("mkfifo", [fifo]);
    const out = join(cwd, "received.bin");
    const reader = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", fifo, out]);
    const done = new Promise((resolve) => reader.on("close", resolve));
    const r = await cli(["vhs", "get", ref, "--out", fifo], { cwd });
    expect(r.code, r.stderr).toBe(0);
    await done;
    expect(Buffer.compare(readFileSync(out), data)).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it(`a damaged blob of up to ${VERIFY_FIRST_BYTES / 1048576} MiB prints nothing; a larger one streams, then fails`, async () => {
    const cwd = tempDir();
    for (const [size, printsNothing] of [[VERIFY_FIRST_BYTES, true], [VERIFY_FIRST_BYTES + 1024 * 1024, false]] as const) {
      const { ref, file } = await stored(cwd, bytesOf(size, size % 7));
      const bytes = readFileSync(file);
      bytes[bytes.length - 1]! ^= 1; // the damage is found only at the end
      writeFileSync(file, bytes);
      const r = await cli(["vhs", "cat", ref], { cwd });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/integrity check/);
      if (printsNothing) expect(r.stdoutBytes.length).toBe(0);
      else expect(r.stdoutBytes.length).toBeGreaterThan(0);
    }
  });
});
