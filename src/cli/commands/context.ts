/** `tldrs context ENTRY`: code context for a symbol, with delta sessions and VHS output. */
import { intFlag, requiredString } from "../args.ts";
import { defineCommand } from "../command.ts";
import { EXIT_OK, UsageError } from "../errors.ts";

const FORMATS = ["text", "ultracompact", "json"];

export const contextCommand = defineCommand({
  command: "context <entry>",
  name: "context",
  describe: "Code context for an entry symbol: its definition and what it calls, to --depth levels",
  examples: [
    ["tldrs context handle_request", "a function by name"],
    ["tldrs context src/app.py:App.run --depth 1", "a method in one file, callees one level deep"],
    ["tldrs context main --delta --format ultracompact", "in the default session: unchanged symbols elided"],
    ["tldrs context main --output vhs", "store the context, print its ref, a summary and a preview"],
  ],
  options: (y) =>
    y
      .positional("entry", { type: "string", describe: "name, Class.method or path/to/file.py:name" })
      .option("depth", { type: "string", describe: "Call levels to follow (default 2)" })
      .option("lang", { type: "string", describe: "auto, python, typescript, javascript, go, rust (default auto: by extension)" })
      .option("format", { type: "string", describe: "text, ultracompact or json (default text)" })
      .option("output", { type: "string", describe: "stdout or vhs (default stdout)" })
      .option("include", { type: "string", array: true, describe: "Append a stored blob (vhs://...); repeatable" })
      .option("session-id", { type: "string", describe: "Session to delta against and record deliveries in" })
      .option("delta", { type: "boolean", describe: "Delta against the session (the repo's default session without --session-id); --no-delta turns it off" })
      .option("budget", { type: "string", describe: "Token budget (characters / 4): cut at symbol boundaries" })
      .option("max-lines", { type: "string", describe: "Cut at symbol boundaries after this many lines" })
      .option("max-bytes", { type: "string", describe: "Cut at symbol boundaries after this many bytes" }),
  async run(ctx) {
    const a = ctx.args;
    const entry = requiredString(a, "entry", "context");
    const format = a["format"] === undefined ? undefined : String(a["format"]);
    if (format !== undefined && !FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`, "context");
    const output = a["output"] === undefined ? undefined : String(a["output"]);
    if (output !== undefined && output !== "stdout" && output !== "vhs") throw new UsageError(`--output must be stdout or vhs, got "${output}"`, "context");
    const sessionId = a["session-id"];
    if (sessionId !== undefined && (typeof sessionId !== "string" || sessionId.trim() === "")) throw new UsageError("--session-id needs a session id", "context");
    const include = (a["include"] as unknown[] | undefined)?.map(String);
    const depth = intFlag(a, "depth", "context");
    const budget = intFlag(a, "budget", "context", 1);
    const maxLines = intFlag(a, "max-lines", "context", 1);
    const maxBytes = intFlag(a, "max-bytes", "context", 1);

    // Loaded here: parsing and the stores are not needed for --help.
    const [{ runContext }, { cliPlatform, openCliStore }] = await Promise.all([import("../../context/run_context.ts"), import("../open_store.ts")]);
    const project = ctx.projectDir();
    const result = await runContext(
      cliPlatform(ctx.io),
      {
        entry,
        project,
        ...(depth !== undefined ? { depth } : {}),
        ...(a["lang"] !== undefined ? { lang: String(a["lang"]) } : {}),
        ...(format !== undefined ? { format: format as "text" | "ultracompact" | "json" } : {}),
        ...(output !== undefined ? { output: output as "stdout" | "vhs" } : {}),
        ...(include ? { include } : {}),
        ...(typeof sessionId === "string" ? { sessionId } : {}),
        ...(typeof a["delta"] === "boolean" ? { delta: a["delta"] } : {}),
        ...(budget !== undefined ? { budget } : {}),
        ...(maxLines !== undefined ? { maxLines } : {}),
        ...(maxBytes !== undefined ? { maxBytes } : {}),
      },
      // One logical operation: one lock and (sql.js) one flush for the session, the blob row,
      // the deliveries and the access times, at close.
      () => openCliStore(ctx.io, project, ctx.args, true),
    );
    for (const w of result.warnings) await ctx.io.stderr.write(`tldrs: warning: ${w}\n`);
    await ctx.io.stdout.write(result.stdout);
    return EXIT_OK;
  },
});
