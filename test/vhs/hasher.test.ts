import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createNodePlatform } from "../../src/platform/node.ts";
import { createNobleHasher } from "../../src/platform/noble_hasher.ts";
import { bytesOf } from "./helpers.ts";

describe("hashers", () => {
  it("node:crypto and @noble/hashes give equal digests for the same bytes in odd chunk sizes", () => {
    const platform = createNodePlatform();
    for (const size of [0, 1, 55, 56, 63, 64, 65, 1000, 65_536, 1_000_003]) {
      const data = bytesOf(size, size);
      const expected = createHash("sha256").update(data).digest("hex");
      for (const chunk of [1, 3, 63, 64, 65, 4095, 65_537]) {
        if (size > 100_000 && chunk < 4095) continue; // keep the run short
        const native = platform.createHasher();
        const noble = createNobleHasher();
        for (let at = 0; at < size; at += chunk) {
          native.update(data.subarray(at, at + chunk));
          noble.update(data.subarray(at, at + chunk));
        }
        expect(native.digestHex()).toBe(expected);
        expect(noble.digestHex()).toBe(expected);
      }
    }
  });
});
