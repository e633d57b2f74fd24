/**
 * runContext: `tldrs context ENTRY` as a function: what the command prints on stdout, and
 * the warnings for stderr. The CLI parses flags, calls this, prints, and maps errors.
 *
 *   1. check options (TypeError / RangeError naming the option: a usage error)
 *   2. open the store only if a session, `--output vhs` or `--include` needs it; read the
 *      includes first (within the limits: include.ts), so a bad ref fails before anything
 *      is written
 *   3. index the project (symbol tables cached by content hash under the store folder)
 *   4. find the entry, follow its calls to `depth`, etag each symbol, pick its detail
 *   5. with a session: delta against it, render within the limits (plan.ts), record every
 *      delivered symbol in one recordDeliveries call (one transaction)
 *   6. `--output vhs`: store the output, print ref, summary and preview
 *
 * Without a session, `--output vhs` or `--include`, nothing is written but the symbol cache
 * (`.tldrs/cache/`, with the store folder and its markers when it is new); `cache: false`
 * writes nothing at all.
 */
import { argRangeError, argTypeError } from "../errors.ts";
import { checkKnownKeys, checkObject } from "../options.ts";
import { resolveStoreRoot } from "../store_root.ts";
import type { Platform } from "../platform/port.ts";
import { sha256Hex } from "../platform/sha256_hex.ts";
import { SymbolCache, symbolCachePath } from "./cache.ts";
import { sketchOf, stripComments } from "./code_views.ts";
import { docOf } from "./doc.ts";
import { findEntry } from "./entry.ts";
import { includeCaps, readInclude } from "./include.ts";
import { checkLang } from "./languages.ts";
import { buildPack, type PackItem } from "./pack.ts";
import type { ContextSymbol, Detail, IncludeItem } from "./plan.ts";
import { presetOptions } from "./presets.ts";
import { ProjectIndex, type IndexProgress, type Sym } from "./project_index.ts";
import { FORMATS, renderContext, type ContextFormat, type Rendered } from "./render.ts";
import { limitFlags, type Limits } from "./size.ts";
import type { ContextDelivery, ContextStore, ContextStoreLocation } from "./store_port.ts";
import { renderVhsOutput } from "./vhs_output.ts";

export type ZoomLevel = "L0" | "L1" | "L2" | "L3" | "L4";
export const ZOOM_LEVELS: readonly ZoomLevel[] = ["L0", "L1", "L2", "L3", "L4"];

/**
 * The default `budget` of text and ultracompact output sent inline (not of json, not of
 * `output: "vhs"`): room for the entry's code and the signatures of what it calls. Measured
 * on the Python tldr-swinton source (2,429 functions): 99.9% of function bodies are under
 * 4,000 tokens; the five entries of README "Output size" fit whole at 2-4k tokens where they
 * printed up to 120k before. `budget: 0` lifts it.
 */
export const DEFAULT_BUDGET = 6000;

export interface RunContextOptions {
  /** `name`, `Class.method` or `path/to/file.py:name`. */
  entry: string;
  /** Project folder (default: the current folder). Its `.tldrs/` holds the store. */
  project?: string;
  /** Call levels to follow (default 2; 0 is the entry alone). */
  depth?: number;
  /** `auto` (default), `python`, `typescript`, `javascript`, `go`, `rust`. */
  lang?: string;
  format?: ContextFormat;
  output?: "stdout" | "vhs";
  /** Refs whose stored text is appended (`--include`, repeatable). */
  include?: readonly string[];
  /** Session to delta against and record deliveries in (`--session-id`). */
  sessionId?: string;
  /**
   * `--delta` (true): mark unchanged symbols, in the repo's default session unless
   * `sessionId` is given. `--no-delta` (false): never mark, even with a session id (the
   * deliveries are still recorded). Absent: delta exactly when `sessionId` is given.
   */
  delta?: boolean;
  /**
   * Tokens (characters / 4). Default: DEFAULT_BUDGET for text and ultracompact printed inline,
   * none for json and for `output: "vhs"`. 0: no budget.
   */
  budget?: number;
  /** Lines (0 or absent: no cap). */
  maxLines?: number;
  /** UTF-8 bytes (0 or absent: no cap). */
  maxBytes?: number;
  /**
   * Detail of every symbol: L0 its id, L1 its signature and doc line, L2 a sketch (control
   * flow lines), L3 and L4 its code. Default: the entry's code and L1 for the callees (json:
   * code for every symbol).
   */
  zoom?: ZoomLevel;
  /** The callees' code too (the Python CLI's `--include-body`): L4 for every symbol. */
  includeBody?: boolean;
  /** Docs whole, not only their first line. */
  withDocs?: boolean;
  /** Print code without whole-line comments (TODO, FIXME, XXX, HACK kept) and Python docstrings cut to a line. */
  stripComments?: boolean;
  /** The Python CLI's `--preset`: defaults for format, budget, stripComments and delta. */
  preset?: "compact" | "minimal" | "multi-turn";
  /** Cache symbol tables under the store folder (default true). */
  cache?: boolean;
  /** Called as indexing goes (files found, read and parsed), for a progress line. */
  onProgress?: (progress: IndexProgress) => void;
}

