/** `tldrs vhs push` and `tldrs vhs pull`: the shared blob tier (issue 19), and the store's remote for `vhs put --push`. */
import type { Store } from "../../store.ts";
import type { VhsRemote } from "../../remote/remote.ts";
import { defineCommand, type CommandContext } from "../command.ts";
import { EXIT_OK, UsageError } from "../errors.ts";
import { formatJson } from "../json.ts";
import { formatBytes, startProgress } from "../progress.ts";

/** The remote of the store, or a usage error saying how to configure one. */
export function requireRemote(store: Store, command: string): VhsRemote {
  if (!store.remote) throw new UsageError("no remote configured: set TLDRS_REMOTE=s3://<bucket>/<prefix> or pass --remote", command);
  return store.remote;
}

function refsOf(ctx: CommandContext): string[] {
  const refs = ctx.args["refs"];
  if (refs === undefined) return [];
  return (Array.isArray(refs) ? refs : [refs]).map(String);
}

export const push = defineCommand({
  command: "push [refs..]",
  name: "vhs push",
  describe: "Upload blobs to the remote (TLDRS_REMOTE or --remote); those it has are skipped",
  examples: [
    ["tldrs vhs push vhs://3a7b...e1", "share one blob"],
    ["tldrs vhs push --all --json", 'share every local blob; print {"pushed": [...], "present": [...], "missing": [...], "bytes": N}'],
  ],
  options: (y) =>
    y
      .positional("refs", { type: "string", array: true, describe: "vhs://<sha256> refs or bare hashes" })
      .option("all", { type: "boolean", describe: "Push every blob of the local store" }),
  json: "optional",
  async run(ctx) {
    const refs = refsOf(ctx);
    const all = !!ctx.args["all"];
    if (all && refs.length > 0) throw new UsageError("give REFS or --all, not both");
    if (!all && refs.length === 0) throw new UsageError("missing REFS (or --all)");
    const store = await ctx.openStore();
    const remote = requireRemote(store, "vhs push");
    const progress = startProgress(ctx.io, "pushing");
    try {
      const report = await remote.push(refs, { ...(all ? { all } : {}), onProgress: (n) => progress.advance(n) });
      await progress.done();
      if (ctx.args["json"]) await ctx.io.stdout.write(formatJson(report));
      else {
        const missing = report.missing.length > 0 ? `, ${report.missing.length} missing locally (run tldrs vhs verify)` : "";
        await ctx.io.stdout.write(`pushed ${report.pushed.length}, already there ${report.present.length}${missing}; ${formatBytes(report.bytes)} sent to ${remote.url}\n`);
      }
    } finally {
      await progress.done();
    }
    return EXIT_OK;
  },
});

export const pull = defineCommand({
  command: "pull <refs..>",
  name: "vhs pull",
  describe: "Download blobs from the remote, each verified against its hash before it is stored",
  examples: [
    ["tldrs vhs pull vhs://3a7b...e1", "fetch a blob another machine pushed"],
    ["tldrs vhs pull vhs://3a7b...e1 --json", 'the same; print {"pulled": [...], "present": [...], "bytes": N}'],
  ],
  json: "optional",
  options: (y) => y.positional("refs", { type: "string", array: true, describe: "vhs://<sha256> refs or bare hashes" }),
  async run(ctx) {
    const refs = refsOf(ctx);
    if (refs.length === 0) throw new UsageError("missing REFS");
    const store = await ctx.openStore();
    const remote = requireRemote(store, "vhs pull");
    const progress = startProgress(ctx.io, "pulling");
    try {
      const report = await remote.pull(refs, { onProgress: (n) => progress.advance(n) });
      await progress.done();
      if (ctx.args["json"]) await ctx.io.stdout.write(formatJson(report));
      else await ctx.io.stdout.write(`pulled ${report.pulled.length}, already here ${report.present.length}; ${formatBytes(report.bytes)} received from ${remote.url}\n`);
    } finally {
      await progress.done();
    }
    return EXIT_OK;
  },
});
