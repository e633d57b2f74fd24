/**
 * Pulling one blob: GET its object and store the bytes through the local put with
 * `expect: <its hash>`, so they are hashed as they stream to a temp file and placed only if
 * they hash to the name; otherwise the temp file is removed and nothing is cached. A download
 * that breaks or stalls midway is started again (bounded, with backoff).
 */
import { TldrsError, isTldrsError } from "../errors.ts";
import { formatRef } from "../ref.ts";
import type { VhsStore } from "../vhs/vhs_store.ts";
import { backoffMs, type Remote } from "./http.ts";
import { objectKey } from "./location.ts";
import { getObject } from "./objects.ts";
import { counted, type ProgressCallback } from "./transfer.ts";

export type PullOutcome = "pulled" | "present";

export async function pullBlob(remote: Remote, vhs: VhsStore, hash: string, onBytes?: ProgressCallback): Promise<PullOutcome> {
  if (await vhs.info(formatRef(hash))) return "present";
  await download(remote, vhs, hash, `Cannot pull "${formatRef(hash)}" from "${remote.config.url}"`, onBytes);
  return "pulled";
}

/** Stores the remote object of `hash` in `vhs`, verified; ENOTFOUND if the remote has none. */
export async function download(remote: Remote, vhs: VhsStore, hash: string, what: string, onBytes?: ProgressCallback): Promise<void> {
  const ref = formatRef(hash);
  const key = objectKey(remote.config.location.prefix, hash);
  for (let attempt = 0; ; attempt++) {
    const res = await getObject(remote, key, what);
    if (!res) throw new TldrsError("ENOTFOUND", `Blob "${ref}" not found: not in the local store, nor on remote "${remote.config.url}" (object "${key}")`, { ref });
    try {
      await vhs.put(counted(res.chunks(), onBytes), { expect: ref });
      return;
    } catch (err) {
      if (isTldrsError(err, "EINTEGRITY")) {
        throw new TldrsError("EINTEGRITY", `${what}: remote object "${key}" is not the blob it is named for (its content hashes to "${String(err.data?.["actual"])}"); nothing was stored; delete the object and push the blob again from a machine that has it`, {
          ref,
          ...(err.data ? { data: err.data } : {}),
        });
      }
      if (!isTldrsError(err, "EREMOTE") || !err.data?.["retryable"] || attempt >= remote.config.retries) throw err;
      await res.discard();
      await remote.platform.sleep(backoffMs(remote, attempt));
    }
  }
}
