/**
 * The three output formats, and the budgets that cut them at symbol boundaries.
 *
 * text          for people: a title, then per symbol a `## id (lines a-b) [depth]` header,
 *               its calls and its code
 * ultracompact  for agents: a path dictionary (`P0=src/a.py`), then per symbol one header
 *               line `P0:name signature @a-b [depth]` and its code fenced
 * json          for programs: one object with the same fields
 *
 * With delta, a symbol the session already holds is its signature marked `[UNCHANGED]`
 * (json: `"unchanged": true`, `"code": null`), and `# Delta: N unchanged, M changed` opens
 * the output (json: a `delta` field; a first line would not parse).
 *
 * Budgets keep the first symbols in breadth-first order (the entry first) while the whole
 * output fits, and end with a line naming what was left out (json: `omitted`).
 */
import { fenceTag, type GrammarId } from "./languages.ts";
import type { SymbolKind } from "./symbols.ts";

export type ContextFormat = "text" | "ultracompact" | "json";
export const FORMATS: readonly ContextFormat[] = ["text", "ultracompact", "json"];

export interface ContextSymbol {
  id: string;
  file: string;
  name: string;
  qualifiedName: string;
  kind: SymbolKind;
  language: GrammarId;
  signature: string;
  startLine: number;
  endLine: number;
  depth: number;
  etag: string;
  /** Ids of the pack symbols it calls. */
  calls: string[];
  code: string;
  /** The session holds this etag already: sent as its signature only. */
  unchanged: boolean;
}

export interface Limits {
  /** Tokens, estimated as characters / 4. */
  budget?: number;
  maxLines?: number;
  maxBytes?: number;
}

export interface RenderOptions {
  format: ContextFormat;
  /** The ENTRY as the user gave it, and the id it resolved to. */
  entry: string;
  entryId: string;
  depth: number;
  /** Print the delta line / field. */
  delta: boolean;
  /** Unchanged symbols whose earlier delivery is stored in VHS. */
  rehydrate?: ReadonlyMap<string, string>;
  limits?: Limits;
}

export interface Rendered {
  text: string;
  included: ContextSymbol[];
  omitted: ContextSymbol[];
  /** Even the output without any symbol exceeds a limit. */
  overflow: boolean;
}

/** How many omitted ids the closing line names. */
const MAX_NAMED_OMITTED = 10;

export function renderContext(symbols: readonly ContextSymbol[], options: RenderOptions): Rendered {
  const limits = options.limits ?? {};
  const limited = limits.budget !== undefined || limits.maxLines !== undefined || limits.maxBytes !== undefined;
  const render = (k: number): string => renderFirst(symbols, k, options);
  const full = render(symbols.length);
  if (!limited || fits(full, limits)) return { text: full, included: [...symbols], omitted: [], overflow: false };
  // Output size grows with k (a symbol's block is longer than its id in the closing line): bisect.
  let lo = 0;
  let hi = symbols.length - 1;
  let best = -1;
  let bestText = "";
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const text = render(mid);
    if (fits(text, limits)) {
      best = mid;
      bestText = text;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return { text: render(0), included: [], omitted: [...symbols], overflow: true };
  return { text: bestText, included: symbols.slice(0, best), omitted: symbols.slice(best), overflow: false };
}

export function fits(text: string, limits: Limits): boolean {
  if (limits.budget !== undefined && Math.ceil(text.length / 4) > limits.budget) return false;
  if (limits.maxLines !== undefined && lineCount(text) > limits.maxLines) return false;
  if (limits.maxBytes !== undefined && utf8Length(text) > limits.maxBytes) return false;
  return true;
}

export function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.length > 0 && !text.endsWith("\n") ? n + 1 : n;
}

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function renderFirst(symbols: readonly ContextSymbol[], k: number, options: RenderOptions): string {
  const included = symbols.slice(0, k);
  const omitted = symbols.slice(k);
  switch (options.format) {
    case "json":
      return renderJson(included, omitted, options);
    case "ultracompact":
      return renderUltracompact(included, omitted, options);
    default:
      return renderText(included, omitted, options);
  }
}

function deltaLine(included: readonly ContextSymbol[]): string {
  const unchanged = included.filter((s) => s.unchanged).length;
  return `# Delta: ${unchanged} unchanged, ${included.length - unchanged} changed\n`;
}

function countFiles(included: readonly ContextSymbol[]): number {
  return new Set(included.map((s) => s.file)).size;
}

function withNewline(code: string): string {
  return code.endsWith("\n") ? code : `${code}\n`;
}

function limitFlags(limits: Limits | undefined): string {
  const flags: string[] = [];
  if (limits?.budget !== undefined) flags.push(`--budget ${limits.budget}`);
  if (limits?.maxLines !== undefined) flags.push(`--max-lines ${limits.maxLines}`);
  if (limits?.maxBytes !== undefined) flags.push(`--max-bytes ${limits.maxBytes}`);
  return flags.join(" ");
}

