// The Node builds the global set-up installed (node_versions.ts), for tests.
import { inject } from "vitest";
import type { NodeBuild } from "./node_versions.ts";

export type InstalledNode = Extract<NodeBuild, { executable: string }>;

/** Every build, installed or with the reason it is not. */
export function nodeBuilds(): NodeBuild[] {
  return inject("nodeBuilds");
}

/** One line saying which builds are missing and why, or undefined if all are installed. */
export function missingNodes(): string | undefined {
  const missing = nodeBuilds().filter((b) => "unavailable" in b);
  return missing.length === 0 ? undefined : missing.map((b) => `node ${b.major}: ${"unavailable" in b ? b.unavailable : ""}`).join("; ");
}

export function installedNodes(): InstalledNode[] {
  return nodeBuilds().filter((b): b is InstalledNode => "executable" in b);
}
