/**
 * Entry point for Node, Deno and Bun: binds the platform on node: built-ins.
 *
 *   import { openStore } from "tldrs";
 *   const store = await openStore({ project: "." });
 */
import { createNodePlatform } from "./platform/node.ts";
import type { Platform } from "./platform/port.ts";
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
