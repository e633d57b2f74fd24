/**
 * The file a put reads (`putFile`, and `tldrs vhs put FILE`): one policy for both. Only a
 * regular file is read: a symbolic link is refused (the caller names its target, so what is
 * stored is what was named), and so is anything that never ends or blocks (a character
 * device such as /dev/zero, a FIFO, a socket): stdin is the way to store a stream. Opened
 * without following a link and without blocking (O_NONBLOCK), then checked with fstat, so
 * the file checked is the file read.
 */
import { TldrsError, errnoCode, errnoReason } from "../errors.ts";
import type { Platform, ReadableFile } from "../platform/port.ts";
import { ioError } from "./io_error.ts";

export interface SourceFile {
  file: ReadableFile;
  size: number;
}

const KIND_NAMES: Record<string, string> = {
  dir: "a folder",
  fifo: "a FIFO",
  chardev: "a character device",
  other: "not a regular file",
};

export async function openSourceFile(platform: Platform, path: string): Promise<SourceFile> {
  let file: ReadableFile;
  try {
    file = await platform.openRead(path);
  } catch (err) {
    const code = errnoCode(err);
    const why = code === "ELOOP" ? "it is a symbolic link; pass the file it points to" : (errnoReason(code) ?? (err as Error).message);
    throw new TldrsError("EIO", `Cannot read "${path}": ${why}`, { path, cause: err, data: { errno: code } });
  }
  try {
    const st = await file.stat().catch((err: unknown) => {
      throw ioError(err, `Cannot read "${path}"`, path);
    });
    if (st.kind !== "file") {
      const what = KIND_NAMES[st.kind] ?? "not a regular file";
      throw new TldrsError("EIO", `Cannot read "${path}": it is ${what}, and only regular files are stored from a path; to store a stream, pipe it to stdin (tldrs vhs put -)`, { path, data: { kind: st.kind } });
    }
    return { file, size: st.size };
  } catch (err) {
    await file.close().catch(() => undefined);
    throw err;
  }
}
