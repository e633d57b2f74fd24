/**
 * A progress line on stderr for long work: only when stderr is a terminal and not in CI,
 * only after the work has run for a second, redrawn a few times a second, erased at the
 * end. No colours when NO_COLOR is set (and none are needed otherwise: plain text).
 */
import type { CliIo } from "./io.ts";

export interface Progress {
  /** Adds to the byte count shown (for puts and gets). */
  advance(bytes: number): void;
  /** Replaces the status text (for gc and verify steps). */
  status(text: string): void;
  done(): Promise<void>;
}

const DELAY_MS = 1000;
const REDRAW_MS = 200;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}

export function progressEnabled(io: CliIo): boolean {
  return io.stderr.isTTY && !io.env["CI"] && io.env["TERM"] !== "dumb" && !io.env["TLDRS_NO_PROGRESS"];
}

export function startProgress(io: CliIo, label: string, totalBytes?: number): Progress {
  if (!progressEnabled(io)) return { advance() {}, status() {}, done: async () => {} };
  const started = Date.now();
  let bytes = 0;
  let text = "";
  let drawn = false;
  const bold = io.env["NO_COLOR"] ? (s: string) => s : (s: string) => `\u001b[1m${s}\u001b[22m`;
  const draw = () => {
    const secs = (Date.now() - started) / 1000;
    let line = `${bold(label)} ${secs.toFixed(1)} s`;
    if (bytes > 0) {
      line += `  ${formatBytes(bytes)}`;
      if (totalBytes) line += ` of ${formatBytes(totalBytes)} (${Math.floor((100 * bytes) / totalBytes)}%)`;
      line += `  ${formatBytes(bytes / Math.max(secs, 0.001))}/s`;
    }
    if (text) line += `  ${text}`;
    drawn = true;
    void io.stderr.write(`\r\u001b[2K${line}`);
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  const delay = setTimeout(() => {
    draw();
    timer = setInterval(draw, REDRAW_MS);
  }, DELAY_MS);
  return {
    advance: (n) => void (bytes += n),
    status: (t) => void (text = t),
    async done() {
      clearTimeout(delay);
      if (timer) clearInterval(timer);
      if (drawn) await io.stderr.write("\r\u001b[2K");
    },
  };
}
