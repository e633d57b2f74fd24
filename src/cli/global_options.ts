/**
 * The options every command takes, declared once: main.ts gives them to yargs, and the fast
 * path (fast_path.ts) reads the same table, so the two cannot drift apart.
 */
export interface GlobalOption {
  type: "string" | "boolean";
  describe: string;
}

export const GLOBAL_OPTIONS: Readonly<Record<string, GlobalOption>> = {
  project: { type: "string", describe: "Project folder whose .tldrs/ store to use (default: the current folder; env TLDRS_VHS_HOME names the store folder itself)" },
  remote: { type: "string", describe: "Shared blob tier s3://<bucket>/<prefix> (default: env TLDRS_REMOTE; credentials, region and endpoint from the AWS_* environment)" },
  engine: { type: "string", describe: "SQLite engine: auto (the runtime's own where it has one, else sql.js), sqljs or native (default: env TLDRS_ENGINE, else auto)" },
  json: { type: "boolean", describe: "Print JSON: accepted by every command whose output is or can be JSON" },
};
