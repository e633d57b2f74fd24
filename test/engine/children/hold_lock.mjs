// Child that holds the writer lock of <db> until killed. Usage: hold_lock.mjs <db> <write|lock> [engine]
// write: inside StateDb.write, blocked (Atomics.wait, no CPU) mid-transaction;
// lock:  the lock taken with acquireLock, the event loop idle, its record tagged with [engine]
//        (none: as tldrs 0.1.0 wrote it, which counts as sql.js).
import { writeSync } from "node:fs";
import { createNodePlatform } from "../../../dist/node.js";
import { StateDb } from "../../../dist/engine/state_db.js"; // internal: off the public surface
import { acquireLock } from "../../../dist/engine/lock.js";

const [path, mode, engine] = process.argv.slice(2);
const platform = createNodePlatform();
if (mode === "write") {
  const db = await StateDb.open(platform, path);
  await db.write((d) => {
    d.run("INSERT INTO sessions VALUES ('held', 'a', 'b', 'fp', NULL)");
    writeSync(1, `holding ${process.pid}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
} else {
  await acquireLock(platform, `${path}.lock`, { timeoutMs: 10_000, staleMs: 600_000 }, engine);
  writeSync(1, `holding ${process.pid}\n`);
  setInterval(() => {}, 60_000);
}
