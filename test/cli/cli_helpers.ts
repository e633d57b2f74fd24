import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../../src/cli/io.ts";

export const BIN = fileURLToPath(new URL("../../dist/cli/bin.js", import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stdoutBytes: Uint8Array;
  stderr: string;
}

/** Runs the CLI in-process (fast) with captured output. */
export async function cli(args: string[], options: { cwd: string; stdin?: string | Uint8Array; env?: Record<string, string | undefined>; tty?: boolean }): Promise<RunResult> {
  const io = captureIo({ cwd: options.cwd, env: options.env ?? {}, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}), ...(options.tty ? { tty: true } : {}) });
  const code = await main(args, io);
  return { code, stdout: io.stdoutText(), stdoutBytes: io.stdoutBytes(), stderr: io.stderrText() };
}

/** Runs the built binary as a child process. */
export function spawnCli(args: string[], options: { cwd: string; stdin?: string | Uint8Array; env?: Record<string, string | undefined> }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env };
    delete env["TLDRS_VHS_HOME"];
    if (options.env && "TLDRS_VHS_HOME" in options.env && options.env["TLDRS_VHS_HOME"]) env["TLDRS_VHS_HOME"] = options.env["TLDRS_VHS_HOME"];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const bytes = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: bytes.toString("utf8"), stdoutBytes: new Uint8Array(bytes), stderr: Buffer.concat(err).toString("utf8") });
    });
    child.stdin.on("error", () => {});
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}