export interface RunContextResult {
  /** Everything for stdout, ending with a newline. */
  stdout: string;
  /** One line each, for stderr. */
  warnings: string[];
  /** Set when unchanged symbols were marked: the session and what the marking saved. */
  delta?: ContextDeltaStats;
}

/** Counts over the symbols in the output (those a budget left out do not count). */
export interface ContextDeltaStats {
  sessionId: string;
  /** Symbols sent as their signature marked UNCHANGED. */
  unchanged: number;
  /** Symbols sent in full (new to the session, or changed since). */
  changed: number;
  /** Tokens (characters / 4) of the unchanged symbols' code, less those of their signatures. */
  tokensSaved: number;
}

export const DEFAULT_DEPTH = 2;

interface Checked {
  entry: string;
  /** Resolved once here; everything below uses this absolute path. */
  project: string;
  /** The store folder of `project` (or TLDRS_VHS_HOME), resolved once: the cache and the store use it. */
  storeRoot: string;
  depth: number;
  lang: ReturnType<typeof checkLang>;
  format: ContextFormat;
  output: "stdout" | "vhs";
  include: string[];
  sessionId: string | undefined;
  delta: boolean | undefined;
  limits: Limits;
  /** The budget is DEFAULT_BUDGET (not given). */
  defaultBudget: boolean;
  zoom: ZoomLevel | undefined;
  includeBody: boolean;
  withDocs: boolean;
  stripComments: boolean;
  cache: boolean;
}

function checkBoolean(options: RunContextOptions, key: "includeBody" | "withDocs" | "stripComments" | "cache" | "delta"): boolean | undefined {
  const v = options[key];
  if (v !== undefined && typeof v !== "boolean") throw argTypeError(key, "a boolean", v);
  return v;
}

/** Every option runContext knows: any other key is a misspelling, refused as in every verb. */
const OPTION_KEYS = Object.keys({
  entry: true, project: true, depth: true, lang: true, format: true, output: true, include: true, sessionId: true, delta: true,
  budget: true, maxLines: true, maxBytes: true, zoom: true, includeBody: true, withDocs: true, stripComments: true, preset: true,
  cache: true, onProgress: true,
} satisfies Record<keyof RunContextOptions, true>);

function checkOptions(platform: Platform, options: RunContextOptions): Checked {
  checkKnownKeys("options", checkObject("options", options), OPTION_KEYS);
  const { entry } = options;
  if (typeof entry !== "string" || entry.trim() === "") throw argTypeError("entry", "a non-empty string", entry);
  if (options.project !== undefined && (typeof options.project !== "string" || options.project === "")) {
    throw argTypeError("project", "a non-empty path string", options.project);
  }
  const preset = presetOptions(options.preset);
  const depth = options.depth ?? DEFAULT_DEPTH;
  if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 0) throw argRangeError("depth", "a non-negative integer", depth);
  const format = options.format ?? preset.format ?? "text";
  if (!FORMATS.includes(format)) throw argRangeError("format", FORMATS.join(", "), format);
  const output = options.output ?? "stdout";
  if (output !== "stdout" && output !== "vhs") throw argRangeError("output", "stdout or vhs", output);
  const include = options.include ?? [];
  if (!Array.isArray(include) || include.some((r) => typeof r !== "string")) throw argTypeError("include", "an array of refs", include);
  if (options.sessionId !== undefined && (typeof options.sessionId !== "string" || options.sessionId.trim() === "")) {
    throw argTypeError("sessionId", "a non-empty string", options.sessionId);
  }
  const delta = checkBoolean(options, "delta") ?? preset.delta;
  const limits: Limits = {};
  for (const key of ["budget", "maxLines", "maxBytes"] as const) {
    const v = key === "budget" ? (options.budget ?? preset.budget) : options[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw argRangeError(key, "a whole number of 0 or more (0: no limit)", v);
    if (v > 0) limits[key] = v;
  }
  // The default budget is for what goes into a model's context: not json (programs), not a stored output.
  const defaultBudget = options.budget === undefined && preset.budget === undefined && format !== "json" && output === "stdout";
  if (defaultBudget) limits.budget = DEFAULT_BUDGET;
  const zoom = options.zoom;
  if (zoom !== undefined && !ZOOM_LEVELS.includes(zoom)) throw argRangeError("zoom", ZOOM_LEVELS.join(", "), zoom);
  const includeBody = checkBoolean(options, "includeBody") ?? false;
  if (includeBody && zoom !== undefined && zoom < "L3") throw argRangeError("includeBody", `false with zoom ${zoom} (bodies are L3 and L4)`, includeBody);
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") throw argTypeError("onProgress", "a function", options.onProgress);
  const project = platform.resolve(options.project ?? platform.cwd());
  return {
    entry: entry.trim(),
    project,
    storeRoot: resolveStoreRoot(platform, { project }),
    depth,
    lang: checkLang(options.lang),
    format,
    output,
    include: [...include],
    sessionId: options.sessionId,
    delta,
    limits,
    defaultBudget,
    zoom,
    includeBody,
    withDocs: checkBoolean(options, "withDocs") ?? false,
    stripComments: checkBoolean(options, "stripComments") ?? preset.stripComments ?? false,
    cache: checkBoolean(options, "cache") ?? true,
  };
}

