// PLACEHOLDER: replaced by the state implementation (issue 4).
import type { StateDb } from "../engine/state_db.ts";
import type { Platform } from "../platform/port.ts";
import type { StorePaths } from "../store.ts";
import type { VhsStore } from "../vhs/vhs_store.ts";

export class StateStore {
  constructor(
    readonly platform: Platform,
    readonly db: StateDb,
    readonly paths: StorePaths,
    readonly vhs: VhsStore,
  ) {}
}
