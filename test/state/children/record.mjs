// argv: project folder, session id, worker name, batches, batch size.
// Records batches of deliveries for symbols "<worker>:<n>", plus one symbol every worker writes.
import { barrier, tldrs } from "./common.mjs";

const [project, sessionId, worker, batches, size] = process.argv.slice(2);
const store = await tldrs.openStore({ project, lock: { timeoutMs: 60_000 } });
await barrier();
let n = 0;
for (let b = 0; b < Number(batches); b++) {
  const deliveries = [];
  for (let i = 0; i < Number(size); i++, n++) {
    deliveries.push({ symbolId: `${worker}:${n}`, etag: `etag-${worker}-${n}`, representation: "full", tokenEstimate: 1, codeSnapshot: `code ${n}` });
  }
  deliveries.push({ symbolId: "shared", etag: `etag-${worker}-${b}`, representation: "signature_only" });
  await store.state.recordDeliveries(sessionId, deliveries);
}
await store.close();
process.stdout.write(`recorded=${n}\n`);
process.exit(0);
