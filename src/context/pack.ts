/**
 * buildPack: the entry and what it calls, breadth first to `depth` levels (0: the entry
 * alone). A symbol nested in one already in the pack (a method of an entry class, a
 * function inside an entry function) is not sent twice: its code is there, and its calls
 * were followed as its container's.
 */
import type { ProjectIndex, Sym } from "./project_index.ts";
import { resolveCall } from "./resolve_call.ts";

export interface PackItem {
  sym: Sym;
  depth: number;
  /** Ids of the pack symbols this one calls (or contains and calls through). */
  calls: string[];
}

export function buildPack(index: ProjectIndex, entry: Sym, depth: number): PackItem[] {
  const items: PackItem[] = [{ sym: entry, depth: 0, calls: [] }];
  const byId = new Map<string, PackItem>([[entry.id, items[0]!]]);
  for (let q = 0; q < items.length; q++) {
    const item = items[q]!;
    if (item.depth >= depth) continue;
    const edges = new Set<string>();
    for (const { caller, site } of callsWithin(item.sym)) {
      for (const target of resolveCall(index, caller, site)) {
        if (target.id === item.sym.id) continue;
        if (!byId.has(target.id) && !insidePack(target, byId)) {
          const added: PackItem = { sym: target, depth: item.depth + 1, calls: [] };
          items.push(added);
          byId.set(target.id, added);
        }
        if (byId.has(target.id)) edges.add(target.id);
      }
    }
    item.calls = [...edges];
  }
  return items;
}

/** Calls made by `sym` and by the symbols nested in it, each with the symbol that makes it. */
function callsWithin(sym: Sym): { caller: Sym; site: Sym["rec"]["calls"][number] }[] {
  const symbols = sym.file.symbols;
  const out: { caller: Sym; site: Sym["rec"]["calls"][number] }[] = [];
  for (let i = sym.index; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (i > sym.index) {
      if (s.rec.start >= sym.rec.end) break;
      if (!nestedIn(s, sym)) continue;
    }
    for (const site of s.rec.calls) out.push({ caller: s, site });
  }
  // Source order across the symbol and its nested ones (sort is stable for equal offsets).
  if (out.length > 1) out.sort((a, b) => (a.site.at ?? 0) - (b.site.at ?? 0));
  return out;
}

function nestedIn(s: Sym, ancestor: Sym): boolean {
  for (let j = s.index; j >= 0; j = s.file.symbols[j]!.rec.parent) if (j === ancestor.index) return true;
  return false;
}

function insidePack(target: Sym, byId: ReadonlyMap<string, PackItem>): boolean {
  for (let j = target.rec.parent; j >= 0; j = target.file.symbols[j]!.rec.parent) {
    if (byId.has(target.file.symbols[j]!.id)) return true;
  }
  return false;
}
