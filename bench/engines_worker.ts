/**
 * One engine's side of the engines benchmark (bench/engines.ts), in its own process on a runtime
 * that has that engine: median ms of each operation on the store at <root>, after 2 warm-ups,
 * printed as one JSON line. Usage: engines_worker.ts <root> <engine> <runs> <stored>
 */
import { openStore } from "../src/node.ts";
import { openerEtags, batch, SESSION } from "./engines_data.ts";
import { timeMedian } from "./util.ts";

const [root, engine, runsArg, storedArg] = process.argv.slice(2);
const runs = Number(runsArg);
const stored = Number(storedArg);

// The first operation of a process: what a CLI call pays before its work (sql.js: read and check
// the whole image; native: integrity_check on the first open of the file).
const t0 = performance.now();
const store = await openStore({ root: root!, engine: engine as "sqljs" | "native" });
await store.state.getDelivery(SESSION, "src/module_5.py:Symbol5");
const first = performance.now() - t0;

let round = 1;
const write1 = await timeMedian(runs, () => store.state.recordDelivery({ sessionId: SESSION, ...batch(1, round++ % stored, round)[0]! }));
const batch500 = await timeMedian(runs, () => store.state.recordDeliveries(SESSION, batch(500, 0, round++)));
const etags = openerEtags(1_000);
const delta1k = await timeMedian(runs, () => store.state.checkDelta(SESSION, etags));
const read = await timeMedian(runs, () => store.state.getDelivery(SESSION, "src/module_5.py:Symbol5"));
const unchanged = (await store.state.checkDelta(SESSION, etags)).unchanged.size;
const engineLine = store.engine.description;
await store.close();
console.log(JSON.stringify({ first, write1, batch500, delta1k, read, unchanged, engine: engineLine, runtime: process.versions.bun ? `bun ${process.versions.bun}` : process.versions.deno ? `deno ${process.versions.deno}` : `node ${process.version}` }));
