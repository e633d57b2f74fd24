// A native tldrs reader of a mixed fleet: reads the store at <root> until the file <stop>
// exists (checkDelta of a few symbols, listSessions), then prints "reads <n> <engine>".
// With "once": one read, printing "read ok <sessions>" or "read error <code> <message>".
// Usage: fleet_reader.mjs <root> <stop file | once> [lock timeout ms]
import { existsSync, writeSync } from "node:fs";
import { openStore } from "../../../dist/node.js";

const [root, stop, timeoutArg] = process.argv.slice(2);
const store = await openStore({ root, engine: "native", lock: { timeoutMs: Number(timeoutArg ?? 10_000), staleMs: 60_000 } });
if (stop === "once") {
  try {
    writeSync(1, `read ok ${(await store.state.listSessions()).length}\n`);
  } catch (err) {
    writeSync(1, `read error ${err.code} ${String(err.message).replace(/\n/g, " ")}\n`);
  }
} else {
  let reads = 0;
  while (!existsSync(stop)) {
    await store.state.checkDelta("native", { "native-0": "e0", "native-1": "e1" });
    await store.state.listSessions();
    reads++;
  }
  writeSync(1, `reads ${reads} ${store.engine.description}\n`);
}
await store.close();
