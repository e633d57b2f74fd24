/**
 * Where things live under the store folder, and the checks that the folders on a blob's
 * path are real folders (store_folder.ts). Layout (DESIGN section 2):
 * blobs/<h0h1>/<h2h3>/<hash>, tmp/ for uploads, quarantine/ for blobs that failed verification.
 */
import { joinPath } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { ensureStoreFolder, storeFoldersExist } from "../store_folder.ts";
import { ensureStoreRoot } from "../store_marks.ts";

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
 * Throws if blobs/, blobs/<aa> or blobs/<aa>/<bb> of `hash` is a symbolic link (store_folder.ts):
 * every read, check and delete of a blob passes here before it touches the blob's path.
 * False if one of them is absent or not a folder: no blob file can be there.
 */
export function checkBlobFolders(platform: Platform, blobRoot: string, hash: string): Promise<boolean> {
  return storeFoldersExist(platform, blobRoot, joinPath(blobRoot, hash.slice(0, 2)), blobDir(blobRoot, hash));
}

/**
 * The `ensureStoreFolder` checks of one store, remembered so a put costs no extra calls; the
 * store folder itself (with its markers, store_marks.ts) is made before the first of them.
 */
export class OwnDirs {
  private readonly checked = new Set<string>();
  constructor(
    private readonly platform: Platform,
    private readonly root: string,
  ) {}

  async ensure(...paths: string[]): Promise<void> {
    if (!this.checked.has(this.root)) {
      await ensureStoreRoot(this.platform, this.root);
      this.checked.add(this.root);
    }
    for (const path of paths) {
      if (this.checked.has(path)) continue;
      await ensureStoreFolder(this.platform, path);
      this.checked.add(path);
    }
  }

  /** Forget a folder (another process may have removed it). */
  forget(path: string): void {
    this.checked.delete(path);
  }
}
