/**
 * The paths of one store folder, computed once where the store is opened and handed to the
 * stores below (kept out of store.ts: the stores import this, store.ts imports the stores).
 */
import { joinPath } from "./platform/path.ts";
import { DB_FILENAME } from "./store_root.ts";

export interface StorePaths {
  /** Absolute path of the store folder (`.tldrs`). */
  root: string;
  /** `<root>/tldrs_state.db` */
  dbPath: string;
  /** `<root>/blobs` */
  blobRoot: string;
}

/** The paths of the store folder `root` (absolute). */
export function storePaths(root: string): StorePaths {
  return { root, dbPath: joinPath(root, DB_FILENAME), blobRoot: joinPath(root, "blobs") };
}
