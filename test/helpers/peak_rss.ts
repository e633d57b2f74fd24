// The built binary as a child that reports its peak resident memory (for the flat-memory tests).
import { spawn } from "node:child_process";
import { BIN } from "../cli/cli_helpers.ts";

/** Prints the child's peak resident memory (KiB) on stderr as it exits. */
const REPORT_RSS = "data:text/javascript," + encodeURIComponent('process.on("exit", () => process.stderr.write(`maxrss=${process.resourceUsage().maxRSS}\\n`));');

export interface PeakRun {
  code: number | null;
  stdout: string;
  stderr: string;
  maxRssMiB: number;
}

/**
 * Runs `tldrs ARGS`. A child's peak RSS counts what its parent held when it forked: keep big
 * buffers out of the test process while it runs.
 */
export function runWithPeakRss(args: string[], cwd: string, env: Record<string, string> = {}, feed?: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<PeakRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REPORT_RSS, BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const m = /maxrss=(\d+)/.exec(stderr);
      resolve({ code, stdout, stderr: stderr.replace(/maxrss=\d+\n/, ""), maxRssMiB: m ? Number(m[1]) / 1024 : -1 });
    });
    if (feed) feed(child.stdin).catch(reject);
    else child.stdin.end();
  });
}
