#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
// The global process, not node:process: importing that opens stdin (see src/platform/node.ts).
const process = globalThis.process;

// A CLI process lives for one command: V8's optimizing wasm tier only burns the second
// core on code the process will not run long enough to use. Baseline (Liftoff) code only:
// a cold `vhs put` takes 0.24 s instead of 0.32 s and 30 MB less memory (measured with
// /usr/bin/time here). Set before the engine is compiled; runtimes without V8 ignore it.
try {
  setFlagsFromString("--liftoff-only");
} catch {
  // not V8 (Bun) or the flag is gone: only slower
}
// No compile cache of our own: it would write outside .tldrs/ to a folder the user did not name.
// A user who wants one names it: NODE_COMPILE_CACHE=<dir> (Node 22.1+ acts on it itself).
const { main } = await import("./main.ts");

// Exit with the code main() returns, after stdout drained (process.exit would cut a pipe short).
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tldrs: internal error (a bug): ${(err as Error)?.stack ?? String(err)}\nPlease report it with the command you ran.\n`);
    process.exitCode = 1;
  },
);
