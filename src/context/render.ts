/**
 * The three output formats, as Layouts for the planner (plan.ts), which decides what is shown
 * and what is cut to fit the limits.
 *
 * text          for people and agents: a title, then per symbol a `## id (lines a-b) [depth]`
 *               header and, by its detail, its code, its signature and doc line, or a sketch;
 *               `calls:` names the pack symbols it calls (5 at most)
 * ultracompact  for agents: a path dictionary (`P0=src/a.py`), then per symbol one header
 *               line `P0:name signature @a-b [depth]`, its calls (12 at most) and its code fenced
 * json          for programs: one object with every field (all calls, the whole doc)
 *
 * With delta, a symbol the session already holds is its signature marked `[UNCHANGED]`
 * (json: `"unchanged": true`, `"code": null`), and `# Delta: N unchanged, M changed` opens
 * the output (json: a `delta` field; a first line would not parse). Included blobs follow
 * the symbols. Under limits, the output ends with the list of what was cut, by id, with what
 * each would cost (json: `cut`, and `omitted` for the ids of symbols left out).
 */
import { fenceTag } from "./languages.ts";
import { firstDocLine } from "./doc.ts";
import { planOutput, type ContextSymbol, type CutEntry, type IncludeItem, type Layout, type Plan, type ShownInclude, type View } from "./plan.ts";
import { fits, limitFlags, tokens, type Limits, type Size } from "./size.ts";

export type { ContextSymbol } from "./plan.ts";
export { fits, lineCount, utf8Length, type Limits } from "./size.ts";

export type ContextFormat = "text" | "ultracompact" | "json";
export const FORMATS: readonly ContextFormat[] = ["text", "ultracompact", "json"];

export interface RenderOptions {
  format: ContextFormat;
  /** The ENTRY as the user gave it, and the id it resolved to. */
  entry: string;
  entryId: string;
  depth: number;
  /** Print the delta line / field. */
  delta: boolean;
  limits?: Limits;
  /** The budget is the default one (said in the cut list, with how to lift it). */
  defaultBudget?: boolean;
  /** Docs whole instead of their first line. */
  withDocs?: boolean;
  includes?: readonly IncludeItem[];
}

export interface Rendered {
  text: string;
  /** The symbols in the output, with what each is shown as. */
  shown: Array<{ sym: ContextSymbol; view: View }>;
  included: ContextSymbol[];
  /** Symbols left out whole. */
  omitted: ContextSymbol[];
  cut: CutEntry[];
  /** Even the entry's signature exceeds a limit (it is printed all the same). */
  overLimit: boolean;
}

/** Calls named per symbol: the Python CLI's text and ultracompact caps. */
const MAX_CALLS: Record<ContextFormat, number> = { text: 5, ultracompact: 12, json: Number.POSITIVE_INFINITY };

export function renderContext(symbols: readonly ContextSymbol[], options: RenderOptions): Rendered {
  const limits = options.limits ?? {};
  const layout = options.format === "json" ? new JsonLayout(options) : options.format === "ultracompact" ? new UltracompactLayout(symbols, options) : new TextLayout(symbols, options);
  const plan = planOutput(symbols, options.includes ?? [], limits, layout);
  const text = layout.render(plan);
  const shownIds = new Set(plan.shown.map((s) => s.sym.id));
  return {
    text,
    shown: plan.shown,
    included: plan.shown.map((s) => s.sym),
    omitted: symbols.filter((s) => !shownIds.has(s.id)),
    cut: plan.cut,
    overLimit: plan.overLimit || !fits(text, limits),
  };
}

function countFiles(shown: Plan["shown"]): number {
  return new Set(shown.map((s) => s.sym.file)).size;
}

function withNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}

function deltaLine(shown: Plan["shown"]): string {
  const unchanged = shown.filter((s) => s.sym.unchanged).length;
  return `# Delta: ${unchanged} unchanged, ${shown.length - unchanged} changed\n`;
}

const WIDE = 99_999;

