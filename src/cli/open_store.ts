import { isTldrsError } from "../errors.ts";
import { parseRemoteUrl } from "../remote/location.ts";
import { openStoreInternal, type Store } from "../store.ts";
import type { Args } from "./command.ts";
import { cliPlatform, engineFlag } from "./engine_flag.ts";
import { UsageError } from "./errors.ts";
import type { CliIo } from "./io.ts";

export { cliEngine, cliPlatform } from "./engine_flag.ts";

/** --remote, checked as a usage error (exit 2); undefined: env TLDRS_REMOTE decides. */
function remoteFlag(args: Args): string | undefined {
  const remote = args["remote"];
  if (remote === undefined) return undefined;
  if (typeof remote !== "string" || remote === "") throw new UsageError("--remote needs an s3://<bucket>/<prefix> URL");
  try {
    parseRemoteUrl(remote);
  } catch (err) {
    throw isTldrsError(err, "EREMOTECONFIG") ? new UsageError(`--remote: ${err.message}`) : err;
  }
  return remote;
}

/**
 * The store of `project` with this invocation's --engine and --remote. `oneOperation`: the store
 * takes the lock at its first write and keeps it until close, where sql.js flushes once
 * (`tldrs context`). `root`: the store folder when the caller resolved it already.
 */
export function openCliStore(io: CliIo, project: string, args: Args, oneOperation = false, root?: string): Promise<Store> {
  const engine = engineFlag(args);
  const remote = remoteFlag(args);
  return openStoreInternal(
    cliPlatform(io),
    { ...(root !== undefined ? { root } : { project }), ...(engine !== undefined ? { engine: engine as never } : {}), ...(remote !== undefined ? { remote } : {}) },
    { engineFrom: "--engine", holdLockUntilClose: oneOperation },
  );
}
