/** The sha256 of bytes already in memory, as lowercase hex, by the platform's hasher. */
import type { Platform } from "./port.ts";

export function sha256Hex(platform: Platform, bytes: Uint8Array): string {
  const hasher = platform.createHasher();
  hasher.update(bytes);
  return hasher.digestHex();
}
