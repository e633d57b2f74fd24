/**
 * Which engine runs, and why: `engine` "auto" (the default) picks the runtime's own SQLite
 * where the platform offers one, sql.js elsewhere; "native" where there is none is an error,
 * never a silent fallback; "sqljs" always works.
 *
 * The request comes from, in this order: an explicit value (the `engine` option of openStore,
 * `--engine` on the command line), env TLDRS_ENGINE, the default "auto". Loading this module
 * loads no engine: `tldrs --version` uses it to say which engine would run.
 */
import { argRangeError, TldrsError } from "../errors.ts";
import type { NativeSqlite, Platform } from "../platform/port.ts";
import { SQLJS_VERSION } from "./sqljs_version.ts";

export const ENGINE_CHOICES = ["auto", "sqljs", "native"] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];
export type EngineName = Exclude<EngineChoice, "auto">;
export const ENGINE_ENV = "TLDRS_ENGINE";

/** What runs underneath a store, for `tldrs doctor`, `--version` and `Store.engine`. */
export interface EngineInfo {
  name: EngineName;
  /** "sql.js", "node:sqlite" or "bun:sqlite". */
  module: string;
  /** The sql.js release, or the SQLite library version of the native module. */
  version: string;
  /** Why this engine: "the runtime has it", "chosen by TLDRS_ENGINE", "Node v20.20.2 has no node:sqlite ...". */
  reason: string;
  /** One line: `native (node:sqlite, SQLite 3.53.4): the runtime has it`. */
  description: string;
}

/** Where a request came from, as the messages name it. */
export interface EngineRequest {
  choice: EngineChoice;
  /** "the engine option", "--engine", "TLDRS_ENGINE", or "default". */
  from: string;
}

/**
 * The requested engine: `explicit` if given (named `name` in errors), else env TLDRS_ENGINE if
 * set, else "auto". An unknown value is a RangeError naming where it came from and the value.
 */
export function engineRequest(platform: Platform, explicit: unknown, name = "the engine option"): EngineRequest {
  if (explicit !== undefined) return { choice: checkChoice(name, explicit), from: name };
  const env = readEnv(platform, ENGINE_ENV);
  if (env !== undefined && env !== "") return { choice: checkChoice(ENGINE_ENV, env), from: ENGINE_ENV };
  return { choice: "auto", from: "default" };
}

/**
 * The variable, or undefined if unset or not readable: Deno run with `--allow-env=TLDRS_VHS_HOME`
 * (as tldrs 0.1.0 documented) refuses the read, and such scripts must go on working ("auto").
 */
function readEnv(platform: Platform, name: string): string | undefined {
  try {
    return platform.env(name);
  } catch {
    return undefined;
  }
}

function checkChoice(name: string, value: unknown): EngineChoice {
  if (typeof value === "string" && (ENGINE_CHOICES as readonly string[]).includes(value)) return value as EngineChoice;
  throw argRangeError(name, `one of ${ENGINE_CHOICES.map((c) => `"${c}"`).join(", ")}`, value);
}

export type ChosenEngine = { name: "native"; sqlite: NativeSqlite; info: EngineInfo } | { name: "sqljs"; info: EngineInfo };

/** Resolves a request against what the platform offers. Loads no engine (only probes the native module). */
export async function chooseEngine(platform: Platform, request: EngineRequest): Promise<ChosenEngine> {
  const chosenBy = request.from === "default" ? undefined : `chosen by ${request.from}`;
  if (request.choice !== "sqljs") {
    const probe = platform.nativeSqlite ? await platform.nativeSqlite() : { available: false as const, reason: `the "${platform.runtime}" platform offers no native SQLite` };
    if (probe.available) {
      const { module, sqliteVersion } = probe.sqlite;
      const reason = request.choice === "native" && chosenBy ? chosenBy : "the runtime has it";
      return { name: "native", sqlite: probe.sqlite, info: info("native", module, sqliteVersion, reason, `native (${module}, SQLite ${sqliteVersion})`) };
    }
    if (request.choice === "native") {
      throw new TldrsError("EENGINE", `The native engine was asked for (${chosenBy ?? "native"}) but is not available: ${probe.reason}; use engine "auto" or "sqljs"`, {
        data: { reason: probe.reason, from: request.from },
      });
    }
    return { name: "sqljs", info: info("sqljs", "sql.js", SQLJS_VERSION, probe.reason, `sql.js ${SQLJS_VERSION}`) };
  }
  return { name: "sqljs", info: info("sqljs", "sql.js", SQLJS_VERSION, chosenBy ?? "chosen", `sql.js ${SQLJS_VERSION}`) };
}

function info(name: EngineName, module: string, version: string, reason: string, title: string): EngineInfo {
  return { name, module, version, reason, description: `${title}: ${reason}` };
}
