// `npm run build`, second step: the CLI as one module (dist/cli/bin.js) plus chunks that load
// only when a command needs them (yargs's command table and help, the MCP server, the context
// engine, ...), beside it in dist/cli/. Why: a cold `tldrs vhs has` loaded about 100 of our
// files one by one; as one file it takes 40 ms less CPU on Node 20 (242 -> 202 ms median,
// measured here). Only our own code is bundled: every dependency stays an import of the
// installed package (yargs, sql.js, ...), so what npm installs is what runs. The library
// (dist/node.js, dist/mod.js) stays tsc's output, module by module.
import { readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const outdir = `${root}dist/cli`;
// Chunks of an earlier build are named by their hash: remove them, or they pile up.
for (const name of readdirSync(outdir)) if (/^chunk-[A-Z0-9]+\.js$/.test(name)) rmSync(`${outdir}/${name}`);
await build({
  entryPoints: [`${root}src/cli/bin.ts`],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "es2022",
  packages: "external",
  chunkNames: "chunk-[hash]",
  // The chunks sit beside bin.js, two folders down like every module they came from, so the
  // files found from import.meta.url (package.json, wasm/grammars/) are where they were.
  logLevel: "warning",
  legalComments: "none",
});
