// Where the CLI keeps Node's compile cache: the user's own cache folder, never a shared one,
// and only a folder that no one else can write to (V8 trusts what it reads there).
import { chmodSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileCacheDir, isPrivateFolder } from "../../src/cli/compile_cache.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("the compile cache's folder", () => {
  it("is in the user's cache folder for each platform, and nowhere without a home", () => {
    expect(compileCacheDir({}, "linux", "/home/u")).toBe("/home/u/.cache/tldrs/node-compile-cache");
    expect(compileCacheDir({ XDG_CACHE_HOME: "/x/cache" }, "linux", "/home/u")).toBe("/x/cache/tldrs/node-compile-cache");
    expect(compileCacheDir({ XDG_CACHE_HOME: "relative" }, "linux", "/home/u")).toBe("/home/u/.cache/tldrs/node-compile-cache");
    expect(compileCacheDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/tldrs/node-compile-cache");
    expect(compileCacheDir({}, "linux", "")).toBeUndefined();
    expect(compileCacheDir({}, "linux", "relative/home")).toBeUndefined();
    expect(compileCacheDir({}, "win32", "C:\\Users\\u")).toBeUndefined();
  });

  it("is used only if it is a real folder of this user that others cannot write to", () => {
    const dir = tempDir();
    expect(isPrivateFolder(join(dir, "a", "cache"))).toBe(true);
    const open = join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(isPrivateFolder(open)).toBe(false);
    symlinkSync(join(dir, "a", "cache"), join(dir, "link"));
    expect(isPrivateFolder(join(dir, "link"))).toBe(false);
  });
});
