// Once before the tests: build the package (child processes run dist/, as users do) and install
// the Node versions users run (test/helpers/node_versions.ts), given to tests by inject("nodeBuilds").
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { installNodes, type NodeBuild } from "./node_versions.ts";

declare module "vitest" {
  export interface ProvidedContext {
    nodeBuilds: NodeBuild[];
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const installing = installNodes();
  const root = fileURLToPath(new URL("../../", import.meta.url));
  execFileSync(process.execPath, [fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url)), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  // The CLI as users get it: bundled (npm run build's second step).
  execFileSync(process.execPath, [fileURLToPath(new URL("../../scripts/bundle_cli.mjs", import.meta.url))], { cwd: root, stdio: "inherit" });
  const builds = await installing;
  for (const b of builds) console.log("version" in b ? `node ${b.major}: ${b.version} (${b.executable})` : `node ${b.major}: unavailable: ${b.unavailable}`);
  project.provide("nodeBuilds", builds);
}
