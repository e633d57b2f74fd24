// The signer (src/remote/sign.ts, aws4fetch's AwsV4Signer) against published AWS Signature
// Version 4 test vectors (sigv4_vectors.json says where each comes from). A local S3 test
// server does not check signatures, so this is where signing is proven.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSigner } from "../../src/remote/sign.ts";

interface Vector {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  region: string;
  service: string;
  datetime: string;
  allHeaders?: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  authorization: string;
}

const { cases } = JSON.parse(readFileSync(new URL("./sigv4_vectors.json", import.meta.url), "utf8")) as { cases: Vector[] };

describe("SigV4 test vectors", () => {
  it("uses a useful number of them", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  for (const v of cases) {
    it(v.name, async () => {
      const sign = createSigner(v.credentials);
      const headers = await sign({ method: v.method, url: v.url, headers: v.headers, region: v.region, service: v.service, datetime: v.datetime, ...(v.allHeaders ? { allHeaders: true } : {}) });
      expect(headers.get("authorization")).toBe(v.authorization);
      expect(headers.get("x-amz-date")).toBe(v.datetime);
      if (v.credentials.sessionToken) expect(headers.get("x-amz-security-token")).toBe(v.credentials.sessionToken);
    });
  }

  it("a different secret gives a different signature (the vectors are not passed by accident)", async () => {
    const v = cases[0]!;
    const sign = createSigner({ ...v.credentials, secretAccessKey: v.credentials.secretAccessKey + "x" });
    const headers = await sign({ method: v.method, url: v.url, headers: v.headers, region: v.region, service: v.service, datetime: v.datetime });
    expect(headers.get("authorization")).not.toBe(v.authorization);
  });
});
