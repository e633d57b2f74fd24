/**
 * Runs the conformance suite where vitest does not run: `deno run ... runner.ts` and
 * `bun runner.ts` (both from runtimes.test.ts, so `npm test` covers them). Optional argument:
 * a regular expression; only cases whose names match run. Prints one line per case, then
 * `conformance <runtime>: <passed> passed, <failed> failed, <total> total`; exit code 1 on a failure.
 */
import process from "node:process";
import { createNodePlatform } from "../../src/node.ts";
import { cases, runCase } from "./suite.ts";

const filter = new RegExp(process.argv[2] ?? "");
const runtime = createNodePlatform().runtime;
let passed = 0;
let failed = 0;
for (const c of cases) {
  if (!filter.test(c.name)) continue;
  try {
    await runCase(c);
    passed++;
    process.stdout.write(`ok - ${c.name}\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`FAIL - ${c.name}\n  ${String((err as Error)?.stack ?? err).replace(/\n/g, "\n  ")}\n`);
  }
}
process.stdout.write(`conformance ${runtime}: ${passed} passed, ${failed} failed, ${passed + failed} total\n`);
process.exitCode = failed === 0 ? 0 : 1;
