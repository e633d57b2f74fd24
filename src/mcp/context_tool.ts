/** `context`: `tldrs context` for an agent, in a session with delta on by default. */
import { runContext } from "../context/run_context.ts";
import type { ContextStore } from "../context/store_port.ts";
import { booleanArg, checkArgs, choiceArg, stringArg, stringListArg, wholeNumberArg } from "./tool_args.ts";
import { defineTool, type ArgumentsSchema, type ToolContext } from "./tool.ts";

const FORMATS = ["text", "ultracompact", "json"] as const;
const OUTPUTS = ["inline", "vhs"] as const;
const LANGUAGES = ["auto", "python", "typescript", "javascript", "go", "rust"] as const;
const ZOOMS = ["L0", "L1", "L2", "L3", "L4"] as const;

const schema: ArgumentsSchema = {
  type: "object",
  properties: {
    entry: { type: "string", description: "The symbol to start from: `name`, `Class.method` or `path/to/file.py:name`." },
    session_id: { type: "string", description: "Your session: symbols already sent in it come back as UNCHANGED. Default: the repository's default session." },
    delta: { type: "boolean", description: "Mark symbols this session already holds as UNCHANGED (default true). false resends everything (still recorded)." },
    depth: { type: "integer", minimum: 0, description: "Call levels to follow from the entry (default 2; 0 is the entry alone)." },
    budget: {
      type: "integer",
      minimum: 0,
      description: "Token cap (characters / 4; default 6000 for text and ultracompact, none for json or output=vhs; 0: none). The entry always stays (its signature at least); what does not fit is listed by id with its cost.",
    },
    include_body: { type: "boolean", description: "The code of every symbol, callees too (default false: the entry's code, the callees' signatures and doc lines)." },
    zoom: { type: "string", enum: [...ZOOMS], description: "Detail of every symbol: L0 id, L1 signature and doc line, L2 control-flow sketch, L3/L4 code." },
    with_docs: { type: "boolean", description: "Whole docstrings instead of their first line." },
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
    "The code of a function, method or class and the signatures (with their first doc line) of what it calls, to `depth` " +
    "levels, from the project's source: Python, TypeScript, JavaScript, Go or Rust. Call it instead of reading whole files; " +
    "ask for a callee's code by its id, or for all of it with include_body. Within a session, a symbol whose code you " +
    "already have and that has not changed comes back as its signature marked [UNCHANGED]. Cost: at most `budget` tokens " +
    "(default 6,000; typically 600-5,000 at depth 2); what does not fit is listed by id with its cost.",
  inputSchema: schema,
  readOnly: false,
  async run(raw, ctx) {
    const args = checkArgs("context", schema, raw);
    const entry = stringArg(args, "entry")!;
    const sessionId = stringArg(args, "session_id");
    const delta = booleanArg(args, "delta") ?? true;
    const depth = wholeNumberArg(args, "depth");
    const budget = wholeNumberArg(args, "budget");
    const includeBody = booleanArg(args, "include_body");
    const zoom = choiceArg(args, "zoom", ZOOMS);
    const withDocs = booleanArg(args, "with_docs");
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
        ...(includeBody !== undefined ? { includeBody } : {}),
        ...(zoom !== undefined ? { zoom } : {}),
        ...(withDocs !== undefined ? { withDocs } : {}),
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
