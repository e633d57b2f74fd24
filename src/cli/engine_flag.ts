/**
 * The invocation's platform and its --engine flag. Kept apart from open_store.ts, which loads the
 * stores and both engines' modules: `tldrs --version` needs only to say which engine would run.
 */
import { chooseEngine, engineRequest, type ChosenEngine } from "../engine/choice.ts";
import { createNodePlatform } from "../platform/node.ts";
import type { Platform } from "../platform/port.ts";
import type { Args } from "./command.ts";
import { UsageError } from "./errors.ts";
import type { CliIo } from "./io.ts";

let base: Platform | undefined;

/** The node platform with this invocation's env and cwd (in-process tests pass their own). */
export function cliPlatform(io: CliIo): Platform {
  base ??= createNodePlatform();
  return { ...base, env: (name) => io.env[name], cwd: () => io.cwd };
}

/** The --engine flag as given (undefined if absent); given twice is a usage error. */
export function engineFlag(args: Args): unknown {
  const value = args["engine"];
  if (Array.isArray(value)) throw new UsageError("--engine is given more than once");
  return value;
}

/** Which engine this invocation runs, and why (flag > env TLDRS_ENGINE > auto): probed, not loaded. */
export function cliEngine(io: CliIo, args: Args): Promise<ChosenEngine> {
  const platform = cliPlatform(io);
  return chooseEngine(platform, engineRequest(platform, engineFlag(args), "--engine"));
}
