/**
 * Pushing one blob: skipped if the remote has an object of its length under its name (uploads
 * are idempotent: the name is the content), else read from the local store, verified as it is
 * read, and uploaded as the raw bytes, so that the object hashes to its own name. Up to one
 * part is held in memory: a blob of at most `partBytes` goes up in one PUT, a larger one as a
 * multipart upload of `partBytes` parts. The local read is verified before the last part is
 * sent, so a damaged local blob never completes an upload.
 */
import { TldrsError } from "../errors.ts";
import { formatRef } from "../ref.ts";
import type { VhsStore } from "../vhs/vhs_store.ts";
import type { Remote } from "./http.ts";
import { objectKey } from "./location.ts";
import { abortMultipart, completeMultipart, createMultipart, headObject, putObject, uploadPart, type UploadedPart } from "./objects.ts";
import type { ProgressCallback } from "./transfer.ts";

export type PushOutcome = "pushed" | "present" | "missing";

export async function pushBlob(remote: Remote, vhs: VhsStore, hash: string, onBytes?: ProgressCallback): Promise<PushOutcome> {
  const ref = formatRef(hash);
  const what = `Cannot push "${ref}" to "${remote.config.url}"`;
  const info = await vhs.info(ref);
  if (!info) return "missing";
  const key = objectKey(remote.config.location.prefix, hash);
  const there = await headObject(remote, key, what);
  if (there && there.size === info.size) return "present";
  const reader = (await vhs.getStream(ref)).getReader();
  try {
    const parts = partsOf(reader, remote.config.partBytes, info.size);
    if (info.size <= remote.config.partBytes) {
      const first = await parts.next();
      const body = first.done ? new Uint8Array(0) : first.value;
      if (!(await parts.next()).done) throw changedError(what, info.size); // (also where the read is verified)
      await putObject(remote, key, body, hash, what);
      onBytes?.(body.length);
    } else {
      await multipart(remote, key, parts, what, onBytes);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  return "pushed";
}

function changedError(what: string, size: number): TldrsError {
  return new TldrsError("EIO", `${what}: the local blob is no longer ${size} bytes long; run verify`);
}

async function multipart(remote: Remote, key: string, parts: AsyncGenerator<Uint8Array>, what: string, onBytes?: ProgressCallback): Promise<void> {
  const uploadId = await createMultipart(remote, key, what);
  const done: UploadedPart[] = [];
  const sha256 = (bytes: Uint8Array) => {
    const hasher = remote.platform.createHasher();
    hasher.update(bytes);
    return hasher.digestHex();
  };
  try {
    for (let n = 1; ; n++) {
      const next = await parts.next();
      if (next.done) break;
      // partsOf hands out the last part only after the read ended, which is when it is
      // verified (length and sha256): a damaged local blob never completes an upload.
      done.push(await uploadPart(remote, key, uploadId, n, next.value, sha256(next.value), what));
      onBytes?.(next.value.length);
    }
    await completeMultipart(remote, key, uploadId, done, what, sha256);
  } catch (err) {
    await abortMultipart(remote, key, uploadId, what);
    throw err;
  }
}

/** The stream's `size` bytes in buffers of `partBytes` (the last one shorter); one buffer in memory at a time. */
async function* partsOf(reader: ReadableStreamDefaultReader<Uint8Array>, partBytes: number, size: number): AsyncGenerator<Uint8Array> {
  let offset = 0;
  let buffer = new Uint8Array(Math.min(partBytes, size));
  let used = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let at = 0;
    while (at < value.length) {
      if (used === buffer.length) throw new RangeError("more bytes than the blob's size"); // checkedBytes stops this first
      const n = Math.min(value.length - at, buffer.length - used);
      buffer.set(value.subarray(at, at + n), used);
      used += n;
      at += n;
      if (used === buffer.length && offset + used < size) {
        yield buffer;
        offset += used;
        buffer = new Uint8Array(Math.min(partBytes, size - offset));
        used = 0;
      }
    }
  }
  if (used > 0 || size === 0) yield buffer.subarray(0, used);
}
