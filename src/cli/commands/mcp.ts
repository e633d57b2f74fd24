/** `tldrs mcp`: the MCP server over stdio (src/mcp/). The SDK loads only when this runs. */
import { defineCommand } from "../command.ts";
import { EXIT_OK } from "../errors.ts";
import { packageVersion } from "../version.ts";
// The global process, not node:process: importing that opens stdin (see src/platform/node.ts).
const process = globalThis.process;

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

export const mcpCommand = defineCommand({
  command: "mcp",
  name: "mcp",
  describe: "Serve the store and context to coding agents over MCP on stdio (tools: context, vhs_put, vhs_get, vhs_info, session_stats)",
  examples: [
    ["tldrs mcp", "what an agent's MCP configuration runs (`npx tldrs mcp --project DIR`)"],
    ["tldrs mcp --project ~/src/app", "serve another project's code and .tldrs/ store"],
  ],
  json: "none",
  async run(ctx) {
    const project = ctx.projectDir();
    // Loaded here: every other command starts without the SDK.
    const [{ startMcpServer }, { cliPlatform }] = await Promise.all([import("../../mcp/server.ts"), import("../open_store.ts")]);
    const store = await ctx.openStore();
    const log = (line: string) => void ctx.io.stderr.write(`${line}\n`).catch(() => undefined);
    const server = startMcpServer({ store, platform: cliPlatform(ctx.io), project, version: packageVersion(), log });

    // The client going away (stdin closed) or a signal: stop the same way, everything flushed.
    // A second signal during shutdown takes the default action (the handlers are gone).
    let onSignal!: (signal: string) => void;
    const signalled = new Promise<string>((resolve) => (onSignal = resolve));
    for (const s of SIGNALS) process.once(s, onSignal);
    try {
      await Promise.race([server.ended, signalled]);
      await server.shutdown();
    } finally {
      for (const s of SIGNALS) process.off(s, onSignal);
    }
    // The SDK pauses stdin on close; a paused pipe can still hold the event loop open.
    if (ctx.io.stdin === process.stdin) process.stdin.destroy();
    return EXIT_OK;
  },
});
