// Creates a store under a given umask and prints the permission bits of everything it made.
// Usage: node modes_child.mjs <dist/node.js URL> <project> <umask, octal>
import { chmodSync, statSync, writeSync } from "node:fs";
import process from "node:process";

const [distUrl, project, mask] = process.argv.slice(2);
process.umask(parseInt(mask, 8));
const { openStore } = await import(distUrl);
const store = await openStore({ project });
const raw = await store.vhs.put("a small raw blob");
const zlib = await store.vhs.put(new Uint8Array(100_000).fill(65)); // zlib: 64 KiB or more
await store.state.recordDeliveries("s", [{ symbolId: "f", etag: "e", representation: "full" }]);
await store.state.defaultSession({ projectRoot: project });
await store.vhs.getToFile(raw, `${project}/out.txt`);
const blob = (ref) => {
  const h = ref.slice(6);
  return `${store.blobRoot}/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`;
};
const mode = (p) => "0" + (statSync(p).mode & 0o777).toString(8);
const modes = {
  "store folder": mode(store.root),
  "database": mode(store.dbPath),
  "blobs folder": mode(store.blobRoot),
  "blob prefix folders": mode(blob(raw).replace(/\/[^/]+$/, "")),
  "raw blob": mode(blob(raw)),
  "zlib blob": mode(blob(zlib)),
  "tmp folder": mode(`${store.root}/tmp`),
  "default_session_id": mode(`${store.root}/default_session_id`),
  "getToFile output": mode(`${project}/out.txt`),
};
// An existing database's mode is kept across flushes, whatever the umask.
chmodSync(store.dbPath, 0o640);
await store.state.recordDeliveries("s", [{ symbolId: "g", etag: "e", representation: "full" }]);
modes["database after chmod 0640 and a write"] = mode(store.dbPath);
await store.close();
writeSync(1, JSON.stringify(modes) + "\n");
