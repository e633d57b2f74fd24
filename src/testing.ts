/**
 * Test tools, for tests of code built on tldrs: `import { createFaultyPlatform } from "tldrs/testing"`.
 * Kept off the main entry so that the public API is the store's, not its test harness's.
 *
 *   createFaultyPlatform(base, plan)   a platform that fails or "crashes" at a chosen call
 *   CrashError                         what every call throws after a simulated crash
 *   createMemoryPlatform (from "tldrs" too)   files in memory, a clock and processes you set
 */
export { createFaultyPlatform, CrashError } from "./platform/faulty.ts";
export type { FaultPlan, FaultyPlatform, CallRecord } from "./platform/faulty.ts";
export { createMemoryPlatform } from "./platform/memory.ts";
export type { MemoryPlatformOptions } from "./platform/memory.ts";