/** The detail a symbol is asked for (the limits may reduce it). */
function detailOf(o: Checked, depth: number): Detail {
  if (o.zoom !== undefined) return o.zoom === "L0" ? "id" : o.zoom === "L1" ? "signature" : o.zoom === "L2" ? "sketch" : "full";
  if (o.includeBody || o.format === "json" || depth === 0) return "full";
  return "signature";
}

/**
 * `openStore` opens the store when one is needed; it is given the project and the store folder
 * as resolved here, so that the call resolves each once.
 */
export async function runContext(platform: Platform, options: RunContextOptions, openStore: (where: ContextStoreLocation) => Promise<ContextStore>): Promise<RunContextResult> {
  const o = checkOptions(platform, options);
  const warnings: string[] = [];
  const session = o.sessionId !== undefined || o.delta === true;
  const needsStore = session || o.output === "vhs" || o.include.length > 0;
  const store = needsStore ? await openStore({ project: o.project, root: o.storeRoot }) : undefined;
  try {
    const includes: IncludeItem[] = [];
    for (const ref of o.include) includes.push(await readInclude(store!.vhs, ref, includeCaps(o.limits)));

    const { entry, pack } = await indexAndPack(platform, o, options.onProgress, warnings);
    const symbols = pack.map((item) => toContextSymbol(platform, item, o));

    let sessionId: string | undefined;
    let markUnchanged = false;
    if (store && session) {
      const opened =
        o.sessionId !== undefined
          ? await store.state.openSession(o.sessionId, { repoFingerprint: await store.state.repoFingerprint(o.project) })
          : await store.state.defaultSession({ projectRoot: o.project });
      sessionId = opened.sessionId;
      if (opened.drift) {
        warnings.push(`session "${sessionId}" was opened on ${opened.drift.previous}; the repository is now at ${opened.drift.current}`);
      }
      markUnchanged = o.delta !== false;
      if (markUnchanged) {
        const result = await store.state.checkDelta(sessionId, new Map(symbols.map((s) => [s.id, s.etag])));
        for (const s of symbols) {
          s.unchanged = result.unchanged.has(s.id);
          const ref = s.unchanged ? result.rehydrate.get(s.id) : undefined;
          if (ref !== undefined) s.rehydrate = ref;
        }
      }
    }

    const rendered = renderContext(symbols, {
      format: o.format,
      entry: o.entry,
      entryId: entry.id,
      depth: o.depth,
      delta: markUnchanged,
      limits: o.limits,
      defaultBudget: o.defaultBudget,
      withDocs: o.withDocs,
      includes,
    });
    if (rendered.overLimit) warnings.push(`the output is over the limits (${limitFlags(o.limits)}): the entry's signature and the list of what is cut do not fit in them, and are printed all the same`);
    let text = rendered.text;

    let ref: string | undefined;
    if (o.output === "vhs") ref = await store!.vhs.put(text);
    if (store && sessionId !== undefined && rendered.shown.length > 0) {
      await store.state.recordDeliveries(sessionId, deliveries(rendered, ref));
    }
    if (ref !== undefined) {
      text = renderVhsOutput(
        { ref, entry: o.entry, depth: o.depth, functions: rendered.included.length, files: new Set(rendered.included.map((s) => s.file)).size },
        text,
      );
    }
    const delta = markUnchanged && sessionId !== undefined ? deltaStats(sessionId, rendered) : undefined;
    return { stdout: text, warnings, ...(delta ? { delta } : {}) };
  } finally {
    await store?.close();
  }
}

