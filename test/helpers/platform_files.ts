/** Writing a test fixture through a Platform (memory or fault platforms have no node:fs). */
import type { Platform } from "../../src/platform/port.ts";
import { CrashError } from "../../src/platform/faulty.ts";

/** Creates `path` (exclusively) holding `data` (a string is UTF-8); `sync`: fsync before close. */
export async function writeFileVia(platform: Platform, path: string, data: Uint8Array | string, { sync = false } = {}): Promise<void> {
  const f = await platform.createExclusive(path);
  await f.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
  if (sync) await f.sync();
  await f.close();
}

/** A crash surfaces as CrashError, or wrapped (as the cause) by the engine that met it. */
export function isCrash(err: unknown): boolean {
  for (let e = err; e; e = (e as { cause?: unknown }).cause) if (e instanceof CrashError) return true;
  return false;
}
