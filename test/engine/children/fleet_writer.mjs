// A tldrs writer of a mixed fleet: <count> operations on the store at <root>, each one
// recordDelivery of symbol "<prefix>-<i>" (an upsert into deliveries, as the Python store's).
// Prints "ack <i>" when one resolved, "refused <i> <code> <message>" when it failed, then
// "done <engine description>". Usage: fleet_writer.mjs <root> <prefix> <count> <engine>
// (the engine: auto, sqljs or native; the runtime running this script decides what auto is).
import { writeSync } from "node:fs";
import { openStore } from "../../../dist/node.js";

const [root, prefix, countArg, engine] = process.argv.slice(2);
const store = await openStore({ root, engine, lock: { timeoutMs: 10_000, staleMs: 60_000 } });
for (let i = 0; i < Number(countArg); i++) {
  try {
    await store.state.recordDelivery({ sessionId: prefix, symbolId: `${prefix}-${i}`, etag: `e${i}`, representation: "full", codeSnapshot: `def f${i}(): pass` });
    writeSync(1, `ack ${i}\n`);
  } catch (err) {
    writeSync(1, `refused ${i} ${err.code} ${String(err.message).replace(/\n/g, " ")}\n`);
  }
}
await store.close();
writeSync(1, `done ${store.engine.description}\n`);
