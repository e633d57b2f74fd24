/**
 * Entry point for Node, Deno and Bun: binds the platform on node: built-ins.
 *
 *   import { openStore } from "tldrs";
 *   const store = await openStore({ project: "." });
 */
import { createNodePlatform } from "./platform/node.ts";
import type { Platform } from "./platform/port.ts";
import { repoFingerprint as repoFingerprintWith } from "./state/fingerprint.ts";
import { doctorWith, type DoctorOptions, type DoctorReport } from "./doctor.ts";
import { openStoreWith, type OpenStoreOptions, type Store } from "./store.ts";

export * from "./mod.ts";
export { createNodePlatform } from "./platform/node.ts";

let shared: Platform | undefined;

/** The process-wide node: platform (one engine load per process). */
export function nodePlatform(): Platform {
  shared ??= createNodePlatform();
  return shared;
}

/** Opens the store of `options.project` (default: the current folder) or `options.root`. */
export function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  return openStoreWith(nodePlatform(), options);
}

/** `git:<first 12 hex of HEAD>` of the project at `projectRoot`, read from its .git files; else `mtime:<seconds>`. */
export function repoFingerprint(projectRoot: string): Promise<string> {
  return repoFingerprintWith(nodePlatform(), projectRoot);
}

/** The store's health: the checks of `tldrs doctor`, as data (see doctorWith). */
export function doctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  return doctorWith(nodePlatform(), options);
}
