/**
 * What a context output shows, and what it cuts to stay within its limits.
 *
 * The entry always stays: at its detail when that fits, else as its signature (even over the
 * limit: an agent that asked for a symbol gets at least that, with a warning). What is left
 * is spent in order: the `--include`d blobs the user asked for, then the callees in call
 * order (breadth first, calls in source order), each at its detail, else as its signature,
 * else left out. Everything cut is listed by id with what it would cost, and room for that
 * list is kept as the output fills, so the list is complete whenever the limits allow it;
 * when even the list does not fit, it names what fits and counts the rest ("and N more").
 *
 * Sizes come from the format's Layout (render.ts): each shown block, file reference and cut
 * entry is a piece whose size adds up exactly or as an upper bound (the frame is measured at
 * the widest counts), so the plan costs one render of each piece, not one render per try.
 */
import type { GrammarId } from "./languages.ts";
import { addSize, fitsSize, hasLimits, sizeOf, subSize, ZERO, type Limits, type Size } from "./size.ts";
import type { SymbolKind } from "./symbols.ts";

/**
 * How much of a symbol is shown: `full` (its code), `sketch` (signature, doc line and the
 * lines that open control flow), `signature` (signature and first doc line; all of the doc
 * with `--with-docs`), `id` (its header line only).
 */
export type Detail = "full" | "sketch" | "signature" | "id";
export const DETAILS: readonly Detail[] = ["full", "sketch", "signature", "id"];

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
  /** The detail asked for (the limits may reduce it to `signature`). */
  detail: Detail;
  /** Its documentation, comment markers removed ("" if none). */
  doc: string;
  /** The code as printed at `full` (without comments under --strip-comments). */
  shownCode: string;
  /** The lines printed at `sketch`. */
  sketch: string;
  /** The stored output that holds it, for an unchanged symbol (delta with VHS). */
  rehydrate?: string;
}

/** What a shown symbol is printed as. */
export type View = Detail | "unchanged";

/** An `--include`d blob as read (include.ts): text (whole, or the part under a cap) or a binary summary. */
export interface IncludeItem {
  ref: string;
  /** Total size of the blob in bytes. */
  size: number;
  /** Not UTF-8 text: summarized, never decoded. */
  binary?: { type: string };
  /** The text read (all of it when `complete`). */
  text: string;
  /** `text` is the whole blob. */
  complete: boolean;
}

export interface ShownInclude {
  item: IncludeItem;
  /** The text printed: all of it, its first lines, or "" (its header only; binary: the summary). */
  text: string;
  /** Part of the blob is not printed. */
  partial: boolean;
}

export type CutWhat = "body" | "symbol" | "include";

export interface CutEntry {
  /** A symbol id, or the include's ref. */
  id: string;
  what: CutWhat;
  /** What printing it would add (for an include read only in part, lines is unknown: NaN). */
  size: Size;
}

export interface Plan {
  shown: Array<{ sym: ContextSymbol; view: View }>;
  includes: ShownInclude[];
  /** Named in the output's cut list. */
  cut: CutEntry[];
  /** Cut but not named (the list itself did not fit). */
  more: { count: number; size: Size } | null;
  /** Even the entry's signature does not fit the limits. */
  overLimit: boolean;
}

/** A format's pieces (render.ts). Each ends with a newline unless it continues a line. */
export interface Layout {
  /** Everything that is there whatever is shown, measured at the widest counts. */
  frame(): string;
  block(sym: ContextSymbol, view: View): string;
  /** Files a block refers to that need a dictionary entry (ultracompact), in order. */
  blockFiles(sym: ContextSymbol, view: View): string[];
  /** The dictionary entry of a file (first: the first entry of the dictionary). */
  fileRef(file: string, first: boolean): string;
  include(shown: ShownInclude): string;
  /** The cut list's opening, once, with the first entry. */
  cutHeader(): string;
  /** Entries of one group share a line (text: one line per file). */
  cutGroup(entry: CutEntry): string;
  /** An entry of the cut list (first: the first of its group). */
  cutEntry(entry: CutEntry, first: boolean): string;
  /** The closing "and N more" of a cut list that did not fit, at its widest. */
  cutMore(more: { count: number; size: Size }): string;
  render(plan: Plan): string;
}

/** The views to try for a symbol, best first. */
function viewsOf(sym: ContextSymbol): View[] {
  if (sym.unchanged) return ["unchanged"];
  if (sym.detail === "full" || sym.detail === "sketch") return [sym.detail, "signature"];
  return [sym.detail];
}

const WIDEST_MORE = { count: 99_999, size: { chars: 999_999_999, lines: 99_999_999, bytes: 999_999_999 } };

