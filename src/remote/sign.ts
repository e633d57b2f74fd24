/**
 * AWS Signature Version 4 for the remote's requests, by aws4fetch's AwsV4Signer (zero
 * dependencies, ~11 KB, WebCrypto and fetch types only: the same code on Node, Deno, Bun and
 * in a browser). Only the signer is used; retries, timeouts and streaming are ours (http.ts).
 * The signer is checked against the published SigV4 test vectors (test/remote/sigv4.test.ts).
 *
 * The credentials are captured in the closure returned here and go nowhere else.
 */
import { AwsV4Signer } from "aws4fetch";
import type { RemoteCredentials } from "./config.ts";

export interface SignInput {
  method: string;
  url: string;
  /** Header names in lowercase. S3 requests carry their own x-amz-content-sha256. */
  headers: Record<string, string>;
  region: string;
  /** Default "s3". */
  service?: string;
  /** `YYYYMMDDTHHMMSSZ`; default now. */
  datetime?: string;
  /** Sign every header, `range` included (aws4fetch leaves a few out by default). */
  allHeaders?: boolean;
}

export type Signer = (input: SignInput) => Promise<Headers>;

export function createSigner(credentials: RemoteCredentials): Signer {
  // The derived signing key depends on the day, region and service only: cached per signer.
  const cache = new Map<string, ArrayBuffer>();
  return async (input) => {
    const signer = new AwsV4Signer({
      method: input.method,
      url: input.url,
      headers: input.headers,
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      service: input.service ?? "s3",
      region: input.region,
      cache,
      ...(input.datetime ? { datetime: input.datetime } : {}),
      ...(input.allHeaders ? { allHeaders: true } : {}),
    });
    return (await signer.sign()).headers;
  };
}
