/**
 * Runs the conformance suite where vitest does not run: `deno run ... runner.ts`, `bun runner.ts`
 * and Node 22/24/26 (all from runtimes.test.ts, so `npm test` covers them). The engine is the
 * environment's: TLDRS_ENGINE (auto, sqljs or native; auto when unset). Optional argument: a
 * regular expression; only cases whose names match run. Prints one line per case, then
 * `conformance <runtime> <engine>: <passed> passed, <failed> failed, <total> total`, naming the
 * engine the stores ran on; exit code 1 on a failure.
 */
import process from "node:process";
import { createNodePlatform, openStore } from "../../src/node.ts";
import { cases, runCase } from "./suite.ts";

const filter = new RegExp(process.argv[2] ?? "");
const runtime = createNodePlatform().runtime;
// The engine every store of the run gets (none is given one explicitly unless a case says so).
const probe = await openStore({ root: "/nonexistent/tldrs-conformance-probe" });
const engine = probe.engine.name;
await probe.close();
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
process.stdout.write(`conformance ${runtime} ${engine}: ${passed} passed, ${failed} failed, ${passed + failed} total\n`);
process.exitCode = failed === 0 ? 0 : 1;
