/** `vhs_put`, `vhs_get`, `vhs_info`: the blob store for an agent. */
import { UsageError } from "../cli/errors.ts";
import { toPythonJson } from "../cli/json.ts";
import { TldrsError } from "../errors.ts";
import { formatRef, parseRef } from "../ref.ts";
import { fileChunks } from "../vhs/source.ts";
import { DEFAULT_WINDOW_BYTES, MAX_WINDOW_BYTES, readBlobWindow, type Window } from "./blob_window.ts";
import { openProjectFile } from "./project_file.ts";
import { booleanArg, checkArgs, stringArg, wholeNumberArg, type Args } from "./tool_args.ts";
import { defineTool, type ArgumentsSchema } from "./tool.ts";

const REF = { type: "string", description: "vhs://<64 hex digits> (or the bare hash), as vhs_put or context returned it." };

const putSchema: ArgumentsSchema = {
  type: "object",
  properties: {
    text: { type: "string", description: "The text to store (give this or path)." },
    path: { type: "string", description: "A file inside the project to store, relative to the project folder (give this or text). No `..`, no symbolic links." },
    compress: { type: "boolean", description: "zlib on disk (kept raw if it does not shrink); default: raw, as the Python store." },
  },
  additionalProperties: false,
};

export const vhsPutTool = defineTool({
  name: "vhs_put",
  title: "Store text or a project file, get a vhs:// ref",
  description:
    "Stores a large output (a log, a test report, a generated file) once in the project's blob store and returns its " +
    "ref `vhs://<sha256>` (about 20 tokens): pass the ref around instead of the text, and read it back with vhs_get, in " +
    "pieces. The same content gives the same ref. Give `text`, or `path` (a file inside the project).",
  inputSchema: putSchema,
  readOnly: false,
  async run(raw, ctx) {
    const args = checkArgs("vhs_put", putSchema, raw);
    const hasText = args["text"] !== undefined && args["text"] !== null;
    const path = stringArg(args, "path");
    if (hasText === (path !== undefined)) throw new UsageError("vhs_put takes text or path, exactly one of them");
    const compress = booleanArg(args, "compress");
    const options = compress === undefined ? {} : { compress };
    if (hasText) {
      if (typeof args["text"] !== "string") throw new UsageError(`text must be a string, got ${JSON.stringify(args["text"])}`);
      return { text: await ctx.store.vhs.put(args["text"], options) };
    }
    const opened = await openProjectFile(ctx.platform, ctx.project, path!);
    try {
      return { text: await ctx.store.vhs.put(fileChunks(opened.file, opened.size), options) };
    } finally {
      await opened.file.close().catch(() => undefined);
    }
  },
});

const getSchema: ArgumentsSchema = {
  type: "object",
  properties: {
    ref: REF,
    offset: { type: "integer", minimum: 0, description: "First byte to return (default 0)." },
    length: { type: "integer", minimum: 1, maximum: MAX_WINDOW_BYTES, description: `Bytes to return (default ${DEFAULT_WINDOW_BYTES}, at most ${MAX_WINDOW_BYTES}).` },
    start_line: { type: "integer", minimum: 1, description: "First line to return (1-based), instead of offset/length." },
    end_line: { type: "integer", minimum: 1, description: `Last line to return (inclusive; default: as many as fit in ${DEFAULT_WINDOW_BYTES} bytes).` },
  },
  required: ["ref"],
  additionalProperties: false,
};

export const vhsGetTool = defineTool({
  name: "vhs_get",
  title: "Read a stored blob, or a piece of it",
  description:
    `Returns the text of a vhs:// ref, ${DEFAULT_WINDOW_BYTES} bytes (about 4,000 tokens) at a time by default: a byte ` +
    "range (`offset`, `length`) or a line range (`start_line`, `end_line`). When more remains, a last note says which " +
    "call reads on. Check the size first with vhs_info if unsure. The blob is verified against its hash on every read.",
  inputSchema: getSchema,
  readOnly: true,
  async run(raw, ctx) {
    const args = checkArgs("vhs_get", getSchema, raw);
    const ref = stringArg(args, "ref")!;
    const piece = await readBlobWindow(ctx.store.vhs, ref, windowOf(args));
    return { text: piece.text, ...(piece.note ? { notes: [`(${piece.note})`] } : {}) };
  },
});

function windowOf(args: Args): Window {
  const offset = wholeNumberArg(args, "offset");
  const length = wholeNumberArg(args, "length", 1);
  const start = wholeNumberArg(args, "start_line", 1);
  const end = wholeNumberArg(args, "end_line", 1);
  const byBytes = offset !== undefined || length !== undefined;
  const byLines = start !== undefined || end !== undefined;
  if (byBytes && byLines) throw new UsageError("vhs_get takes offset/length or start_line/end_line, not both");
  if (byLines) {
    if (end !== undefined && end < (start ?? 1)) throw new UsageError(`end_line must be at least start_line (${start ?? 1}), got ${end}`);
    return { kind: "lines", start: start ?? 1, end };
  }
  if (length !== undefined && length > MAX_WINDOW_BYTES) throw new UsageError(`length must be at most ${MAX_WINDOW_BYTES}, got ${length}`);
  return { kind: "bytes", offset: offset ?? 0, length: length ?? DEFAULT_WINDOW_BYTES };
}

const infoSchema: ArgumentsSchema = {
  type: "object",
  properties: { ref: REF },
  required: ["ref"],
  additionalProperties: false,
};

export const vhsInfoTool = defineTool({
  name: "vhs_info",
  title: "What the store knows of a blob",
  description:
    "The record of a vhs:// ref as JSON (about 80 tokens): size in bytes, stored size and compression on disk, when it " +
    "was stored and last read. Use it to decide how to read a large blob with vhs_get.",
  inputSchema: infoSchema,
  readOnly: true,
  async run(raw, ctx) {
    const args = checkArgs("vhs_info", infoSchema, raw);
    const ref = formatRef(parseRef(stringArg(args, "ref")!));
    const record = await ctx.store.vhs.info(ref);
    if (!record) throw new TldrsError("ENOTFOUND", `Blob "${ref}" not found: the store has no record of it`, { ref });
    return { text: JSON.stringify(toPythonJson({ ref, ...record }), null, 2) };
  },
});
