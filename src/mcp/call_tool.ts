/**
 * One tool call to its MCP result: the tool's text, or a tool error (`isError`) whose one line
 * is what the CLI prints for the same failure (without `tldrs: `). A bug is a tool error too
 * (the server lives on), with its stack logged on stderr.
 */
import { describeError } from "../cli/errors.ts";
import type { ToolContext, ToolSpec } from "./tool.ts";

export interface ToolResult {
  [key: string]: unknown;
  content: Array<{ type: "text"; text: string }>;
  isError?: boolean;
}

export async function callTool(spec: ToolSpec, args: Record<string, unknown>, ctx: ToolContext, log: (line: string) => void): Promise<ToolResult> {
  try {
    const out = await spec.run(args, ctx);
    return { content: [out.text, ...(out.notes ?? [])].map((text) => ({ type: "text" as const, text })) };
  } catch (err) {
    const described = describeError(err);
    let text = described.message;
    if (described.kind === "bug") {
      log(`tldrs: mcp: internal error (a bug) in ${spec.name}: ${(err as Error)?.stack ?? String(err)}`);
      text = `internal error (a bug): ${described.message}; its stack is on the server's stderr: please report it`;
    }
    return { isError: true, content: [{ type: "text", text }] };
  }
}
