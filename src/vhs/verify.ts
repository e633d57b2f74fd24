/**
 * verify: reconciles blob files and rows, reading every blob. Each finding names what
 * `repair` does about it:
 *   missingFiles   rows whose file is gone            -> row deleted
 *   orphans        files without a row, content valid -> row restored (adopted)
 *   wrongSizes     row's size, stored_size or compression disagree with the file -> row corrected
 *   corrupt        content does not hash to its name  -> file moved to quarantine/, row deleted,
 *                  so a later put of the same content stores it afresh
 *   staleUploads   tmp/upload-* untouched for an hour -> deleted
 *   strays         other names under blobs/           -> reported only (not ours to judge)
 */
import { errnoCode } from "../errors.ts";
import { isoTimestamp } from "../engine/timestamp.ts";
import { joinPath } from "../platform/path.ts";
import { optionalBoolean, readOptions } from "../options.ts";
import { guarded, type VhsContext, writeWithAccesses } from "./context.ts";
import { type BlobFacts, identifyBlobFile } from "./identify.ts";
import { blobPath } from "./layout.ts";
import { ensureStoreFolder } from "../store_folder.ts";
import { correctObject, deleteObject, insertObjectIfAbsent, type NewObject, selectAll } from "./objects_table.ts";
import { formatRef } from "../ref.ts";
import { removeFiles } from "../stale_files.ts";
import { findStaleUploads } from "./sweep.ts";
import { randomHex } from "../file_ops.ts";
import { walkBlobs } from "./walk.ts";

export interface VerifyOptions {
  /** Fix what can be fixed (see the report fields). Default false: report only. */
  repair?: boolean;
}

export interface VerifyReport {
  repair: boolean;
  /** Blob files read and checked. */
  checked: number;
  /** Files whose content and row are both right. */
  ok: number;
  /** Hashes of rows without a file. */
  missingFiles: string[];
  /** Hashes of valid files without a row. */
  orphans: string[];
  /** Hashes of valid files whose row has wrong numbers. */
  wrongSizes: string[];
  /** Hashes of files whose content does not match their name. */
  corrupt: string[];
  /** Paths of stale uploads in tmp/. */
  staleUploads: string[];
  /** Paths under blobs/ that are not blob files (never touched). */
  strays: string[];
  /** Where corrupt files were moved (repair only). */
  quarantined: string[];
  /** Findings fixed, one per row dropped, restored or corrected, file quarantined or upload removed (0 without repair). */
  repaired: number;
}

/** Reads every blob and reconciles files and rows; `repair` fixes what it can. */
export async function verify(ctx: VhsContext, options?: VerifyOptions): Promise<VerifyReport> {
  const opts = readOptions("options", options, ["repair"]);
  const repair = optionalBoolean("options.repair", opts["repair"]);
  return guarded("Cannot run verify", () => runVerify(ctx, repair !== undefined ? { repair } : {}));
}

async function runVerify(ctx: VhsContext, options: VerifyOptions): Promise<VerifyReport> {
  const { platform, layout } = ctx;
  const repair = options.repair === true;
  const report: VerifyReport = {
    repair, checked: 0, ok: 0, missingFiles: [], orphans: [], wrongSizes: [], corrupt: [], staleUploads: [], strays: [], quarantined: [], repaired: 0,
  };

  const walk = await walkBlobs(platform, layout.blobRoot);
  report.strays = walk.strays;
  const rows = new Map((await ctx.db.read(selectAll)).map((r) => [r.hash, r]));
  const adopt: NewObject[] = [];
  const corrections: Array<{ hash: string; facts: BlobFacts }> = [];
  const corruptPaths = new Map<string, string>();

  for (const [hash, path] of walk.blobs) {
    const found = await identifyBlobFile(platform, path, hash, formatRef(hash)).catch((err: unknown) => {
      // A symlink or folder at a blob name: damage like a wrong hash.
      if ((err as { code?: string }).code === "EINTEGRITY") return { kind: "corrupt" as const, fileSize: 0, mtimeMs: 0 };
      throw err;
    });
    if (found.kind === "missing") continue; // deleted while we walked
    report.checked++;
    const row = rows.get(hash);
    if (found.kind === "corrupt") {
      report.corrupt.push(hash);
      corruptPaths.set(hash, path);
    } else if (!row) {
      report.orphans.push(hash);
      const at = isoTimestamp(found.mtimeMs);
      adopt.push({ hash, ...found.facts, createdAt: at, lastAccessed: at });
    } else if (row.size !== found.facts.size || row.storedSize !== found.facts.storedSize || row.compression !== found.facts.compression) {
      report.wrongSizes.push(hash);
      corrections.push({ hash, facts: found.facts });
    } else {
      report.ok++;
    }
  }
  for (const hash of rows.keys()) {
    if (!walk.blobs.has(hash)) report.missingFiles.push(hash);
  }
  report.staleUploads = await findStaleUploads(platform, layout.tmpDir);
  if (!repair) return report;

  for (const [hash, path] of corruptPaths) {
    await ensureStoreFolder(platform, layout.quarantineDir);
    const target = joinPath(layout.quarantineDir, `${hash}.${randomHex(platform, 4)}`);
    try {
      await platform.rename(path, target);
      report.quarantined.push(target);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
  }
  // A file that came back since the walk (a put healing it) keeps its row.
  const stillMissing: string[] = [];
  for (const hash of report.missingFiles) {
    const path = blobPath(layout.blobRoot, hash);
    try {
      await platform.stat(path);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") stillMissing.push(hash);
      else throw err;
    }
  }
  const changed = await writeWithAccesses(ctx, (db) => {
    let n = 0;
    for (const hash of stillMissing) n += deleteObject(db, hash) ? 1 : 0;
    for (const hash of corruptPaths.keys()) deleteObject(db, hash);
    for (const o of adopt) n += insertObjectIfAbsent(db, o) ? 1 : 0;
    for (const c of corrections) {
      correctObject(db, c.hash, c.facts);
      n++;
    }
    return n;
  });
  for (const hash of [...stillMissing, ...corruptPaths.keys()]) ctx.accesses.forget(hash);
  const swept = await removeFiles(platform, report.staleUploads);
  report.repaired = changed + report.quarantined.length + swept.length;
  return report;
}
