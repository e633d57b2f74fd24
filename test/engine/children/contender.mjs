// Child for the takeover race. Usage: contender.mjs <lock> <marker> <counter> <target> <deadPid>
// Waits for "go" on stdin, then loops: acquire the lock -> create <marker> exclusively (EEXIST
// means two are inside: exit 3) -> count in <counter> -> remove the marker -> leave the lock
// behind as a stale one (a record of the dead pid renamed over it), as a holder that died.
// Stops after an entry that finds the counter at <target>. Prints "entries <n>" at the end.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { createNodePlatform } from "../../../dist/node.js";
import { acquireLock } from "../../../dist/engine/lock.js";

const [lockPath, marker, counter, targetArg, deadPid] = process.argv.slice(2);
const target = Number(targetArg);
const platform = createNodePlatform();

function plantStale() {
  const now = Date.now();
  const token = Array.from(platform.randomBytes(16), (b) => b.toString(16).padStart(2, "0")).join("");
  const record = { pid: Number(deadPid), host: hostname(), runtime: "node", token, created_at: "", created_ms: now };
  const temp = `${lockPath}.plant-${process.pid}`;
  writeFileSync(temp, JSON.stringify(record) + "\n");
  renameSync(temp, lockPath);
}

writeSync(1, "ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.pause();
let entries = 0;
for (;;) {
  await acquireLock(platform, lockPath, { timeoutMs: 300_000, staleMs: 3_600_000 });
  let fd;
  try {
    fd = openSync(marker, "wx");
  } catch (err) {
    writeSync(2, `OVERLAP: ${err.code} on the marker, pid ${process.pid}\n`);
    process.exit(3);
  }
  closeSync(fd);
  entries++;
  let n = 0;
  try {
    n = Number(readFileSync(counter, "utf8"));
  } catch {
    n = 0;
  }
  writeFileSync(counter, String(n + 1));
  unlinkSync(marker);
  plantStale();
  if (n + 1 >= target) break;
}
writeSync(1, `entries ${entries}\n`);
