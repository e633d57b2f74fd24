/**
 * The CLI's view of its process: output sinks, stdin, env and cwd. `main()` takes one,
 * so tests run commands in-process with captured output, and bin.ts binds the real one.
 */
import { concatBytes } from "../bytes.ts";
// The global process, not node:process: importing that opens stdin (see src/platform/node.ts).
const process = globalThis.process;

export interface OutputSink {
  /** Resolves once the data is handed to the OS (respects backpressure). */
  write(data: string | Uint8Array): Promise<void>;
  readonly isTTY: boolean;
}

export interface CliIo {
  stdout: OutputSink;
  stderr: OutputSink;
  stdin: AsyncIterable<Uint8Array>;
  /** The descriptor behind `stdin`, when it is the process's own (`vhs put -` reads a pipe or file with read(2)). */
  stdinFd?: number;
  env: Record<string, string | undefined>;
  cwd: string;
}

function streamSink(stream: NodeJS.WriteStream): OutputSink {
  // A closed pipe (`tldrs vhs cat REF | head -1`) surfaces as an EPIPE error event;
  // without a listener Node would crash on it. main() turns EPIPE into a quiet exit.
  stream.on("error", () => {});
  return {
    isTTY: stream.isTTY === true,
    write(data) {
      return new Promise((resolve, reject) => {
        stream.write(data, (err) => (err ? reject(err) : resolve()));
      });
    },
  };
}

export function processIo(): CliIo {
  return {
    stdout: streamSink(process.stdout),
    stderr: streamSink(process.stderr),
    // A getter: opening process.stdin sets O_NONBLOCK on a pipe; only commands that read it do.
    get stdin() {
      return process.stdin;
    },
    stdinFd: 0,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** An io whose output is collected in memory (tests, embedding). */
export interface CapturedIo extends CliIo {
  stdoutBytes(): Uint8Array;
  stdoutText(): string;
  stderrText(): string;
}

export function captureIo(options: { stdin?: Uint8Array | string; env?: Record<string, string | undefined>; cwd?: string; tty?: boolean } = {}): CapturedIo {
  const out: Uint8Array[] = [];
  const err: string[] = [];
  const enc = new TextEncoder();
  const stdinBytes = typeof options.stdin === "string" ? enc.encode(options.stdin) : (options.stdin ?? new Uint8Array(0));
  return {
    stdout: { isTTY: options.tty ?? false, write: async (d) => void out.push(typeof d === "string" ? enc.encode(d) : d.slice()) },
    stderr: { isTTY: options.tty ?? false, write: async (d) => void err.push(typeof d === "string" ? d : new TextDecoder().decode(d)) },
    stdin: (async function* () {
      if (stdinBytes.length > 0) yield stdinBytes;
    })(),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdoutBytes: () => concatBytes(out),
    stdoutText() {
      return new TextDecoder().decode(this.stdoutBytes());
    },
    stderrText: () => err.join(""),
  };
}