/** A short name for each pack symbol: its qualified name, or its id where two share one. */
function shortNames(symbols: readonly ContextSymbol[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const s of symbols) count.set(s.qualifiedName, (count.get(s.qualifiedName) ?? 0) + 1);
  return new Map(symbols.map((s) => [s.id, count.get(s.qualifiedName) === 1 && !s.id.includes("#") ? s.qualifiedName : s.id]));
}

function docLines(sym: ContextSymbol, whole: boolean, prefix: string): string {
  if (sym.doc === "") return "";
  if (!whole) return `${prefix}# ${firstDocLine(sym.doc)}\n`;
  return sym.doc
    .split("\n")
    .map((l) => (l.trim() === "" ? `${prefix}#\n` : `${prefix}# ${l}\n`))
    .join("");
}

function costText(size: Size, limits: Limits): string {
  const parts: string[] = [];
  if (limits.budget !== undefined || (limits.maxLines === undefined && limits.maxBytes === undefined)) parts.push(String(tokens(size.chars)));
  if (limits.maxLines !== undefined) parts.push(Number.isNaN(size.lines) ? "?" : String(size.lines));
  if (limits.maxBytes !== undefined) parts.push(String(size.bytes));
  return parts.join("/");
}

function costUnits(limits: Limits): string {
  const units: string[] = [];
  if (limits.budget !== undefined || (limits.maxLines === undefined && limits.maxBytes === undefined)) units.push("tokens");
  if (limits.maxLines !== undefined) units.push("lines");
  if (limits.maxBytes !== undefined) units.push("bytes");
  return units.join("/");
}

/** The file of a symbol id (`path:qualified.name`), or the ref of an include. */
function groupOf(entry: CutEntry): string {
  return entry.what === "include" ? entry.id : fileOfId(entry.id);
}

/** `name 420`, `name (body) 420`, `the rest 12000` */
function cutName(entry: CutEntry, limits: Limits): string {
  const cost = costText(entry.size, limits);
  if (entry.what === "include") return `the rest ${cost}`;
  const name = entry.id.slice(groupOf(entry).length + 1);
  return entry.what === "body" ? `${name} (body) ${cost}` : `${name} ${cost}`;
}

/** The text and ultracompact formats share the cut list and the includes, as `#` lines. */
abstract class LineLayout implements Layout {
  protected readonly limits: Limits;
  constructor(
    protected readonly symbols: readonly ContextSymbol[],
    protected readonly options: RenderOptions,
  ) {
    this.limits = options.limits ?? {};
  }

  abstract frame(): string;
  abstract block(sym: ContextSymbol, view: View): string;
  blockFiles(_sym: ContextSymbol, _view: View): string[] {
    return [];
  }
  fileRef(_file: string, _first: boolean): string {
    return "";
  }
  protected abstract body(plan: Plan): string;

  include(shown: ShownInclude): string {
    const { item } = shown;
    if (item.binary) return `\n# Included ${item.ref}: binary, ${item.size} bytes (${item.binary.type}); not shown: tldrs vhs get ${item.ref} --out FILE\n`;
    if (!shown.partial) return `\n# Included ${item.ref}\n${withNewline(shown.text)}`;
    const bytes = new TextEncoder().encode(shown.text).length;
    return `\n# Included ${item.ref} (first ${bytes} of ${item.size} bytes; the rest is cut)\n${withNewline(shown.text)}`;
  }

  cutHeader(): string {
    const flags = limitFlags(this.limits);
    const why = this.options.defaultBudget ? flags.replace(/^--budget \d+/, "$& (the default; 0: none)") : flags;
    return `\n# Cut to fit ${why}; cost in ${costUnits(this.limits)}; ask for one: tldrs context PATH:NAME\n`;
  }

  cutGroup(entry: CutEntry): string {
    return groupOf(entry);
  }

  cutEntry(entry: CutEntry, first: boolean): string {
    const text = cutName(entry, this.limits);
    return first ? `# ${groupOf(entry)}: ${text}\n` : `, ${text}`;
  }

