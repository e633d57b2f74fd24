/**
 * Temp files for uploads and downloads: unpredictable names, created exclusively
 * (O_CREAT|O_EXCL|O_NOFOLLOW), so nothing planted under a guessed name (a symlink, a
 * file) is ever opened or followed: a taken name is skipped and another drawn.
 */
import { errnoCode } from "../errors.ts";
import { randomHex } from "../file_ops.ts";
import { ioError } from "./io_error.ts";
import type { Platform, WritableFile } from "../platform/port.ts";

export interface TempFile {
  path: string;
  file: WritableFile;
}

/** Names already taken before giving up: 8 collisions of 64 random bits means something is wrong. */
const MAX_ATTEMPTS = 8;

/** Creates `<dir>/<prefix><random hex><suffix>` (0644 under the umask). */
export async function createTempFile(platform: Platform, dir: string, prefix: string, suffix = ""): Promise<TempFile> {
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const path = `${dir}/${prefix}${randomHex(platform, 8)}${suffix}`;
    try {
      return { path, file: await platform.createExclusive(path, 0o644) };
    } catch (err) {
      lastError = err;
      if (errnoCode(err) !== "EEXIST") break;
    }
  }
  throw ioError(lastError, `Cannot create a temp file in "${dir}"`, dir);
}
