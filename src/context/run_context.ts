/**
 * runContext: `tldrs context ENTRY` as a function: what the command prints on stdout, and
 * the warnings for stderr. The CLI parses flags, calls this, prints, and maps errors.
 *
 *   1. check options (TypeError / RangeError naming the option: a usage error)
 *   2. open the store only if a session, `--output vhs` or `--include` needs it; fetch the
 *      includes first, so a bad ref fails before anything is written
 *   3. index the project (symbol tables cached by content hash under the store folder)
 *   4. find the entry, follow its calls to `depth`, etag each symbol
 *   5. with a session: delta against it, render, record every delivered symbol in one
 *      recordDeliveries call (one transaction)
 *   6. `--output vhs`: store the output, print ref, summary and preview
 */
import { argRangeError, argTypeError } from "../errors.ts";
import { resolveStoreRoot } from "../store_root.ts";
import type { Platform } from "../platform/port.ts";
import { SymbolCache, symbolCachePath } from "./cache.ts";
import { findEntry } from "./entry.ts";
import { checkLang } from "./languages.ts";
import { buildPack, type PackItem } from "./pack.ts";
import { ProjectIndex } from "./project_index.ts";
import { FORMATS, renderContext, type ContextFormat, type ContextSymbol, type Limits } from "./render.ts";
import type { ContextDelivery, ContextStore } from "./store_port.ts";
import { renderVhsOutput } from "./vhs_output.ts";

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
  /** Tokens (characters / 4). */
  budget?: number;
  maxLines?: number;
  maxBytes?: number;
  /** Cache symbol tables under the store folder (default true). */
  cache?: boolean;
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
  project: string;
  depth: number;
  lang: ReturnType<typeof checkLang>;
  format: ContextFormat;
  output: "stdout" | "vhs";
  include: string[];
  sessionId: string | undefined;
  delta: boolean | undefined;
  limits: Limits;
  cache: boolean;
}

function checkOptions(platform: Platform, options: RunContextOptions): Checked {
  if (options === null || typeof options !== "object") throw argTypeError("options", "an object", options);
  const { entry } = options;
  if (typeof entry !== "string" || entry.trim() === "") throw argTypeError("entry", "a non-empty string", entry);
  if (options.project !== undefined && (typeof options.project !== "string" || options.project === "")) {
    throw argTypeError("project", "a non-empty path string", options.project);
  }
  const depth = options.depth ?? DEFAULT_DEPTH;
  if (typeof depth !== "number" || !Number.isInteger(depth) || depth < 0) throw argRangeError("depth", "a non-negative integer", depth);
  const format = options.format ?? "text";
  if (!FORMATS.includes(format)) throw argRangeError("format", FORMATS.join(", "), format);
  const output = options.output ?? "stdout";
  if (output !== "stdout" && output !== "vhs") throw argRangeError("output", "stdout or vhs", output);
  const include = options.include ?? [];
  if (!Array.isArray(include) || include.some((r) => typeof r !== "string")) throw argTypeError("include", "an array of refs", include);
  if (options.sessionId !== undefined && (typeof options.sessionId !== "string" || options.sessionId.trim() === "")) {
    throw argTypeError("sessionId", "a non-empty string", options.sessionId);
  }
  if (options.delta !== undefined && typeof options.delta !== "boolean") throw argTypeError("delta", "a boolean", options.delta);
  const limits: Limits = {};
  for (const key of ["budget", "maxLines", "maxBytes"] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw argRangeError(key, "a positive integer", v);
    limits[key] = v;
  }
  return {
    entry: entry.trim(),
    project: platform.resolve(options.project ?? platform.cwd()),
    depth,
    lang: checkLang(options.lang),
    format,
    output,
    include: [...include],
    sessionId: options.sessionId,
    delta: options.delta,
    limits,
    cache: options.cache ?? true,
  };
}

function canonicalRef(ref: string): string {
  return /^[0-9a-f]{64}$/.test(ref) ? `vhs://${ref}` : ref;
}