/**
 * Indexes the project (the symbol cache saved as soon as it is built: a failed lookup of the
 * entry still keeps the parsing done), finds the entry and its pack, and loads the texts of
 * the pack's files. A file the cache trusted by its stamp that turns out changed makes the
 * index stale: built again, reading every file.
 */
async function indexAndPack(platform: Platform, o: Checked, onProgress: RunContextOptions["onProgress"], warnings: string[]): Promise<{ entry: Sym; pack: PackItem[] }> {
  const cache = o.cache ? await SymbolCache.open(platform, symbolCachePath(o.storeRoot)) : undefined;
  for (const trustStamps of [true, false]) {
    const index = await ProjectIndex.build(platform, o.project, { lang: o.lang, trustStamps, ...(cache ? { cache } : {}), ...(onProgress ? { onProgress } : {}) });
    if (cache) {
      const w = await cache.save(o.lang !== "auto");
      if (w) warnings.push(w);
    }
    const entry = findEntry(index, o.entry);
    const pack = buildPack(index, entry, o.depth);
    if (await index.loadTexts(platform, new Set(pack.map((item) => item.sym.file)))) {
      warnings.push(...index.warnings);
      return { entry, pack };
    }
  }
  throw new Error("unreachable: an index built without stamps has every text");
}

function deltaStats(sessionId: string, rendered: Rendered): ContextDeltaStats {
  const tokens = (text: string) => Math.ceil(text.length / 4);
  const unchanged = rendered.included.filter((s) => s.unchanged);
  // What each would have cost at its detail, less its signature line.
  const saved = (s: ContextSymbol) => (s.detail === "full" ? tokens(s.shownCode) : s.detail === "sketch" ? tokens(s.sketch) : 0) - (s.detail === "full" ? tokens(s.signature) : 0);
  const tokensSaved = unchanged.reduce((sum, s) => sum + Math.max(0, saved(s)), 0);
  return { sessionId, unchanged: unchanged.length, changed: rendered.included.length - unchanged.length, tokensSaved };
}

/** sha256 hex of `signature + "\n" + code`. */
export function symbolEtag(platform: Platform, signature: string, code: string): string {
  return sha256Hex(platform, new TextEncoder().encode(`${signature}\n${code}`));
}

function toContextSymbol(platform: Platform, item: PackItem, o: Checked): ContextSymbol {
  const { sym } = item;
  const text = sym.file.text ?? "";
  const code = text.slice(sym.rec.start, sym.rec.end);
  const grammar = sym.file.grammar;
  const detail = detailOf(o, item.depth);
  const shownCode = o.stripComments ? stripComments(code, grammar) : code;
  return {
    id: sym.id,
    file: sym.file.rel,
    name: sym.rec.name,
    qualifiedName: sym.rec.qualified,
    kind: sym.rec.kind,
    language: grammar,
    signature: sym.rec.signature,
    startLine: sym.rec.startLine,
    endLine: sym.rec.endLine,
    depth: item.depth,
    etag: symbolEtag(platform, sym.rec.signature, code),
    calls: item.calls,
    code,
    unchanged: false,
    detail,
    doc: docOf(text, sym.rec.start, code, grammar),
    shownCode,
    sketch: detail === "sketch" ? sketchOf(shownCode, grammar) : "",
  };
}

/**
 * One delivery per symbol the output carries. Code sent now: `full` with its code, or
 * `vhs_ref` to the stored output. Less than its code (a signature, a sketch, an id):
 * `signature_only`, which never counts as UNCHANGED later. Unchanged: kept as the session
 * holds it (`vhs_ref` to the earlier blob when there is one, else `full`), so a later
 * rehydrate still finds the code.
 */
function deliveries(rendered: Rendered, ref: string | undefined): ContextDelivery[] {
  return rendered.shown.map(({ sym: s, view }): ContextDelivery => {
    const tokenEstimate = Math.ceil(s.code.length / 4);
    if (s.unchanged) {
      if (s.rehydrate !== undefined) return { symbolId: s.id, etag: s.etag, representation: "vhs_ref", vhsRef: s.rehydrate, tokenEstimate };
      return { symbolId: s.id, etag: s.etag, representation: "full", tokenEstimate, codeSnapshot: s.code };
    }
    if (view !== "full") return { symbolId: s.id, etag: s.etag, representation: "signature_only", tokenEstimate: Math.ceil(s.signature.length / 4) };
    if (ref !== undefined) return { symbolId: s.id, etag: s.etag, representation: "vhs_ref", vhsRef: ref, tokenEstimate };
    return { symbolId: s.id, etag: s.etag, representation: "full", tokenEstimate, codeSnapshot: s.code };
  });
}
