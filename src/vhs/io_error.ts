/**
 * File-system failures become TldrsError EIO naming the path and step; anything without an
 * errno code (a TldrsError already, a simulated crash in tests, a bug) passes unchanged.
 */
import { TldrsError, errnoCode } from "../errors.ts";

export function ioError(err: unknown, what: string, path: string, data: Record<string, unknown> = {}): unknown {
  if (err instanceof TldrsError) return err;
  const code = errnoCode(err);
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return err;
  const why = code === "ENOSPC" ? "the disk is full" : code === "EDQUOT" ? "the disk quota is exceeded" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOENT" ? "its folder does not exist" : code === "ENOTDIR" ? "a part of the path is not a folder" : code === "EROFS" ? "read-only file system" : (err as Error).message;
  return new TldrsError("EIO", `${what}: ${why}`, { path, cause: err, data: { ...data, errno: code } });
}
