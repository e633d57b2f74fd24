// PLACEHOLDER: replaced by the VHS implementation (issue 3).
import type { StateDb } from "../engine/state_db.ts";
import type { Platform } from "../platform/port.ts";
import type { StorePaths } from "../store.ts";

export class VhsStore {
  constructor(
    readonly platform: Platform,
    readonly db: StateDb,
    readonly paths: StorePaths,
  ) {}
  async close(): Promise<void> {}
}
