// Configuration: where the remote comes from (option over env, false for none), the AWS
// environment, the URL forms, and the checks on hostile values (more in the bad-input corpus).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveCredentials, resolveRemote } from "../../src/remote/config.ts";
import { checkBucket, checkEndpoint, checkPrefix, objectKey, objectUrl, parseRemoteUrl } from "../../src/remote/location.ts";
import { openStoreWith } from "../../src/store.ts";
import { tempDir } from "../helpers/tmp.ts";
import { platformWithEnv } from "./helpers.ts";

const H = "0123456789abcdef".repeat(4);

describe("remote URL and keys", () => {
  it("parses s3://bucket and s3://bucket/prefix, keys mirror the local layout", () => {
    expect(parseRemoteUrl("s3://team")).toEqual({ bucket: "team", prefix: "" });
    expect(parseRemoteUrl("s3://team/ci/run-1/")).toEqual({ bucket: "team", prefix: "ci/run-1" });
    expect(objectKey("ci", H)).toBe(`ci/blobs/01/23/${H}`);
    expect(objectKey("", H)).toBe(`blobs/01/23/${H}`);
  });

  it("addresses a custom endpoint path-style, AWS virtual-hosted (path-style for dotted buckets)", () => {
    expect(objectUrl({ endpoint: "http://127.0.0.1:9000", region: "us-east-1", bucket: "team" }, "k")).toBe("http://127.0.0.1:9000/team/k");
    expect(objectUrl({ endpoint: undefined, region: "eu-west-1", bucket: "team" }, "k")).toBe("https://team.s3.eu-west-1.amazonaws.com/k");
    expect(objectUrl({ endpoint: undefined, region: "eu-west-1", bucket: "my.team" }, "k")).toBe("https://s3.eu-west-1.amazonaws.com/my.team/k");
  });

  it("refuses hostile buckets, prefixes and endpoints", () => {
    for (const b of ["..", "a", "UPPER", "a..b", "a.-b", "-ab", "10.0.0.1", "a_b", "x".repeat(64)]) expect(() => checkBucket(b), b).toThrow(/Invalid remote bucket/);
    for (const p of ["../x", "a/../b", "a//b", "a/./b", "a b", "a\u0000b", "a\u202eb", "%2e%2e"]) expect(() => checkPrefix(p), p).toThrow(/Invalid remote prefix/);
    for (const e of ["ftp://h", "file:///etc/passwd", "javascript:alert(1)", "http://u:p@h", "http://h/?q", "http://h/#f", "http://h\n.evil", "not a url"]) {
      expect(() => checkEndpoint(e), e).toThrow(/Invalid remote endpoint/);
    }
    expect(checkEndpoint("https://acct.r2.cloudflarestorage.com/")).toBe("https://acct.r2.cloudflarestorage.com");
    expect(checkEndpoint("http://[::1]:9000/base")).toBe("http://[::1]:9000/base");
  });
});

describe("where the configuration comes from", () => {
  it("fills endpoint, region and credentials from the AWS environment; options win", () => {
    const platform = platformWithEnv({ AWS_ENDPOINT_URL: "http://generic:1", AWS_ENDPOINT_URL_S3: "http://s3only:2", AWS_DEFAULT_REGION: "eu-north-1" });
    expect(resolveRemote(platform, { url: "s3://team/ci" })).toMatchObject({ url: "s3://team/ci", endpoint: "http://s3only:2", region: "eu-north-1" });
    expect(resolveRemote(platform, { url: "s3://team/ci", endpoint: "http://mine:3", region: "auto" })).toMatchObject({ endpoint: "http://mine:3", region: "auto" });
    expect(resolveRemote(platformWithEnv({}), { url: "s3://team" })).toMatchObject({ endpoint: undefined, region: "us-east-1", partBytes: 8 << 20, retries: 4 });
    const creds = resolveCredentials(platformWithEnv({ AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }), undefined, "s3://team");
    expect(creds).toEqual({ accessKeyId: "id", secretAccessKey: "s", sessionToken: "t" });
  });

  it("option over TLDRS_REMOTE; remote: false turns a configured environment off", async () => {
    const env = { TLDRS_REMOTE: "s3://from-env/x", AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "s" };
    const root = join(tempDir(), ".tldrs");
    const fromEnv = await openStoreWith(platformWithEnv(env), { root });
    expect(fromEnv.remote?.url).toBe("s3://from-env/x");
    await fromEnv.close();
    const fromOption = await openStoreWith(platformWithEnv(env), { root, remote: "s3://from-option/y" });
    expect(fromOption.remote?.url).toBe("s3://from-option/y");
    expect(JSON.parse(JSON.stringify(fromOption.remote))).toEqual({ url: "s3://from-option/y", region: "us-east-1" });
    await fromOption.close();
    const off = await openStoreWith(platformWithEnv(env), { root, remote: false });
    expect(off.remote).toBeNull();
    await off.close();
  });

  it("a malformed explicit option fails openStore; a malformed TLDRS_REMOTE fails only the remote verbs", async () => {
    const root = join(tempDir(), ".tldrs");
    await expect(openStoreWith(platformWithEnv({}), { root, remote: "s3://team/../x" })).rejects.toMatchObject({ code: "EREMOTECONFIG" });
    const store = await openStoreWith(platformWithEnv({ TLDRS_REMOTE: "s3://team/../x" }), { root });
    try {
      const ref = await store.vhs.put("local work goes on\n");
      expect(await store.vhs.getText(ref)).toBe("local work goes on\n");
      await expect(store.remote!.push([ref])).rejects.toMatchObject({ code: "EREMOTECONFIG", message: expect.stringContaining("(from env TLDRS_REMOTE)") });
      await expect(store.vhs.has("vhs://" + H)).rejects.toMatchObject({ code: "EREMOTECONFIG" });
    } finally {
      await store.close();
    }
  });
});
