/** `session_stats`: what a session was sent, and what the delta saved it. */
import { CliFailure } from "../cli/errors.ts";
import { toPythonJson } from "../cli/json.ts";
import { checkArgs, stringArg } from "./tool_args.ts";
import { defineTool, type ArgumentsSchema } from "./tool.ts";

const schema: ArgumentsSchema = {
  type: "object",
  properties: {
    session_id: { type: "string", description: "The session (default: the repository's default session, the one context uses without session_id)." },
  },
  additionalProperties: false,
};

export const sessionStatsTool = defineTool({
  name: "session_stats",
  title: "Deliveries and savings of a session",
  description:
    "JSON (about 100 tokens) for a session: `deliveries` (symbols on record as sent) and `tokens_delivered` (their " +
    "estimated size), from the store; `context_calls`, `unchanged_hits` (symbols answered as UNCHANGED instead of their " +
    "code) and `tokens_saved`, counted by this server since `counted_since`.",
  inputSchema: schema,
  readOnly: true,
  async run(raw, ctx) {
    const args = checkArgs("session_stats", schema, raw);
    const named = stringArg(args, "session_id");
    const sessionId = named ?? (await ctx.store.state.defaultSession({ projectRoot: ctx.project })).sessionId;
    const stats = await ctx.store.state.sessionStats(sessionId);
    // The CLI's wording (`tldrs session show`) for a session the store does not know.
    if (stats.createdAt === null && stats.deliveryCount === 0) throw new CliFailure(`cannot show session "${sessionId}": not found`);
    const tally = ctx.tallies.get(sessionId);
    return {
      text: JSON.stringify(
        toPythonJson({
          sessionId,
          deliveries: stats.deliveryCount,
          tokensDelivered: stats.totalTokensDelivered,
          contextCalls: tally.contextCalls,
          unchangedHits: tally.unchangedHits,
          tokensSaved: tally.tokensSaved,
          countedSince: ctx.tallies.since,
          createdAt: stats.createdAt,
          lastAccessed: stats.lastAccessed,
        }),
        null,
        2,
      ),
    };
  },
});
