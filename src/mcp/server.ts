/**
 * `tldrs mcp`: the tools of tools.ts served over stdio by the official MCP TypeScript SDK
 * (`@modelcontextprotocol/server`, the SDK's v2 server package; README "tldrs mcp" says why
 * this one). `serveStdio` answers 2025-era clients (an `initialize` handshake, what agents
 * send today) and 2026-07-28 ones alike, from one factory; every instance it makes shares the
 * one store this server opened, which stays open until the client goes away.
 *
 * Tool arguments are checked by the tools, not by the SDK, so that a bad argument reads as
 * the CLI words it: the schema each tool advertises is handed to the SDK as a Standard Schema
 * that passes every value through. Every failure is a tool error (`isError`) with one line;
 * the connection and the next call are unaffected. Nothing but protocol messages reaches
 * stdout: logs go to `log` (stderr).
 */
import { McpServer, type StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import { isoTimestamp } from "../engine/timestamp.ts";
import type { Platform } from "../platform/port.ts";
import type { Store } from "../store.ts";
import { callTool } from "./call_tool.ts";
import { SessionTallies } from "./session_tallies.ts";
import type { ArgumentsSchema, ToolContext } from "./tool.ts";
import { TOOLS } from "./tools.ts";

export interface McpServerOptions {
  store: Store;
  platform: Platform;
  /** Absolute project folder: `vhs_put { path }` reads only inside it; `context` indexes it. */
  project: string;
  version: string;
  /** One line for stderr. */
  log(line: string): void;
}

export interface RunningMcpServer {
  /** Resolves when the client went away: stdin closed, or stdout broke. */
  readonly ended: Promise<void>;
  /** Stops reading, lets the calls in flight finish, closes the store (flushing it). Idempotent. */
  shutdown(): Promise<void>;
}

const INSTRUCTIONS =
  "tldrs keeps a memory in the project's .tldrs/ folder. Use `context` for the code of a symbol and what it calls " +
  "instead of reading whole files: in a session, code you already have comes back as one [UNCHANGED] line. Store large " +
  "outputs with `vhs_put` and pass the vhs:// ref instead of the text; read refs with `vhs_get`, in pieces.";

export function startMcpServer(options: McpServerOptions): RunningMcpServer {
  const { store, platform, project, log } = options;
  const ctx: ToolContext = { store, platform, project, tallies: new SessionTallies(isoTimestamp(platform.now())) };
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(call: Promise<T>): Promise<T> => {
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call)).catch(() => undefined);
    return call;
  };

  const factory = () => {
    const server = new McpServer({ name: "tldrs", version: options.version }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
    for (const spec of TOOLS) {
      server.registerTool(
        spec.name,
        {
          title: spec.title,
          description: spec.description,
          inputSchema: advertised(spec.inputSchema),
          annotations: { readOnlyHint: spec.readOnly, openWorldHint: false },
        },
        (args) => track(callTool(spec, args, ctx, log)),
      );
    }
    return server;
  };

  const wire = new StdioServerTransport();
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const handle = serveStdio(factory, { transport: wire, onerror: (err) => log(`tldrs: mcp: ${err.message}`) });
  // serveStdio owns the transport's onclose; chain ours after it to learn that the client left.
  const sdkOnClose = wire.onclose;
  wire.onclose = () => {
    sdkOnClose?.();
    markEnded();
  };

  let stopping: Promise<void> | undefined;
  return {
    ended,
    shutdown: () =>
      (stopping ??= (async () => {
        await handle.close().catch((err: unknown) => log(`tldrs: mcp: ${(err as Error).message}`));
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        await store.close();
      })()),
  };
}

/**
 * The tool's JSON schema as a Standard Schema (standardschema.dev) for the SDK: advertised in
 * `tools/list` as it is; `validate` passes every value on, for the tool to check and word.
 */
function advertised(schema: ArgumentsSchema): StandardSchemaWithJSON<Record<string, unknown>> {
  const json = () => schema as unknown as Record<string, unknown>;
  return {
    "~standard": {
      version: 1,
      vendor: "tldrs",
      validate: (value) => ({ value: value as Record<string, unknown> }),
      jsonSchema: { input: json, output: json },
    },
  };
}
