#!/usr/bin/env node
import process from "node:process";
import { main } from "./main.ts";

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
