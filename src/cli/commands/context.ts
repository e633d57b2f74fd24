/** `tldrs context ENTRY`: code context for a symbol, with delta sessions and VHS output. */
import { intFlag, requiredString } from "../args.ts";
import { defineCommand } from "../command.ts";
import { EXIT_OK, UsageError } from "../errors.ts";
import type { IndexProgress } from "../../context/project_index.ts";
import { progressEnabled, startProgress } from "../progress.ts";

const FORMATS = ["text", "ultracompact", "json"] as const;
const OUTPUTS = ["stdout", "vhs"] as const;
const ZOOMS = ["L0", "L1", "L2", "L3", "L4"] as const;
const PRESETS = ["compact", "minimal", "multi-turn"] as const;
const LANGS = ["auto", "python", "typescript", "javascript", "go", "rust"] as const;

/** A value of a fixed set, or undefined if the flag is absent. */
function choice<T extends string>(args: Record<string, unknown>, flag: string, values: readonly T[], normalize: (v: string) => string = (v) => v): T | undefined {
  const raw = args[flag];
  if (raw === undefined) return undefined;
  const value = normalize(String(Array.isArray(raw) ? raw[raw.length - 1] : raw));
  if (!(values as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${values.join(", ")}, got "${String(raw)}"`, "context");
  return value as T;
}

export const contextCommand = defineCommand({
  command: "context <entry>",
  name: "context",
  describe: "Code context for an entry symbol: its code, and the signatures of what it calls to --depth levels, within a token budget",
  examples: [
    ["tldrs context handle_request", "a function's code, and the signature and doc line of each function it calls"],
    ["tldrs context App.run --include-body", "a method and the code of what it calls"],
    ["tldrs context main --delta --format ultracompact", "in the default session: unchanged symbols elided"],
    ["tldrs context main --budget 0 --zoom L4", "everything, whatever its size"],
    ["tldrs context main --output vhs", "store the context, print its ref, a summary and a preview"],
  ],
  json: "optional",
  choices: { format: FORMATS, output: OUTPUTS, zoom: ZOOMS, z: ZOOMS, preset: PRESETS, lang: LANGS },
  options: (y) =>
    y
      .positional("entry", { type: "string", describe: "name, Class.method or path/to/file.py:name" })
      .option("depth", { type: "number", describe: "Call levels to follow (default 2)" })
      .option("lang", { type: "string", describe: "auto, python, typescript, javascript, go, rust (default auto: by extension)" })
      .option("format", { type: "string", describe: "text, ultracompact or json (default text; --json is --format json)" })
      .option("output", { type: "string", describe: "stdout or vhs (default stdout)" })
      .option("include", { type: "string", array: true, describe: "Append a stored blob (vhs://...), within the limits; a binary one is summarized; repeatable" })
      .option("session-id", { type: "string", describe: "Session to delta against and record deliveries in" })
      .option("delta", { type: "boolean", describe: "Delta against the session (the repo's default session without --session-id); --no-delta turns it off" })
      .option("budget", { type: "number", describe: "Token budget (characters / 4); default 6000 for text and ultracompact on stdout, none for json or --output vhs; 0: none" })
      .option("max-lines", { type: "number", describe: "Line cap (0: none)" })
      .option("max-bytes", { type: "number", describe: "Byte cap (0: none)" })
      .option("zoom", { alias: "z", type: "string", describe: "Detail of every symbol: L0 id, L1 signature and doc line, L2 control-flow sketch, L3/L4 code (default: code for the entry, L1 for callees)" })
      .option("include-body", { type: "boolean", describe: "Code of the callees too (--zoom L4)" })
      .option("with-docs", { type: "boolean", describe: "Whole docstrings, not only their first line" })
      .option("strip-comments", { type: "boolean", describe: "Print code without comment lines (TODO/FIXME kept), docstrings cut to a line" })
      .option("preset", { type: "string", describe: "compact (ultracompact, --budget 2000, --strip-comments), minimal (the same, 1500), multi-turn (ultracompact, 2000, --delta); explicit flags win" })
      .option("cache", { type: "boolean", describe: "Keep symbol tables in .tldrs/cache/ (default); --no-cache writes nothing without a session" }),
  async run(ctx) {
    const a = ctx.args;
    const entry = requiredString(a, "entry", "context");
    let format = choice(a, "format", FORMATS);
    if (a["json"] === true) {
      if (format !== undefined && format !== "json") throw new UsageError(`--json asks for --format json, not --format ${format}`, "context");
      format = "json";
    }
    const output = choice(a, "output", OUTPUTS);
    const zoom = choice(a, "zoom", ZOOMS, (v) => v.toUpperCase());
    const preset = choice(a, "preset", PRESETS);
    const sessionId = a["session-id"];
    if (sessionId !== undefined && (typeof sessionId !== "string" || sessionId.trim() === "")) throw new UsageError("--session-id needs a session id", "context");
    const include = (a["include"] as unknown[] | undefined)?.map(String);
    const depth = intFlag(a, "depth", "context");
    const budget = intFlag(a, "budget", "context");
    const maxLines = intFlag(a, "max-lines", "context");
    const maxBytes = intFlag(a, "max-bytes", "context");
    const switches = (["delta", "include-body", "with-docs", "strip-comments", "cache"] as const).filter((k) => typeof a[k] === "boolean");
    const flag = (k: (typeof switches)[number]) => a[k] as boolean;
    if (switches.includes("include-body") && flag("include-body") && zoom !== undefined && zoom < "L3") {
      throw new UsageError(`--include-body asks for code, --zoom ${zoom} for less: give one of them`, "context");
    }

    // Loaded here: parsing and the stores are not needed for --help.
    const [{ runContext }, { cliPlatform, openCliStore }] = await Promise.all([import("../../context/run_context.ts"), import("../open_store.ts")]);
    const project = ctx.projectDir();
    const progress = startProgress(ctx.io, "indexing");
    let result;
    try {
      result = await runContext(
        cliPlatform(ctx.io),
        {
          entry,
          project,
          ...(depth !== undefined ? { depth } : {}),
          ...(a["lang"] !== undefined ? { lang: String(a["lang"]) } : {}),
          ...(format !== undefined ? { format } : {}),
          ...(output !== undefined ? { output } : {}),
          ...(include ? { include } : {}),
          ...(typeof sessionId === "string" ? { sessionId } : {}),
          ...(switches.includes("delta") ? { delta: flag("delta") } : {}),
          ...(budget !== undefined ? { budget } : {}),
          ...(maxLines !== undefined ? { maxLines } : {}),
          ...(maxBytes !== undefined ? { maxBytes } : {}),
          ...(zoom !== undefined ? { zoom } : {}),
          ...(switches.includes("include-body") ? { includeBody: flag("include-body") } : {}),
          ...(switches.includes("with-docs") ? { withDocs: flag("with-docs") } : {}),
          ...(switches.includes("strip-comments") ? { stripComments: flag("strip-comments") } : {}),
          ...(switches.includes("cache") ? { cache: flag("cache") } : {}),
          ...(preset !== undefined ? { preset } : {}),
          // Only for a line that is drawn: a watcher makes parsing yield to the event loop.
          ...(progressEnabled(ctx.io)
            ? {
                onProgress: (p: IndexProgress) => {
                  if (p.phase === "scanning") progress.status(`scanning: ${p.done} source files found`);
                  else if (p.phase === "reading") progress.status(`reading ${p.done} of ${p.total} files`);
                  else progress.status(`${p.done} of ${p.total} files indexed, ${p.parsed} parsed`);
                },
              }
            : {}),
        },
        // One logical operation: one lock and (sql.js) one flush for the session, the blob row,
        // the deliveries and the access times, at close.
        ({ root }) => openCliStore(ctx.io, project, ctx.args, true, root),
      );
    } finally {
      await progress.done();
    }
    for (const w of result.warnings) await ctx.io.stderr.write(`tldrs: warning: ${w}\n`);
    await ctx.io.stdout.write(result.stdout);
    return EXIT_OK;
  },
});
