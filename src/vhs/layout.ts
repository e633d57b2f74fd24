/**
 * Where things live under the store folder, and the check that a folder we write into is
 * a real folder. Layout (DESIGN section 2): blobs/<h0h1>/<h2h3>/<hash>, tmp/ for uploads,
 * quarantine/ for blobs that failed verification.
 */
import { TldrsError, errnoCode } from "../errors.ts";
import { joinPath } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";

export interface VhsLayout {
  root: string;
  blobRoot: string;
  tmpDir: string;
  quarantineDir: string;
}

export function vhsLayout(root: string, blobRoot: string): VhsLayout {
  return { root, blobRoot, tmpDir: joinPath(root, "tmp"), quarantineDir: joinPath(root, "quarantine") };
}

export function blobDir(blobRoot: string, hash: string): string {
  return joinPath(blobRoot, hash.slice(0, 2), hash.slice(2, 4));
}

export function blobPath(blobRoot: string, hash: string): string {
  return joinPath(blobRoot, hash.slice(0, 2), hash.slice(2, 4), hash);
}

/**
 * Creates `path` (0755 under the umask) if missing and checks that it is a folder and not
 * a symbolic link: a link planted at tmp/ or blobs/<aa>/ would send our writes elsewhere.
 */
export async function ensureOwnDir(platform: Platform, path: string): Promise<void> {
  let mkdirError: unknown;
  try {
    await platform.mkdir(path, 0o755);
  } catch (err) {
    mkdirError = err; // judged below from what is there
  }
  let kind: string;
  try {
    kind = (await platform.stat(path)).kind;
  } catch (err) {
    const cause = mkdirError ?? err;
    throw new TldrsError("EIO", `Cannot create folder "${path}": ${(cause as Error).message}`, { path, cause, data: { errno: errnoCode(cause) } });
  }
  if (kind !== "dir") {
    const what = kind === "symlink" ? "a symbolic link" : "not a folder";
    throw new TldrsError("EIO", `Refusing to use "${path}": it is ${what}, and tldrs writes blobs only into real folders; remove it and retry`, { path, data: { kind } });
  }
}

/** The `ensureOwnDir` checks of one store, remembered so a put costs no extra calls. */
export class OwnDirs {
  private readonly checked = new Set<string>();
  constructor(private readonly platform: Platform) {}

  async ensure(...paths: string[]): Promise<void> {
    for (const path of paths) {
      if (this.checked.has(path)) continue;
      await ensureOwnDir(this.platform, path);
      this.checked.add(path);
    }
  }

  /** Forget a folder (another process may have removed it). */
  forget(path: string): void {
    this.checked.delete(path);
  }
}
