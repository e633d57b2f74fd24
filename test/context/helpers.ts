import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runContext, type RunContextOptions, type RunContextResult } from "../../src/context/run_context.ts";
import type { ContextStore } from "../../src/context/store_port.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { openStoreWith } from "../../src/store.ts";
import { tempDir } from "../helpers/tmp.ts";

export const platform = createNodePlatform();

/** Writes `files` (relative path to content) under a fresh temp folder and returns it. */
export function project(files: Record<string, string>): string {
  const dir = tempDir("tldrs-ctx-");
  writeTree(dir, files);
  return dir;
}

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

/** The real store of `dir` (`<dir>/.tldrs`). */
export function storeOpener(dir: string): () => Promise<ContextStore> {
  return () => openStoreWith(platform, { project: dir });
}

/** A store opener that fails the test if called. */
export const noStore = (): Promise<ContextStore> => Promise.reject(new Error("the store was opened but nothing needed it"));

/** runContext in `dir`, with the symbol cache off unless asked, the store opened only if needed. */
export function context(dir: string, entry: string, options: Partial<RunContextOptions> = {}, opener = storeOpener(dir)): Promise<RunContextResult> {
  return runContext(platform, { entry, project: dir, cache: false, ...options }, opener);
}

export interface JsonSymbol {
  id: string;
  file: string;
  name: string;
  qualified_name: string;
  kind: string;
  language: string;
  signature: string;
  lines: [number, number];
  depth: number;
  etag: string;
  calls: string[];
  unchanged: boolean;
  detail: string;
  doc: string;
  code: string | null;
  sketch?: string;
}

export interface JsonContext {
  entry: string;
  entry_id: string;
  depth: number;
  files: number;
  symbols: JsonSymbol[];
  delta?: { unchanged: number; changed: number };
  unchanged?: string[];
  rehydrate?: Record<string, string>;
  omitted?: string[];
  omitted_reason?: string;
  cut?: { id: string; cut: string; tokens: number; lines: number | null; bytes: number }[];
  cut_more?: { count: number; tokens: number; lines: number | null; bytes: number };
  includes?: { ref: string; text?: string; binary?: boolean; size?: number; type?: string; truncated?: boolean }[];
}

/** The context as parsed JSON. */
export async function contextJson(dir: string, entry: string, options: Partial<RunContextOptions> = {}, opener = storeOpener(dir)): Promise<JsonContext> {
  const r = await context(dir, entry, { ...options, format: "json" }, opener);
  return JSON.parse(r.stdout) as JsonContext;
}

/** Ids of the context symbols, in order. */
export async function ids(dir: string, entry: string, options: Partial<RunContextOptions> = {}): Promise<string[]> {
  return (await contextJson(dir, entry, options, noStore)).symbols.map((s) => s.id);
}

/** The rejection of `p` (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; data?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error("expected a rejection");
}
