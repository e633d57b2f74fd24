// Child for crash tests: continues the sequence in table seq with up to <count> write
// transactions, each inserting row i (with a payload) and setting meta.v = i, and prints
// "committed <i>" after each write resolved. The parent kills it with SIGKILL.
// Usage: crasher.mjs <db> <count>
import { writeSync } from "node:fs";
import { createNodePlatform } from "../../../dist/node.js";
import { StateDb } from "../../../dist/engine/state_db.js"; // internal: off the public surface

const [path, countArg] = process.argv.slice(2);
const platform = createNodePlatform();
const db = await StateDb.open(platform, path, { lock: { timeoutMs: 60_000, staleMs: 120_000 } });
let last = Number(await db.read((d) => d.get("SELECT max(i) FROM seq")?.[0] ?? 0));
writeSync(1, `start ${last}\n`);
for (let n = 0; n < Number(countArg); n++) {
  const i = last + 1;
  const payload = Array.from(platform.randomBytes(256), (b) => b.toString(16).padStart(2, "0")).join("");
  await db.write((d) => {
    d.run("INSERT INTO seq VALUES (?, ?)", [i, payload]);
    d.run("UPDATE meta SET v = ? WHERE k = 'last'", [i]);
  });
  last = i;
  writeSync(1, `committed ${i}\n`);
}
await db.close();
writeSync(1, "done\n");