export function planOutput(symbols: readonly ContextSymbol[], includes: readonly IncludeItem[], limits: Limits, layout: Layout): Plan {
  const plan: Plan = { shown: [], includes: [], cut: [], more: null, overLimit: false };
  if (!hasLimits(limits)) {
    for (const sym of symbols) plan.shown.push({ sym, view: viewsOf(sym)[0]! });
    for (const item of includes) plan.includes.push({ item, text: item.binary ? "" : item.text, partial: !item.complete });
    return plan;
  }
  const files = new Set<string>();
  const groups = new Set<string>();
  let used = sizeOf(layout.frame());
  const fitsWith = (...extra: Size[]) => fitsSize(extra.reduce(addSize, used), limits);

  const blockSize = (sym: ContextSymbol, view: View): Size => {
    let size = sizeOf(layout.block(sym, view));
    let first = files.size === 0;
    for (const f of new Set(layout.blockFiles(sym, view))) {
      if (files.has(f)) continue;
      size = addSize(size, sizeOf(layout.fileRef(f, first)));
      first = false;
    }
    return size;
  };
  const show = (sym: ContextSymbol, view: View) => {
    used = addSize(used, blockSize(sym, view));
    for (const f of layout.blockFiles(sym, view)) files.add(f);
    plan.shown.push({ sym, view });
  };
  const cutSize = (entry: CutEntry): Size => {
    const own = sizeOf(layout.cutEntry(entry, !groups.has(layout.cutGroup(entry))));
    return plan.cut.length === 0 ? addSize(own, sizeOf(layout.cutHeader())) : own;
  };
  const cut = (entry: CutEntry) => {
    used = addSize(used, cutSize(entry));
    groups.add(layout.cutGroup(entry));
    plan.cut.push(entry);
  };
  const bodyEntry = (sym: ContextSymbol, best: View, view: View): CutEntry => ({ id: sym.id, what: "body", size: subSize(sizeOf(layout.block(sym, best)), sizeOf(layout.block(sym, view))) });
  const omitEntry = (sym: ContextSymbol): CutEntry => ({ id: sym.id, what: "symbol", size: sizeOf(layout.block(sym, viewsOf(sym)[0]!)) });

  // The rest in order; each keeps room for listing everything after it as cut: each entry,
  // and the opening of each group (a file's line) not opened yet.
  type Unit = { kind: "include"; item: IncludeItem } | { kind: "symbol"; sym: ContextSymbol };
  const [entry, ...callees] = symbols;
  const units: Unit[] = [...includes.map((item): Unit => ({ kind: "include", item })), ...callees.map((sym): Unit => ({ kind: "symbol", sym }))];
  const listed = units.map((u) => (u.kind === "symbol" ? omitEntry(u.sym) : ({ id: u.item.ref, what: "include", size: sizeOf(layout.include({ item: u.item, text: u.item.text, partial: false })) } as CutEntry)));
  const reserveAfter: Size[] = new Array<Size>(units.length + 1);
  reserveAfter[units.length] = ZERO;
  const openedLater = new Set<string>();
  for (let i = units.length - 1; i >= 0; i--) {
    const e = listed[i]!;
    const group = layout.cutGroup(e);
    const first = !openedLater.has(group);
    openedLater.add(group);
    // A group's opening is paid by its first entry; from the end, that is the last one met.
    reserveAfter[i] = addSize(reserveAfter[i + 1]!, sizeOf(layout.cutEntry(e, first)));
  }
  const lastIndex = new Map<string, number>();
  listed.forEach((e, i) => lastIndex.set(layout.cutGroup(e), i));
  const opening = (e: CutEntry) => subSize(sizeOf(layout.cutEntry(e, true)), sizeOf(layout.cutEntry(e, false)));
  const openingOf = new Map(listed.map((e) => [layout.cutGroup(e), opening(e)]));
  /** The list of units after `i`, less the openings of groups already open (or opened by `opening`). */
  const reserveFor = (i: number, opening?: CutEntry): Size => {
    let reserve = reserveAfter[i + 1]!;
    const open = opening ? new Set([...groups, layout.cutGroup(opening)]) : groups;
    for (const g of open) if ((lastIndex.get(g) ?? -1) > i) reserve = subSize(reserve, openingOf.get(g)!);
    return reserve;
  };

  // The entry: never left out. Its code needs room for the list of the rest, or for a line
  // counting it when that is shorter.
  const moreReserve = sizeOf(layout.cutMore(WIDEST_MORE));
  if (entry) {
    const views = viewsOf(entry);
    const list = reserveAfter[0]!.chars < moreReserve.chars ? reserveAfter[0]! : moreReserve;
    const others = units.length > 0 ? addSize(list, sizeOf(layout.cutHeader())) : ZERO;
    const view = views.find((v) => fitsWith(blockSize(entry, v), others)) ?? views[views.length - 1]!;
    show(entry, view);
    if (view !== views[0]) cut(bodyEntry(entry, views[0]!, view));
    if (!fitsSize(used, limits)) plan.overLimit = true;
  }

  let overflow = false;
  const unnamed: CutEntry[] = [];
  for (let i = 0; i < units.length; i++) {
    const unit = units[i]!;
    if (!overflow) {
      if (unit.kind === "symbol" ? placeSymbol(unit.sym, i) : placeInclude(unit.item, i)) continue;
      overflow = true;
    }
    const item = listed[i]!;
    if (unnamed.length === 0 && fitsWith(cutSize(item), moreReserve)) cut(item);
    else unnamed.push(item);
  }
  if (unnamed.length > 0) {
    plan.more = { count: unnamed.length, size: unnamed.map((e) => e.size).reduce(addSize, ZERO) };
    used = addSize(used, sizeOf(layout.cutMore(plan.more)));
  }
  return plan;

  /** Room for the list of what follows: its entries, and its opening unless an entry is already there. */
  function listRoom(reserve: Size): Size {
    return plan.cut.length === 0 && reserve.chars > 0 ? addSize(reserve, sizeOf(layout.cutHeader())) : reserve;
  }

  function placeSymbol(sym: ContextSymbol, i: number): boolean {
    const views = viewsOf(sym);
    for (const view of views) {
      // A reduced view lists the cut body itself (with the list's opening if it is the first).
      const body = bodyEntry(sym, views[0]!, view);
      const extra = view === views[0] ? listRoom(reserveFor(i)) : addSize(cutSize(body), reserveFor(i, body));
      if (fitsWith(blockSize(sym, view), extra)) {
        show(sym, view);
        if (view !== views[0]) cut(bodyEntry(sym, views[0]!, view));
        return true;
      }
    }
    const omitted = omitEntry(sym);
    if (!fitsWith(cutSize(omitted), reserveFor(i, omitted))) return false;
    cut(omitted);
    return true;
  }

  function placeInclude(item: IncludeItem, i: number): boolean {
    const reserve = reserveFor(i, { id: item.ref, what: "include", size: ZERO });
    const take = (shown: ShownInclude) => {
      used = addSize(used, sizeOf(layout.include(shown)));
      plan.includes.push(shown);
    };
    if (item.binary) {
      const summary: ShownInclude = { item, text: "", partial: true };
      if (!fitsWith(sizeOf(layout.include(summary)), listRoom(reserve))) return false;
      take(summary);
      return true;
    }
    const whole: ShownInclude = { item, text: item.text, partial: false };
    const wholeSize = sizeOf(layout.include(whole));
    if (item.complete && fitsWith(wholeSize, listRoom(reserve))) {
      take(whole);
      return true;
    }
    // The most whole lines that fit, with the rest listed as cut.
    const lines = splitLines(item.text);
    const shownWith = (k: number): ShownInclude => ({ item, text: lines.slice(0, k).join(""), partial: true });
    const restOf = (shown: ShownInclude): CutEntry => ({ id: item.ref, what: "include", size: restSize(item, shown, wholeSize, layout) });
    const room = (k: number) => {
      const shown = shownWith(k);
      return fitsWith(sizeOf(layout.include(shown)), cutSize(restOf(shown)), reserve);
    };
    if (!room(0)) return false;
    let lo = 0;
    let hi = item.complete ? lines.length - 1 : lines.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (room(mid)) lo = mid;
      else hi = mid - 1;
    }
    const shown = shownWith(lo);
    take(shown);
    cut(restOf(shown));
    return true;
  }
}

/** Lines with their newlines (the last one may have none). */
function splitLines(text: string): string[] {
  const out = text.split(/(?<=\n)/);
  return out.length === 1 && out[0] === "" ? [] : out;
}

/** What printing the rest of an include would add; for one read only in part, bytes of the blob (lines unknown). */
function restSize(item: IncludeItem, shown: ShownInclude, wholeSize: Size, layout: Layout): Size {
  if (item.complete) return subSize(wholeSize, sizeOf(layout.include(shown)));
  const shownBytes = sizeOf(shown.text).bytes;
  const rest = Math.max(0, item.size - shownBytes);
  return { chars: rest, lines: Number.NaN, bytes: rest };
}
