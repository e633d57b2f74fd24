/**
 * A file named by an agent, opened only if it is a regular file inside the project and the
 * path leads nowhere else: no `..`, no absolute path outside the project, no symbolic link on
 * the way (inside the project or not: the agent names the file itself), no folder, device,
 * FIFO or socket. The hardening rule of the project: nothing is read outside what the user
 * named, and the user named the project (`--project`), not the agent's paths.
 *
 * Each component is checked with lstat from the project folder down, then the file is opened
 * O_NOFOLLOW|O_NONBLOCK (a FIFO cannot block the server) and must be the very file that was
 * checked (same device and inode), so a swap between the check and the open is refused too.
 */
import { UsageError } from "../cli/errors.ts";
import { errnoCode } from "../errors.ts";
import type { FileStat, Platform, ReadableFile } from "../platform/port.ts";

export interface ProjectFile {
  file: ReadableFile;
  size: number;
  /** Absolute path. */
  path: string;
}

export async function openProjectFile(platform: Platform, project: string, path: string): Promise<ProjectFile> {
  const refuse = (why: string) => new UsageError(`cannot store "${path}": ${why}`);
  if (path.includes("\0")) throw refuse("the path holds a NUL character");
  if (path.split(/[\\/]/).includes("..")) throw refuse('".." is not allowed; name the file by its path inside the project');
  const root = platform.resolve(project);
  const full = platform.resolve(root, path);
  if (full === root) throw refuse("it names the project folder itself; name a file");
  if (!full.startsWith(root.endsWith("/") ? root : `${root}/`)) throw refuse(`it is outside the project "${root}"`);

  const parts = full.slice(root.length).split("/").filter((p) => p !== "");
  let at = root;
  let st: FileStat | undefined;
  for (const [i, part] of parts.entries()) {
    at = `${at.endsWith("/") ? at : `${at}/`}${part}`;
    st = await platform.stat(at).catch((err: unknown) => {
      const code = errnoCode(err);
      if (code === "ENOENT") throw refuse("no such file");
      if (code === "ENOTDIR") throw refuse("a part of the path is not a folder");
      throw err;
    });
    const shownPart = parts.slice(0, i + 1).join("/");
    if (st.kind === "symlink") throw refuse(`"${shownPart}" is a symbolic link; name the file it points to, inside the project`);
    if (i < parts.length - 1 && st.kind !== "dir") throw refuse("a part of the path is not a folder");
  }
  // Only a regular file: a device or FIFO would never end or would block the server.
  if (st!.kind !== "file") throw refuse(st!.kind === "dir" ? "is a folder; name a file" : "is not a regular file (a device, FIFO or socket)");

  const file = await platform.openRead(full);
  try {
    const opened = await file.stat();
    if (opened.kind !== "file" || opened.dev !== st!.dev || opened.ino !== st!.ino) throw refuse("it changed while it was being opened; try again");
    return { file, size: opened.size, path: full };
  } catch (err) {
    await file.close().catch(() => undefined);
    throw err;
  }
}
