/**
 * `--preset`: the Python CLI's flag bundles, in this CLI's terms. A preset sets defaults only:
 * an option given explicitly wins (as in the Python CLI). What the Python presets also set and
 * tldrs has no use for (`compress_imports`: tldrs prints no imports; `type_prune`; the
 * `cache-friendly` format) has no counterpart here.
 */
import { argRangeError } from "../errors.ts";

export type PresetName = "compact" | "minimal" | "multi-turn";
export const PRESETS: readonly PresetName[] = ["compact", "minimal", "multi-turn"];

export interface PresetOptions {
  format?: "ultracompact";
  budget?: number;
  stripComments?: boolean;
  delta?: boolean;
}

const VALUES: Record<PresetName, PresetOptions> = {
  compact: { format: "ultracompact", budget: 2000, stripComments: true },
  minimal: { format: "ultracompact", budget: 1500, stripComments: true },
  "multi-turn": { format: "ultracompact", budget: 2000, delta: true },
};

export function presetOptions(name: unknown): PresetOptions {
  if (name === undefined) return {};
  if (typeof name !== "string" || !(PRESETS as readonly string[]).includes(name)) throw argRangeError("preset", PRESETS.join(", "), name);
  return VALUES[name as PresetName];
}
