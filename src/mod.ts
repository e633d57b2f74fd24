/**
 * The runtime-neutral public API. It takes the platform as a value; `node.ts` binds the
 * implementation on node: built-ins (Node, Deno, Bun) and re-exports all of this.
 */
export { openStoreWith, resolveStoreRoot, STORE_DIRNAME, DB_FILENAME } from "./store.ts";
export type { OpenStoreOptions, Store, StorePaths } from "./store.ts";
export { TldrsError, isTldrsError, isArgumentError } from "./errors.ts";
export type { ErrorCode } from "./errors.ts";
export { StateDb } from "./engine/state_db.ts";
export type { StateDbOptions } from "./engine/state_db.ts";
export type { LockOptions } from "./engine/lock.ts";
export { SCHEMA_VERSION } from "./engine/schema.ts";
export { isoTimestamp, parseTimestamp } from "./engine/timestamp.ts";
export { VhsStore } from "./vhs/vhs_store.ts";
export { StateStore } from "./state/state_store.ts";
export type { Platform, FileStat, Hasher, ReadableFile, WritableFile } from "./platform/port.ts";
export { createMemoryPlatform } from "./platform/memory.ts";
export type { MemoryPlatformOptions } from "./platform/memory.ts";
export { createFaultyPlatform, CrashError } from "./platform/faulty.ts";
export type { FaultPlan, FaultyPlatform, CallRecord } from "./platform/faulty.ts";
export { createNobleHasher } from "./platform/noble_hasher.ts";
