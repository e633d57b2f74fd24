/**
 * The S3 operations the remote needs, and nothing more: HEAD, GET and PUT of one object, and
 * a multipart upload (create, part, complete, abort) for objects larger than one part. Every
 * upload carries its sha256 twice: signed as x-amz-content-sha256 (the service recomputes it
 * and refuses a body changed on the way) and as x-amz-checksum-sha256 (stored with the object;
 * for multipart, per part).
 */
import { TldrsError } from "../errors.ts";
import { EMPTY_SHA256, remoteError, send, type Remote, type S3Response } from "./http.ts";

/** base64 of the bytes a hex string spells (the form checksum headers take). */
export function hexToBase64(hex: string): string {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(binary);
}

/** The object's length, or null if there is none. */
export async function headObject(remote: Remote, key: string, what: string): Promise<{ size: number } | null> {
  const res = await send(remote, { method: "HEAD", key, accept: [404] }, what);
  await res.discard();
  if (res.status === 404) return null;
  return { size: Number(res.headers.get("content-length") ?? NaN) };
}

/** The object's response (read its chunks), or null if there is none. */
export async function getObject(remote: Remote, key: string, what: string): Promise<S3Response | null> {
  const res = await send(remote, { method: "GET", key, accept: [404] }, what);
  if (res.status === 404) {
    await res.discard();
    return null;
  }
  return res;
}

export async function putObject(remote: Remote, key: string, body: Uint8Array, sha256: string, what: string): Promise<void> {
  const res = await send(remote, { method: "PUT", key, body, bodySha256: sha256, headers: { "content-type": "application/octet-stream", "x-amz-checksum-sha256": hexToBase64(sha256) } }, what);
  await res.discard();
}

async function xmlOf(res: S3Response): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.chunks()) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length > 1 << 20) break; // answers here are a few hundred bytes
  }
  return text;
}

export async function createMultipart(remote: Remote, key: string, what: string): Promise<string> {
  const res = await send(remote, { method: "POST", key, query: "uploads", headers: { "content-type": "application/octet-stream", "x-amz-checksum-algorithm": "SHA256" } }, what);
  const uploadId = /<UploadId>([^<]{1,1024})<\/UploadId>/.exec(await xmlOf(res))?.[1];
  if (!uploadId || /[\u0000-\u001f\u007f]/.test(uploadId)) throw remoteError("EREMOTE", what, `remote "${remote.config.url}" answered a multipart upload without an upload id`);
  return uploadId;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
  sha256: string;
}

export async function uploadPart(remote: Remote, key: string, uploadId: string, partNumber: number, body: Uint8Array, sha256: string, what: string): Promise<UploadedPart> {
  const query = `partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`;
  const res = await send(remote, { method: "PUT", key, query, body, bodySha256: sha256, headers: { "x-amz-checksum-sha256": hexToBase64(sha256) } }, what);
  await res.discard();
  const etag = res.headers.get("etag");
  if (!etag) throw remoteError("EREMOTE", what, `remote "${remote.config.url}" answered part ${partNumber} without an ETag`);
  return { partNumber, etag, sha256 };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export async function completeMultipart(remote: Remote, key: string, uploadId: string, parts: UploadedPart[], what: string, sha256: (bytes: Uint8Array) => string): Promise<void> {
  const xml =
    "<CompleteMultipartUpload>" +
    parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag><ChecksumSHA256>${hexToBase64(p.sha256)}</ChecksumSHA256></Part>`).join("") +
    "</CompleteMultipartUpload>";
  const body = new TextEncoder().encode(xml);
  const res = await send(remote, { method: "POST", key, query: `uploadId=${encodeURIComponent(uploadId)}`, body, bodySha256: sha256(body), headers: { "content-type": "application/xml" } }, what);
  // S3 may answer 200 and put the failure in the body (it already sent the status line).
  const answer = await xmlOf(res);
  if (/<Error>/.test(answer)) {
    const code = /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(answer)?.[1] ?? "";
    throw remoteError("EREMOTE", what, `remote "${remote.config.url}" failed to complete the multipart upload${code ? ` (${code})` : ""}; retry`, { s3Code: code });
  }
}

/** Best effort: an upload left open is only billed storage, and a lifecycle rule can expire it. */
export async function abortMultipart(remote: Remote, key: string, uploadId: string, what: string): Promise<void> {
  try {
    const res = await send(remote, { method: "DELETE", key, query: `uploadId=${encodeURIComponent(uploadId)}`, accept: [404], bodySha256: EMPTY_SHA256 }, what);
    await res.discard();
  } catch (err) {
    if (!(err instanceof TldrsError)) throw err;
  }
}
