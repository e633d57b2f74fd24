/**
 * File-system failures become TldrsError EIO naming the path and step; anything without an
 * errno code (a TldrsError already, a simulated crash in tests, a bug) passes unchanged.
 */
import { TldrsError, errnoCode, errnoReason } from "../errors.ts";

export function ioError(err: unknown, what: string, path: string, data: Record<string, unknown> = {}): unknown {
  if (err instanceof TldrsError) return err;
  const code = errnoCode(err);
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return err;
  // Its callers create files (a missing file to read is ENOTFOUND before it gets here): ENOENT is a missing folder.
  const why = errnoReason(code, "write") ?? (err as Error).message;
  return new TldrsError("EIO", `${what}: ${why}`, { path, cause: err, data: { ...data, errno: code } });
}
