import { createNodePlatform } from "../platform/node.ts";
import type { Platform } from "../platform/port.ts";
import { openStoreWith, type Store } from "../store.ts";
import type { CliIo } from "./io.ts";

let base: Platform | undefined;

/** The node platform with this invocation's env and cwd (in-process tests pass their own). */
export function cliPlatform(io: CliIo): Platform {
  base ??= createNodePlatform();
  return { ...base, env: (name) => io.env[name], cwd: () => io.cwd };
}

export function openCliStore(io: CliIo, project: string): Promise<Store> {
  return openStoreWith(cliPlatform(io), { project });
}
