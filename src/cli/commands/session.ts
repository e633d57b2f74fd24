/** `tldrs session ...`: the agent sessions and their deliveries. */
import { intFlag, requiredString } from "../args.ts";
import { defineCommand, type CommandGroup } from "../command.ts";
import { CliFailure, EXIT_OK, UsageError } from "../errors.ts";
import { formatJson, formatJsonLines } from "../json.ts";

const ls = defineCommand({
  command: "ls",
  name: "session ls",
  describe: "List sessions, most recently used first (a JSON array, or one object a line with --jsonl)",
  examples: [
    ["tldrs session ls", "every session with its times and fingerprint"],
    ["tldrs session ls --jsonl | wc -l", "count sessions"],
  ],
  options: (y) => y.option("jsonl", { type: "boolean", describe: "One JSON object per line" }),
  async run(ctx) {
    const store = await ctx.openStore();
    const sessions = await store.state.listSessions();
    await ctx.io.stdout.write(ctx.args["jsonl"] ? formatJsonLines(sessions) : formatJson(sessions));
    return EXIT_OK;
  },
});

const show = defineCommand({
  command: "show <id>",
  name: "session show",
  describe: "Print one session's statistics as JSON (exit 1 if unknown)",
  examples: [["tldrs session show 3f9c0a1b2c3d4e5f", "deliveries and tokens sent in that session"]],
  options: (y) => y.positional("id", { type: "string", describe: "Session id" }),
  async run(ctx) {
    const id = requiredString(ctx.args, "id", "session show");
    const store = await ctx.openStore();
    const stats = await store.state.sessionStats(id);
    if (stats.createdAt === null && stats.deliveryCount === 0) throw new CliFailure(`cannot show session "${id}": not found`);
    await ctx.io.stdout.write(formatJson(stats));
    return EXIT_OK;
  },
});

const cleanup = defineCommand({
  command: "cleanup",
  name: "session cleanup",
  describe: "Delete sessions and deliveries not used for --ttl-seconds; prints the counts",
  examples: [["tldrs session cleanup --ttl-seconds 86400", "forget what was not used for a day"]],
  options: (y) => y.option("ttl-seconds", { type: "number", describe: "Age limit in seconds (required)" }),
  async run(ctx) {
    const ttlSeconds = intFlag(ctx.args, "ttl-seconds", "session cleanup");
    if (ttlSeconds === undefined) throw new UsageError("missing --ttl-seconds", "session cleanup");
    const store = await ctx.openStore();
    await ctx.io.stdout.write(formatJson(await store.state.cleanupExpired({ ttlSeconds })));
    return EXIT_OK;
  },
});

const defaultSession = defineCommand({
  command: "default",
  name: "session default",
  describe: 'Print the repo\'s default session id (created on first use; {"session_id": ...} with --json)',
  examples: [["tldrs context main --session-id $(tldrs session default)", "the same as --delta"]],
  json: "optional",
  async run(ctx) {
    const store = await ctx.openStore();
    const session = await store.state.defaultSession({ projectRoot: ctx.projectDir() });
    if (session.drift) {
      await ctx.io.stderr.write(`tldrs: warning: the repository changed since this session began (${session.drift.previous} -> ${session.drift.current})\n`);
    }
    await ctx.io.stdout.write(ctx.args["json"] ? formatJson({ sessionId: session.sessionId }) : session.sessionId + "\n");
    return EXIT_OK;
  },
});

export const sessionGroup: CommandGroup = {
  command: "session",
  describe: "Agent sessions: what was delivered to whom",
  subcommands: [ls, show, cleanup, defaultSession],
};
