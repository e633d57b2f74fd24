// The remote's client part on Node, Deno and Bun alike (the built package, dist/node.js).
// argv: <endpoint> <root of this machine> <JSON list of refs to read>. Stores two blobs and
// pushes them; reads each ref given through read-through (getText), then tries a pull of the
// tampered ref given in env TAMPERED. Prints one JSON line.
import process from "node:process";
import { createNodePlatform, openStore } from "../../../dist/node.js";

const [endpoint, root, refsJson] = process.argv.slice(2);
const runtime = createNodePlatform().runtime;
const store = await openStore({
  root,
  remote: { url: "s3://team/runtimes", endpoint, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, retryBaseMs: 5 },
});
try {
  const small = await store.vhs.put(`hello from ${runtime}\n`);
  const big = await store.vhs.put(`${runtime} `.repeat(60_000));
  const pushed = await store.remote.push([small, big]);
  const read = {};
  for (const ref of JSON.parse(refsJson)) read[ref] = (await store.vhs.getText(ref)).length;
  let tampered = null;
  if (process.env.TAMPERED) tampered = await store.remote.pull([process.env.TAMPERED]).then(() => "stored", (err) => err.code);
  process.stdout.write(JSON.stringify({ runtime, refs: [small, big], pushed: pushed.pushed.length, read, tampered, tamperedCached: await store.vhs.info(process.env.TAMPERED ?? small).then((i) => i !== null && !!process.env.TAMPERED) }) + "\n");
} finally {
  await store.close();
}
