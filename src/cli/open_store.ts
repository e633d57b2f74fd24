import { createNodePlatform } from "../platform/node.ts";
import type { Platform } from "../platform/port.ts";
import { openStoreWith, type Store } from "../store.ts";
import { isTldrsError } from "../errors.ts";
import { parseRemoteUrl } from "../remote/location.ts";
import { UsageError } from "./errors.ts";
import type { CliIo } from "./io.ts";

let base: Platform | undefined;

/** The node platform with this invocation's env and cwd (in-process tests pass their own). */
export function cliPlatform(io: CliIo): Platform {
  base ??= createNodePlatform();
  return { ...base, env: (name) => io.env[name], cwd: () => io.cwd };
}

/** The store of `project`; `remote` is the --remote flag (env TLDRS_REMOTE when absent). */
export function openCliStore(io: CliIo, project: string, remote?: unknown): Promise<Store> {
  if (remote === undefined) return openStoreWith(cliPlatform(io), { project });
  if (typeof remote !== "string" || remote === "") throw new UsageError("--remote needs an s3://<bucket>/<prefix> URL");
  try {
    parseRemoteUrl(remote);
  } catch (err) {
    throw isTldrsError(err, "EREMOTECONFIG") ? new UsageError(`--remote: ${err.message}`) : err;
  }
  return openStoreWith(cliPlatform(io), { project, remote });
}
