/** The tools `tldrs mcp` serves, in the order `tools/list` gives them. */
import { contextTool } from "./context_tool.ts";
import { sessionStatsTool } from "./session_tool.ts";
import type { ToolSpec } from "./tool.ts";
import { vhsGetTool, vhsInfoTool, vhsPutTool } from "./vhs_tools.ts";

export const TOOLS: readonly ToolSpec[] = [contextTool, vhsPutTool, vhsGetTool, vhsInfoTool, sessionStatsTool];
