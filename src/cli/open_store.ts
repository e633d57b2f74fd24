import { openStoreInternal, type Store } from "../store.ts";
import type { Args } from "./command.ts";
import { cliPlatform, engineFlag } from "./engine_flag.ts";
import type { CliIo } from "./io.ts";

export { cliEngine, cliPlatform } from "./engine_flag.ts";

/**
 * The store of `project` with this invocation's --engine. `oneOperation`: the store takes the
 * lock at its first write and keeps it until close, where sql.js flushes once (`tldrs context`).
 */
export function openCliStore(io: CliIo, project: string, args: Args, oneOperation = false): Promise<Store> {
  const engine = engineFlag(args);
  return openStoreInternal(
    cliPlatform(io),
    { project, ...(engine !== undefined ? { engine: engine as never } : {}) },
    { engineFrom: "--engine", holdLockUntilClose: oneOperation },
  );
}
