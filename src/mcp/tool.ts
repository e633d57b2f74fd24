/**
 * MCP tools as data: a name, a description written for the agent that reads it (when to
 * call, what it costs in tokens), the JSON schema it advertises and a `run` that returns
 * text. server.ts registers them with the SDK; nothing here imports the SDK, so the tools
 * are tested and documented without it.
 */
import type { Platform } from "../platform/port.ts";
import type { Store } from "../store.ts";
import type { SessionTallies } from "./session_tallies.ts";

/** A JSON schema of a tool's arguments: an object of named, documented properties. */
export interface ArgumentsSchema {
  type: "object";
  properties: Record<string, Record<string, unknown> & { description: string }>;
  required?: string[];
  additionalProperties: false;
}

/** What a tool call has to work with: one store kept open for the life of the server. */
export interface ToolContext {
  store: Store;
  platform: Platform;
  /** Absolute project folder: `--project`, else the folder the server was started in. */
  project: string;
  tallies: SessionTallies;
}

/** The tool's answer: `text` first; `notes` (warnings, where to read on) as more text blocks. */
export interface ToolOutput {
  text: string;
  notes?: string[];
}

export interface ToolSpec {
  /** snake_case, as the Python tldr-swinton server names its tools and arguments. */
  name: string;
  title: string;
  description: string;
  inputSchema: ArgumentsSchema;
  /** True if the tool changes nothing an agent would see (MCP `readOnlyHint`). */
  readOnly: boolean;
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutput>;
}

export function defineTool(spec: ToolSpec): ToolSpec {
  return spec;
}
