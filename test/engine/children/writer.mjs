// Child: N write transactions on a StateDb. Usage: writer.mjs <db> <rows|counter> <count> <tag>
// rows: each transaction inserts session "<tag>-<i>"; counter: each reads counter.v and writes v + 1.
import { writeSync } from "node:fs";
import { createNodePlatform, isoTimestamp } from "../../../dist/node.js";
import { StateDb } from "../../../dist/engine/state_db.js"; // internal: off the public surface

const [path, mode, countArg, tag] = process.argv.slice(2);
const count = Number(countArg);
const platform = createNodePlatform();
const db = await StateDb.open(platform, path, { lock: { timeoutMs: 120_000, staleMs: 120_000 } });
for (let i = 1; i <= count; i++) {
  await db.write((d) => {
    if (mode === "rows") {
      const ts = isoTimestamp(platform.now());
      d.run("INSERT INTO sessions VALUES (?, ?, ?, 'fp', NULL)", [`${tag}-${i}`, ts, ts]);
    } else {
      const v = Number(d.get("SELECT v FROM counter WHERE k = 'c'")?.[0] ?? 0);
      d.run("INSERT INTO counter VALUES ('c', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", [v + 1]);
    }
  });
}
await db.close();
writeSync(1, "done\n");