function omittedLine(omitted: readonly ContextSymbol[], total: number, options: RenderOptions): string {
  if (omitted.length === 0) return "";
  const ids = omitted.slice(0, MAX_NAMED_OMITTED).map((s) => s.id);
  const more = omitted.length > MAX_NAMED_OMITTED ? ` and ${omitted.length - MAX_NAMED_OMITTED} more` : "";
  return `# Omitted ${omitted.length} of ${total} symbols to fit ${limitFlags(options.limits)}: ${ids.join(", ")}${more}\n`;
}

function rehydrateLines(included: readonly ContextSymbol[], options: RenderOptions): string {
  if (!options.rehydrate || options.rehydrate.size === 0) return "";
  let out = "";
  for (const s of included) {
    const ref = s.unchanged ? options.rehydrate.get(s.id) : undefined;
    if (ref) out += `# Rehydrate ${s.id}: ${ref}\n`;
  }
  return out === "" ? "" : `\n${out}`;
}

function depthTag(s: ContextSymbol): string {
  return s.depth === 0 ? "[entry]" : `[depth ${s.depth}]`;
}

function renderText(included: readonly ContextSymbol[], omitted: readonly ContextSymbol[], options: RenderOptions): string {
  let out = options.delta ? deltaLine(included) : "";
  out += `# Context: ${options.entryId} depth=${options.depth} symbols=${included.length} files=${countFiles(included)}\n`;
  for (const s of included) {
    out += `\n## ${s.id} (lines ${s.startLine}-${s.endLine}) ${depthTag(s)}\n`;
    if (s.unchanged) {
      out += `${s.signature}  [UNCHANGED]\n`;
      continue;
    }
    if (s.calls.length > 0) out += `calls: ${s.calls.join(", ")}\n`;
    out += withNewline(s.code);
  }
  out += rehydrateLines(included, options);
  const note = omittedLine(omitted, included.length + omitted.length, options);
  return note ? `${out}\n${note}` : out;
}

/** A fence longer than any run of backticks in the code (CommonMark). */
function fenceFor(code: string): string {
  let longest = 0;
  for (const m of code.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}

function renderUltracompact(included: readonly ContextSymbol[], omitted: readonly ContextSymbol[], options: RenderOptions): string {
  const pathIds = new Map<string, string>();
  const short = (id: string): string => {
    const colon = id.indexOf(":");
    const file = id.slice(0, colon);
    let pid = pathIds.get(file);
    if (pid === undefined) {
      pid = `P${pathIds.size}`;
      pathIds.set(file, pid);
    }
    return `${pid}${id.slice(colon)}`;
  };
  let body = "";
  for (const s of included) {
    const unchanged = s.unchanged ? " [UNCHANGED]" : "";
    body += `${short(s.id)} ${s.signature} @${s.startLine}-${s.endLine} ${s.depth === 0 ? "[entry]" : `[d${s.depth}]`}${unchanged}\n`;
    if (!s.unchanged) {
      if (s.calls.length > 0) body += `  calls: ${s.calls.map(short).join(", ")}\n`;
      const fence = fenceFor(s.code);
      body += `${fence}${fenceTag(s.language)}\n${withNewline(s.code)}${fence}\n`;
    }
    body += "\n";
  }
  let out = options.delta ? deltaLine(included) : "";
  if (pathIds.size > 0) out += `${[...pathIds].map(([path, pid]) => `${pid}=${path}`).join(" ")}\n\n`;
  out += body;
  out += rehydrateLines(included, options).replace(/^\n/, "");
  out += omittedLine(omitted, included.length + omitted.length, options);
  return out;
}

function renderJson(included: readonly ContextSymbol[], omitted: readonly ContextSymbol[], options: RenderOptions): string {
  const doc: Record<string, unknown> = {
    entry: options.entry,
    entry_id: options.entryId,
    depth: options.depth,
    files: countFiles(included),
    symbols: included.map((s) => ({
      id: s.id,
      file: s.file,
      name: s.name,
      qualified_name: s.qualifiedName,
      kind: s.kind,
      language: s.language,
      signature: s.signature,
      lines: [s.startLine, s.endLine],
      depth: s.depth,
      etag: s.etag,
      calls: s.calls,
      unchanged: s.unchanged,
      code: s.unchanged ? null : s.code,
    })),
  };
  if (options.delta) {
    const unchanged = included.filter((s) => s.unchanged);
    doc["delta"] = { unchanged: unchanged.length, changed: included.length - unchanged.length };
    doc["unchanged"] = unchanged.map((s) => s.id);
    const rehydrate: Record<string, string> = {};
    for (const s of unchanged) {
      const ref = options.rehydrate?.get(s.id);
      if (ref) rehydrate[s.id] = ref;
    }
    doc["rehydrate"] = rehydrate;
  }
  if (omitted.length > 0) {
    doc["omitted"] = omitted.map((s) => s.id);
    doc["omitted_reason"] = limitFlags(options.limits);
  }
  return `${JSON.stringify(doc)}\n`;
}
