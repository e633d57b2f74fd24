/**
 * The runtime-neutral public API. It takes the platform as a value; `node.ts` binds the
 * implementation on node: built-ins (Node, Deno, Bun) and re-exports all of this.
 */
export { openStoreWith, resolveStoreRoot, STORE_DIRNAME, DB_FILENAME } from "./store.ts";
export type { OpenStoreOptions, Store, StorePaths } from "./store.ts";
export { TldrsError, isTldrsError, isArgumentError } from "./errors.ts";
export type { ErrorCode } from "./errors.ts";
export type { LockOptions } from "./engine/lock.ts";
export type { EngineChoice, EngineInfo } from "./engine/choice.ts";
export { SCHEMA_VERSION } from "./engine/schema.ts";
export { isoTimestamp, parseTimestamp } from "./engine/timestamp.ts";
export { VhsStore } from "./vhs/vhs_store.ts";
export type { PutOptions } from "./vhs/put.ts";
export type { BlobInfo, ReadThrough } from "./vhs/context.ts";
export type { ListOptions, VhsStats } from "./vhs/list.ts";
// The shared blob tier on S3-compatible object storage (issue 19).
export { VhsRemote } from "./remote/remote.ts";
export type { PushOptions, PullOptions, PushReport, PullReport } from "./remote/remote.ts";
export type { RemoteOptions, RemoteCredentials } from "./remote/config.ts";
export type { PutData } from "./vhs/source.ts";
export type { GcOptions, GcReport, GcVictim } from "./vhs/gc.ts";
export type { VerifyOptions, VerifyReport } from "./vhs/verify.ts";
export { parseRef, formatRef, VHS_SCHEME } from "./ref.ts";
export { StateStore } from "./state/state_store.ts";
export type { OpenSessionOptions, DefaultSessionOptions, CleanupOptions, SessionDelivery } from "./state/state_store.ts";
export type { OpenedSession, FingerprintDrift, SessionInfo, SessionStats } from "./state/sessions.ts";
export type { Delivery, DeliveryInput } from "./state/deliveries.ts";
export type { DeltaResult } from "./state/delta.ts";
export type { CleanupResult } from "./state/cleanup.ts";
export { REPRESENTATIONS, isRepresentation } from "./state/representation.ts";
export type { Representation } from "./state/representation.ts";
export { DEFAULT_SESSION_FILE } from "./state/default_session.ts";
export { repoFingerprint as repoFingerprintWith } from "./state/fingerprint.ts";
export type { Platform, FileStat, Hasher, ReadableFile, WritableFile } from "./platform/port.ts";
export { createMemoryPlatform } from "./platform/memory.ts";
export type { MemoryPlatformOptions } from "./platform/memory.ts";
export { createNobleHasher } from "./platform/noble_hasher.ts";
// The store's health (issue 17): the checks behind `tldrs doctor`.
export { doctorWith } from "./doctor.ts";
export type { DoctorOptions, DoctorReport, DoctorFinding, Severity } from "./doctor.ts";
// tldrs context (issue 7): code context for an entry symbol, parsed in WASM, with delta sessions.
export { runContext, DEFAULT_DEPTH, DEFAULT_BUDGET, ZOOM_LEVELS } from "./context/run_context.ts";
export type { RunContextOptions, RunContextResult, ContextDeltaStats, ZoomLevel } from "./context/run_context.ts";
export type { IndexProgress } from "./context/project_index.ts";
export type { ContextStore, ContextDelivery, OpenedContextSession } from "./context/store_port.ts";
export type { ContextFormat, ContextSymbol } from "./context/render.ts";
export { LANGUAGES } from "./context/languages.ts";
export type { LanguageId } from "./context/languages.ts";