export async function runContext(platform: Platform, options: RunContextOptions, openStore: () => Promise<ContextStore>): Promise<RunContextResult> {
  const o = checkOptions(platform, options);
  const warnings: string[] = [];
  const session = o.sessionId !== undefined || o.delta === true;
  const needsStore = session || o.output === "vhs" || o.include.length > 0;
  const store = needsStore ? await openStore() : undefined;
  try {
    const includes: { ref: string; text: string }[] = [];
    for (const ref of o.include) includes.push({ ref: canonicalRef(ref), text: await store!.vhs.getText(ref) });

    const cache = o.cache ? await SymbolCache.open(platform, symbolCachePath(resolveStoreRoot(platform, { project: o.project }))) : undefined;
    const index = await ProjectIndex.build(platform, o.project, { lang: o.lang, ...(cache ? { cache } : {}) });
    warnings.push(...index.warnings);
    if (cache) {
      const w = await cache.save(o.lang !== "auto");
      if (w) warnings.push(w);
    }

    const entry = findEntry(index, o.entry);
    const pack = buildPack(index, entry, o.depth);
    const symbols = pack.map((item) => toContextSymbol(platform, item));

    let sessionId: string | undefined;
    let markUnchanged = false;
    let rehydrate: ReadonlyMap<string, string> = new Map();
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
        for (const s of symbols) s.unchanged = result.unchanged.has(s.id);
        rehydrate = result.rehydrate;
      }
    }

    const rendered = renderContext(symbols, {
      format: o.format,
      entry: o.entry,
      entryId: entry.id,
      depth: o.depth,
      delta: markUnchanged,
      rehydrate,
      limits: o.limits,
    });
    if (rendered.overflow) warnings.push(`the limits (${describeLimits(o.limits)}) leave no room for any symbol`);
    let text = appendIncludes(rendered.text, includes, o.format);

    let ref: string | undefined;
    if (o.output === "vhs") ref = await store!.vhs.put(text);
    if (store && sessionId !== undefined && rendered.included.length > 0) {
      await store.state.recordDeliveries(sessionId, deliveries(rendered.included, rehydrate, ref));
    }
    if (ref !== undefined) {
      text = renderVhsOutput(
        { ref, entry: o.entry, depth: o.depth, functions: rendered.included.length, files: new Set(rendered.included.map((s) => s.file)).size },
        text,
      );
    }
    const delta = markUnchanged && sessionId !== undefined ? deltaStats(sessionId, rendered.included) : undefined;
    return { stdout: text, warnings, ...(delta ? { delta } : {}) };
  } finally {
    await store?.close();
  }
}

function deltaStats(sessionId: string, included: readonly ContextSymbol[]): ContextDeltaStats {
  const tokens = (text: string) => Math.ceil(text.length / 4);
  const unchanged = included.filter((s) => s.unchanged);
  const tokensSaved = unchanged.reduce((sum, s) => sum + Math.max(0, tokens(s.code) - tokens(s.signature)), 0);
  return { sessionId, unchanged: unchanged.length, changed: included.length - unchanged.length, tokensSaved };
}

/** sha256 hex of `signature + "\n" + code`. */
export function symbolEtag(platform: Platform, signature: string, code: string): string {
  const h = platform.createHasher();
  h.update(new TextEncoder().encode(`${signature}\n${code}`));
  return h.digestHex();
}

function toContextSymbol(platform: Platform, item: PackItem): ContextSymbol {
  const { sym } = item;
  const code = sym.file.text.slice(sym.rec.start, sym.rec.end);
  return {
    id: sym.id,
    file: sym.file.rel,
    name: sym.rec.name,
    qualifiedName: sym.rec.qualified,
    kind: sym.rec.kind,
    language: sym.file.grammar,
    signature: sym.rec.signature,
    startLine: sym.rec.startLine,
    endLine: sym.rec.endLine,
    depth: item.depth,
    etag: symbolEtag(platform, sym.rec.signature, code),
    calls: item.calls,
    code,
    unchanged: false,
  };
}

/**
 * One delivery per symbol the output carries. Sent now: `full` with its code, or `vhs_ref`
 * to the stored output. Unchanged: kept as the session holds it (`vhs_ref` to the earlier
 * blob when there is one, else `full`), so a later rehydrate still finds the code.
 */
function deliveries(included: readonly ContextSymbol[], rehydrate: ReadonlyMap<string, string>, ref: string | undefined): ContextDelivery[] {
  return included.map((s): ContextDelivery => {
    const tokenEstimate = Math.ceil(s.code.length / 4);
    const earlier = s.unchanged ? rehydrate.get(s.id) : undefined;
    if (earlier !== undefined) return { symbolId: s.id, etag: s.etag, representation: "vhs_ref", vhsRef: earlier, tokenEstimate };
    if (ref !== undefined && !s.unchanged) return { symbolId: s.id, etag: s.etag, representation: "vhs_ref", vhsRef: ref, tokenEstimate };
    return { symbolId: s.id, etag: s.etag, representation: "full", tokenEstimate, codeSnapshot: s.code };
  });
}

function appendIncludes(text: string, includes: readonly { ref: string; text: string }[], format: ContextFormat): string {
  if (includes.length === 0) return text;
  if (format === "json") {
    const doc = JSON.parse(text) as Record<string, unknown>;
    doc["includes"] = includes.map((i) => ({ ref: i.ref, text: i.text }));
    return `${JSON.stringify(doc)}\n`;
  }
  let out = text;
  for (const inc of includes) {
    out += `\n# Included ${inc.ref}\n${inc.text}`;
    if (!out.endsWith("\n")) out += "\n";
  }
  return out;
}

function describeLimits(limits: Limits): string {
  const parts: string[] = [];
  if (limits.budget !== undefined) parts.push(`--budget ${limits.budget}`);
  if (limits.maxLines !== undefined) parts.push(`--max-lines ${limits.maxLines}`);
  if (limits.maxBytes !== undefined) parts.push(`--max-bytes ${limits.maxBytes}`);
  return parts.join(" ");
}

