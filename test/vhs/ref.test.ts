import { describe, expect, it } from "vitest";
import { isTldrsError } from "../../src/errors.ts";
import { createFaultyPlatform } from "../../src/platform/faulty.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { formatRef, parseRef } from "../../src/ref.ts";
import { openTestStore } from "./helpers.ts";

const HASH = "0123456789abcdef".repeat(4);

const BAD_REFS: Array<[string, string]> = [
  ["empty", ""],
  ["scheme only", "vhs://"],
  ["uppercase hex", HASH.toUpperCase()],
  ["uppercase in ref", `vhs://${HASH.slice(0, 63)}A`],
  ["uppercase scheme", `VHS://${HASH}`],
  ["short", HASH.slice(0, 63)],
  ["long", HASH + "0"],
  ["non-hex", HASH.slice(0, 63) + "g"],
  ["path traversal", "../" + HASH.slice(3)],
  ["traversal after scheme", "vhs://../../etc/passwd"],
  ["slash inside", HASH.slice(0, 32) + "/" + HASH.slice(33)],
  ["whitespace inside", HASH.slice(0, 32) + " " + HASH.slice(33)],
  ["leading space", " " + HASH],
  ["trailing newline", HASH + "\n"],
  ["scheme twice", `vhs://vhs://${HASH}`],
  ["single slash scheme", `vhs:/${HASH}`],
  ["other scheme", `sha256://${HASH}`],
  ["NUL byte", HASH.slice(0, 63) + "\0"],
  ["unicode digit", HASH.slice(0, 63) + "\u0661"],
  ["fullwidth a", HASH.slice(0, 63) + "\uff41"],
];

describe("parseRef", () => {
  it("accepts vhs://<hash> and the bare hash", () => {
    expect(parseRef(`vhs://${HASH}`)).toBe(HASH);
    expect(parseRef(HASH)).toBe(HASH);
    expect(formatRef(HASH)).toBe(`vhs://${HASH}`);
  });

  it.each(BAD_REFS)("refuses %s", (_name, ref) => {
    let caught: unknown;
    try {
      parseRef(ref);
    } catch (err) {
      caught = err;
    }
    expect(isTldrsError(caught, "EINVALIDREF")).toBe(true);
  });

  it("refuses non-strings with a TypeError", () => {
    expect(() => parseRef(42 as unknown as string)).toThrow(TypeError);
    expect(() => parseRef(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe("bad refs never reach the file system", () => {
  it.each(BAD_REFS)("%s: every verb fails with EINVALIDREF and makes no file call", async (_name, ref) => {
    const platform = createFaultyPlatform(createNodePlatform());
    const store = await openTestStore(undefined, platform);
    await store.vhs.put("warm up"); // folders exist, engine loaded
    platform.resetCount();
    const verbs: Array<() => Promise<unknown>> = [
      () => store.vhs.get(ref),
      () => store.vhs.getText(ref),
      () => store.vhs.getStream(ref),
      () => store.vhs.getToFile(ref, "/tmp/never-written"),
      () => store.vhs.has(ref),
      () => store.vhs.info(ref),
      () => store.vhs.delete(ref),
    ];
    for (const verb of verbs) {
      await expect(verb()).rejects.toMatchObject({ code: "EINVALIDREF" });
    }
    expect(platform.calls).toEqual([]);
    await store.close();
  });
});
