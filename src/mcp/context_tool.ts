/** `context`: `tldrs context` for an agent, in a session with delta on by default. */
import { runContext } from "../context/run_context.ts";
import type { ContextStore } from "../context/store_port.ts";
import { booleanArg, checkArgs, choiceArg, stringArg, stringListArg, wholeNumberArg } from "./tool_args.ts";
import { defineTool, type ArgumentsSchema, type ToolContext } from "./tool.ts";

const FORMATS = ["text", "ultracompact", "json"] as const;
const OUTPUTS = ["inline", "vhs"] as const;
const LANGUAGES = ["auto", "python", "typescript", "javascript", "go", "rust"] as const;

const schema: ArgumentsSchema = {
  type: "object",
  properties: {
    entry: { type: "string", description: "The symbol to start from: `name`, `Class.method` or `path/to/file.py:name`." },
    session_id: { type: "string", description: "Your session: symbols already sent in it come back as UNCHANGED. Default: the repository's default session." },
    delta: { type: "boolean", description: "Mark symbols this session already holds as UNCHANGED (default true). false resends everything (still recorded)." },
    depth: { type: "integer", minimum: 0, description: "Call levels to follow from the entry (default 2; 0 is the entry alone)." },
    budget: { type: "integer", minimum: 1, description: "Token cap (characters / 4): the output is cut at symbol boundaries and says what it left out." },
    format: { type: "string", enum: [...FORMATS], description: "text (default), ultracompact (fewest tokens) or json." },
    include: { type: "array", items: { type: "string" }, description: "vhs:// refs whose stored text is appended to the output." },
    output: { type: "string", enum: [...OUTPUTS], description: "inline (default): the context itself. vhs: store it, return its ref, a one-line summary and a short preview (~600 tokens at most); read the rest with vhs_get." },
    language: { type: "string", enum: [...LANGUAGES], description: "Only files of this language (default auto: by extension)." },
  },
  required: ["entry"],
  additionalProperties: false,
};

export const contextTool = defineTool({
  name: "context",
  title: "Code context for a symbol",
  description:
    "The definition of a function, method or class and of what it calls (to `depth` levels), from the project's source, " +
    "Python, TypeScript, JavaScript, Go or Rust. Call it instead of reading whole files. Within a session, a symbol you " +
    "were already sent and that has not changed comes back as its signature marked [UNCHANGED] (a line instead of its " +
    "code): ask again freely after edits, you pay only for what changed. Cost: about 1 token per 4 characters of code " +
    "returned, typically 500-4,000 tokens at depth 2; cap it with `budget`, or use output=vhs for a ref and a preview.",
  inputSchema: schema,
  readOnly: false,
  async run(raw, ctx) {
    const args = checkArgs("context", schema, raw);
    const entry = stringArg(args, "entry")!;
    const sessionId = stringArg(args, "session_id");
    const delta = booleanArg(args, "delta") ?? true;
    const depth = wholeNumberArg(args, "depth");
    const budget = wholeNumberArg(args, "budget", 1);
    const format = choiceArg(args, "format", FORMATS);
    const output = choiceArg(args, "output", OUTPUTS);
    const language = choiceArg(args, "language", LANGUAGES);
    const include = stringListArg(args, "include");
    // Always in a session: delta=false still records what was sent, in the default session
    // unless one is named (runContext alone would record nothing without a session id).
    const session = sessionId ?? (delta ? undefined : (await ctx.store.state.defaultSession({ projectRoot: ctx.project })).sessionId);
    const result = await runContext(
      ctx.platform,
      {
        entry,
        project: ctx.project,
        delta,
        ...(session !== undefined ? { sessionId: session } : {}),
        ...(depth !== undefined ? { depth } : {}),
        ...(budget !== undefined ? { budget } : {}),
        ...(format !== undefined ? { format } : {}),
        ...(output === "vhs" ? { output: "vhs" as const } : {}),
        ...(language !== undefined ? { lang: language } : {}),
        ...(include !== undefined ? { include } : {}),
      },
      async () => keptOpen(ctx),
    );
    if (result.delta) ctx.tallies.add(result.delta);
    return { text: result.stdout, notes: result.warnings.map((w) => `warning: ${w}`) };
  },
});

/** The server's store for runContext, which closes what it opened: this one stays open. */
function keptOpen(ctx: ToolContext): ContextStore {
  return { vhs: ctx.store.vhs, state: ctx.store.state, close: async () => {} };
}