  cutMore(more: { count: number; size: Size }): string {
    return `# and ${more.count} more, ${costText(more.size, this.limits)} in all (raise the limit or lower --depth)\n`;
  }

  protected cutSection(plan: Plan): string {
    if (plan.cut.length === 0 && !plan.more) return "";
    const byGroup = new Map<string, CutEntry[]>();
    for (const e of plan.cut) {
      const list = byGroup.get(groupOf(e));
      if (list) list.push(e);
      else byGroup.set(groupOf(e), [e]);
    }
    let out = this.cutHeader();
    for (const [group, entries] of byGroup) out += `# ${group}: ${entries.map((e) => cutName(e, this.limits)).join(", ")}\n`;
    if (plan.more) out += this.cutMore(plan.more);
    return out;
  }

  render(plan: Plan): string {
    let out = this.body(plan);
    for (const inc of plan.includes) out += this.include(inc);
    return out + this.cutSection(plan);
  }
}

class TextLayout extends LineLayout {
  private readonly names: Map<string, string>;
  constructor(symbols: readonly ContextSymbol[], options: RenderOptions) {
    super(symbols, options);
    this.names = shortNames(symbols);
  }

  private header(symbols: number, files: number): string {
    return `# Context: ${this.options.entryId} depth=${this.options.depth} symbols=${symbols} files=${files}\n`;
  }

  override frame(): string {
    return (this.options.delta ? `# Delta: ${WIDE} unchanged, ${WIDE} changed\n` : "") + this.header(WIDE, WIDE);
  }

  private callsLine(sym: ContextSymbol): string {
    if (sym.calls.length === 0) return "";
    const max = MAX_CALLS.text;
    const named = sym.calls.slice(0, max).map((id) => this.names.get(id) ?? id);
    const more = sym.calls.length > max ? ` (+${sym.calls.length - max} more)` : "";
    return `calls: ${named.join(", ")}${more}\n`;
  }

  override block(sym: ContextSymbol, view: View): string {
    const tag = sym.depth === 0 ? "[entry]" : `[depth ${sym.depth}]`;
    let out = `\n## ${sym.id} (lines ${sym.startLine}-${sym.endLine}) ${tag}\n`;
    switch (view) {
      case "unchanged":
        out += `${sym.signature}  [UNCHANGED]\n`;
        if (sym.rehydrate) out += `# Rehydrate ${sym.id}: ${sym.rehydrate}\n`;
        return out;
      case "full":
        return out + this.callsLine(sym) + withNewline(sym.shownCode);
      case "sketch":
        return out + `${sym.signature}\n` + docLines(sym, !!this.options.withDocs, "") + this.callsLine(sym) + withNewline(sym.sketch);
      case "signature":
        return out + `${sym.signature}\n` + docLines(sym, !!this.options.withDocs, "") + this.callsLine(sym);
      case "id":
        return out;
    }
  }

  protected override body(plan: Plan): string {
    let out = this.options.delta ? deltaLine(plan.shown) : "";
    out += this.header(plan.shown.length, countFiles(plan.shown));
    for (const { sym, view } of plan.shown) out += this.block(sym, view);
    return out;
  }
}

