/**
 * Where a store lives. Kept apart from store.ts so that code which only needs the folder
 * (the context command without a session, the state store, doctor) does not load the engine.
 */
import { argTypeError } from "./errors.ts";
import type { Platform } from "./platform/port.ts";

export const STORE_DIRNAME = ".tldrs";
export const DB_FILENAME = "tldrs_state.db";

/** Where the store lives: env TLDRS_VHS_HOME, else `root`, else `<project>/.tldrs`, else `./.tldrs`. */
export function resolveStoreRoot(platform: Platform, options: { project?: string; root?: string } = {}): string {
  for (const key of ["project", "root"] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== "string" || value === "")) throw argTypeError(`options.${key}`, "a non-empty path string", value);
  }
  const fromEnv = platform.env("TLDRS_VHS_HOME");
  if (fromEnv) return platform.resolve(fromEnv);
  if (options.root) return platform.resolve(options.root);
  return platform.resolve(options.project ?? platform.cwd(), STORE_DIRNAME);
}
