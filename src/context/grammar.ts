/**
 * Loads tree-sitter (web-tree-sitter 0.22.x) and its grammars (from tree-sitter-wasms,
 * shipped in wasm/grammars/): both
 * are WebAssembly, so nothing is compiled at install time and every runtime parses alike.
 *
 * Why these versions: a grammar .wasm is built for one tree-sitter ABI. tree-sitter-wasms
 * 0.1.x is built with tree-sitter-cli 0.20, which web-tree-sitter 0.22 loads; newer
 * web-tree-sitter releases refuse those grammars.
 *
 * The bytes are read through `platform.readUrl`, and handed to the library (`wasmBinary`,
 * `Language.load(bytes)`), so the library never touches a file system of its own. The
 * engine's .wasm is found in the installed web-tree-sitter package (package_files.ts).
 *
 * web-tree-sitter keeps one WASM instance per process: the first platform that loads it
 * provides the bytes; later callers share it.
 */
import type Parser from "web-tree-sitter";
import { TldrsError } from "../errors.ts";
import type { Platform } from "../platform/port.ts";
import { packageFileUrls } from "../package_files.ts";
import type { GrammarId } from "./languages.ts";

export type TreeSitter = typeof Parser;
export type { Parser };
export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;
export type Language = Parser.Language;

let runtime: Promise<TreeSitter> | undefined;
const languages = new Map<GrammarId, Promise<Language>>();

async function readFirst(platform: Platform, specifier: string, what: string): Promise<Uint8Array> {
  const tried: string[] = [];
  let last: unknown;
  for (const url of packageFileUrls(specifier)) {
    try {
      return await platform.readUrl(url);
    } catch (err) {
      tried.push(url.href);
      last = err;
    }
  }
  throw new TldrsError("EENGINE", `Cannot load the ${what} "${specifier}": not found at ${tried.join(", ")}; reinstall tldrs`, {
    path: specifier,
    cause: last,
  });
}

/** The grammar binaries ship in the package's wasm/grammars/ (copied from tree-sitter-wasms). */
export function grammarUrl(grammar: GrammarId): URL {
  return new URL(`../../wasm/grammars/tree-sitter-${grammar}.wasm`, import.meta.url);
}

async function readGrammar(platform: Platform, grammar: GrammarId): Promise<Uint8Array> {
  const url = grammarUrl(grammar);
  try {
    return await platform.readUrl(url);
  } catch (cause) {
    throw new TldrsError("EENGINE", `Cannot load the ${grammar} grammar "${url.href}": ${(cause as Error).message}; reinstall tldrs`, { path: url.href, cause });
  }
}

/** The tree-sitter runtime, initialised once per process. */
export function loadTreeSitter(platform: Platform): Promise<TreeSitter> {
  if (!runtime) {
    runtime = (async () => {
      const wasm = await readFirst(platform, "web-tree-sitter/tree-sitter.wasm", "tree-sitter engine");
      const mod = (await import("web-tree-sitter")) as unknown as { default: TreeSitter };
      const TS = mod.default;
      await TS.init({ wasmBinary: wasm });
      return TS;
    })();
    runtime.catch(() => (runtime = undefined));
  }
  return runtime;
}

/** A grammar, loaded once per process. */
export function loadLanguage(platform: Platform, grammar: GrammarId): Promise<Language> {
  let p = languages.get(grammar);
  if (!p) {
    p = (async () => {
      const TS = await loadTreeSitter(platform);
      const bytes = await readGrammar(platform, grammar);
      try {
        return await TS.Language.load(bytes);
      } catch (cause) {
        throw new TldrsError("EENGINE", `Cannot load the ${grammar} grammar: ${(cause as Error).message}; reinstall tldrs`, { cause });
      }
    })();
    languages.set(grammar, p);
    p.catch(() => languages.delete(grammar));
  }
  return p;
}

/** A parser with one language set; reused across files of that language. */
export async function createParser(platform: Platform, grammar: GrammarId): Promise<Parser> {
  const TS = await loadTreeSitter(platform);
  const language = await loadLanguage(platform, grammar);
  const parser = new TS();
  parser.setLanguage(language);
  return parser;
}