/** A fence longer than any run of backticks in the code (CommonMark). */
function fenceFor(code: string): string {
  let longest = 0;
  for (const m of code.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}

class UltracompactLayout extends LineLayout {
  /** P-ids over every file the pack names, in order: a symbol's header, then its calls. */
  private readonly pathIds = new Map<string, string>();
  private readonly fileOf = new Map<string, string>();

  constructor(symbols: readonly ContextSymbol[], options: RenderOptions) {
    super(symbols, options);
    for (const s of symbols) this.fileOf.set(s.id, s.file);
    for (const s of symbols) for (const id of [s.id, ...s.calls.slice(0, MAX_CALLS.ultracompact)]) this.pid(this.fileOf.get(id) ?? fileOfId(id));
  }

  private pid(file: string): string {
    let p = this.pathIds.get(file);
    if (p === undefined) {
      p = `P${this.pathIds.size}`;
      this.pathIds.set(file, p);
    }
    return p;
  }

  private short(id: string): string {
    const file = this.fileOf.get(id) ?? fileOfId(id);
    return `${this.pid(file)}${id.slice(file.length)}`;
  }

  override frame(): string {
    return this.options.delta ? `# Delta: ${WIDE} unchanged, ${WIDE} changed\n` : "";
  }

  override blockFiles(sym: ContextSymbol, view: View): string[] {
    const calls = view === "unchanged" || view === "id" ? [] : sym.calls.slice(0, MAX_CALLS.ultracompact);
    return [sym.file, ...calls.map((id) => this.fileOf.get(id) ?? fileOfId(id))];
  }

  /** Blocks end with a blank line already. */
  override cutHeader(): string {
    return super.cutHeader().slice(1);
  }

  override fileRef(file: string, first: boolean): string {
    return first ? `${this.pid(file)}=${file}\n\n` : ` ${this.pid(file)}=${file}`;
  }

  private callsLine(sym: ContextSymbol): string {
    if (sym.calls.length === 0) return "";
    const max = MAX_CALLS.ultracompact;
    const more = sym.calls.length > max ? ` (+${sym.calls.length - max})` : "";
    return `  calls: ${sym.calls.slice(0, max).map((id) => this.short(id)).join(", ")}${more}\n`;
  }

  private fenced(sym: ContextSymbol, code: string): string {
    if (code === "") return "";
    const fence = fenceFor(code);
    return `${fence}${fenceTag(sym.language)}\n${withNewline(code)}${fence}\n`;
  }

  override block(sym: ContextSymbol, view: View): string {
    const tag = sym.depth === 0 ? "[entry]" : `[d${sym.depth}]`;
    let out = `${this.short(sym.id)} ${sym.signature} @${sym.startLine}-${sym.endLine} ${tag}${view === "unchanged" ? " [UNCHANGED]" : ""}\n`;
    switch (view) {
      case "unchanged":
        if (sym.rehydrate) out += `# Rehydrate ${sym.id}: ${sym.rehydrate}\n`;
        break;
      case "full":
        out += this.callsLine(sym) + this.fenced(sym, sym.shownCode);
        break;
      case "sketch":
        out += docLines(sym, !!this.options.withDocs, "  ") + this.callsLine(sym) + this.fenced(sym, sym.sketch);
        break;
      case "signature":
        out += docLines(sym, !!this.options.withDocs, "  ") + this.callsLine(sym);
        break;
      case "id":
        break;
    }
    return `${out}\n`;
  }

  protected override body(plan: Plan): string {
    const referenced = new Set<string>();
    for (const { sym, view } of plan.shown) for (const f of this.blockFiles(sym, view)) referenced.add(f);
    let out = this.options.delta ? deltaLine(plan.shown) : "";
    const dictionary = [...this.pathIds].filter(([file]) => referenced.has(file));
    if (dictionary.length > 0) out += `${dictionary.map(([file, pid]) => `${pid}=${file}`).join(" ")}\n\n`;
    for (const { sym, view } of plan.shown) out += this.block(sym, view);
    return out;
  }
}

function fileOfId(id: string): string {
  const colon = id.lastIndexOf(":");
  return colon < 0 ? id : id.slice(0, colon);
}

class JsonLayout implements Layout {
  private readonly limits: Limits;
  constructor(private readonly options: RenderOptions) {
    this.limits = options.limits ?? {};
  }

  private skeleton(files: number, extra: Record<string, unknown>): Record<string, unknown> {
    return { entry: this.options.entry, entry_id: this.options.entryId, depth: this.options.depth, files, symbols: [], ...extra };
  }

  frame(): string {
    const extra: Record<string, unknown> = {};
    if (this.options.delta) Object.assign(extra, { delta: { unchanged: WIDE, changed: WIDE }, unchanged: [], rehydrate: {} });
    Object.assign(extra, { cut: [], cut_more: null, omitted: [], omitted_reason: limitFlags(this.limits), includes: [] });
    return `${JSON.stringify(this.skeleton(WIDE, extra))}\n`;
  }

  private symbolJson(sym: ContextSymbol, view: View): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: sym.id,
      file: sym.file,
      name: sym.name,
      qualified_name: sym.qualifiedName,
      kind: sym.kind,
      language: sym.language,
      signature: sym.signature,
      lines: [sym.startLine, sym.endLine],
      depth: sym.depth,
      etag: sym.etag,
      calls: sym.calls,
      unchanged: sym.unchanged,
      detail: view === "unchanged" ? "signature" : view,
      doc: sym.doc,
      code: view === "full" ? sym.shownCode : null,
    };
    if (view === "sketch") out["sketch"] = sym.sketch;
    return out;
  }

  block(sym: ContextSymbol, view: View): string {
    let out = `${JSON.stringify(this.symbolJson(sym, view))},`;
    if (sym.unchanged) out += `${JSON.stringify(sym.id)},`;
    if (sym.unchanged && sym.rehydrate) out += `${JSON.stringify(sym.id)}:${JSON.stringify(sym.rehydrate)},`;
    return out;
  }

  blockFiles(): string[] {
    return [];
  }

  fileRef(): string {
    return "";
  }

  private includeJson(shown: ShownInclude): Record<string, unknown> {
    const { item } = shown;
    if (item.binary) return { ref: item.ref, binary: true, size: item.size, type: item.binary.type };
    if (!shown.partial) return { ref: item.ref, text: shown.text };
    return { ref: item.ref, text: shown.text, size: item.size, truncated: true };
  }

  include(shown: ShownInclude): string {
    return `${JSON.stringify(this.includeJson(shown))},`;
  }

  cutHeader(): string {
    return "";
  }

  cutGroup(): string {
    return "";
  }

  private cutJson(entry: CutEntry): Record<string, unknown> {
    const s = entry.size;
    return { id: entry.id, cut: entry.what, tokens: tokens(s.chars), lines: Number.isNaN(s.lines) ? null : s.lines, bytes: s.bytes };
  }

  cutEntry(entry: CutEntry): string {
    return `${JSON.stringify(this.cutJson(entry))},${entry.what === "symbol" ? `${JSON.stringify(entry.id)},` : ""}`;
  }

  cutMore(more: { count: number; size: Size }): string {
    return JSON.stringify({ count: more.count, tokens: tokens(more.size.chars), lines: Number.isNaN(more.size.lines) ? null : more.size.lines, bytes: more.size.bytes });
  }

  render(plan: Plan): string {
    const doc = this.skeleton(countFiles(plan.shown), {});
    doc["symbols"] = plan.shown.map(({ sym, view }) => this.symbolJson(sym, view));
    if (this.options.delta) {
      const unchanged = plan.shown.filter((s) => s.sym.unchanged).map((s) => s.sym);
      doc["delta"] = { unchanged: unchanged.length, changed: plan.shown.length - unchanged.length };
      doc["unchanged"] = unchanged.map((s) => s.id);
      doc["rehydrate"] = Object.fromEntries(unchanged.filter((s) => s.rehydrate).map((s) => [s.id, s.rehydrate]));
    }
    if (plan.cut.length > 0 || plan.more) {
      doc["cut"] = plan.cut.map((e) => this.cutJson(e));
      if (plan.more) doc["cut_more"] = JSON.parse(this.cutMore(plan.more)) as unknown;
      const omitted = plan.cut.filter((e) => e.what === "symbol").map((e) => e.id);
      if (omitted.length > 0) doc["omitted"] = omitted;
      doc["omitted_reason"] = limitFlags(this.limits);
    }
    if (plan.includes.length > 0) doc["includes"] = plan.includes.map((i) => this.includeJson(i));
    return `${JSON.stringify(doc)}\n`;
  }
}
