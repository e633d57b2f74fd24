import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CACHE_FORMAT, SymbolCache, symbolCachePath } from "../../src/context/cache.ts";
import { ProjectIndex } from "../../src/context/project_index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { context, noStore, platform, project } from "./helpers.ts";

const FILES = {
  "a.py": "def a():\n    return b()\n",
  "b.py": "def b():\n    return 1\n",
  "c.ts": "export function c(): number { return 2; }\n",
};

async function build(dir: string, lang: "auto" | "python" = "auto"): Promise<{ index: ProjectIndex; cache: SymbolCache; warning: string | undefined }> {
  const cache = await SymbolCache.open(platform, symbolCachePath(join(dir, ".tldrs")));
  const index = await ProjectIndex.build(platform, dir, { cache, lang });
  const warning = await cache.save(lang !== "auto");
  return { index, cache, warning };
}

function cachedKeys(dir: string): string[] {
  const doc = JSON.parse(readFileSync(join(dir, ".tldrs/cache/context-symbols.json"), "utf8")) as { format: string; tables: Record<string, unknown> };
  expect(doc.format).toBe(CACHE_FORMAT);
  return Object.keys(doc.tables).sort();
}

describe("symbol cache", () => {
  it("is written under .tldrs/cache and makes the next run parse nothing", async () => {
    const dir = project(FILES);
    const first = await build(dir);
    expect(first.cache.misses).toBe(3);
    expect(first.warning).toBeUndefined();
    expect(cachedKeys(dir)).toHaveLength(3);
    const second = await build(dir);
    expect(second.cache.misses).toBe(0);
    expect(second.index.files.map((f) => [f.rel, f.symbols.map((s) => s.id)])).toEqual(first.index.files.map((f) => [f.rel, f.symbols.map((s) => s.id)]));
  });

  it("an edited file is parsed again; its old entry is dropped", async () => {
    const dir = project(FILES);
    await build(dir);
    const before = cachedKeys(dir);
    writeFileSync(join(dir, "b.py"), "def b():\n    return 2\n\ndef b2():\n    pass\n");
    const again = await build(dir);
    expect(again.cache.misses).toBe(1);
    expect(again.index.byName.has("b2")).toBe(true);
    const after = cachedKeys(dir);
    expect(after).toHaveLength(3);
    expect(after.filter((k) => !before.includes(k))).toHaveLength(1);
  });

  it("a run limited to one language keeps the other languages' tables", async () => {
    const dir = project(FILES);
    await build(dir);
    writeFileSync(join(dir, "a.py"), "def a():\n    return 0\n");
    await build(dir, "python");
    const keys = cachedKeys(dir);
    expect(keys.filter((k) => k.startsWith("typescript:"))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith("python:"))).toHaveLength(3);
  });

  it("a corrupt or foreign cache file is an empty cache, then replaced", async () => {
    const dir = project(FILES);
    mkdirSync(join(dir, ".tldrs/cache"), { recursive: true });
    writeFileSync(join(dir, ".tldrs/cache/context-symbols.json"), "{not json");
    const r = await build(dir);
    expect(r.cache.misses).toBe(3);
    expect(cachedKeys(dir)).toHaveLength(3);
    writeFileSync(join(dir, ".tldrs/cache/context-symbols.json"), JSON.stringify({ format: CACHE_FORMAT, version: -1, tables: {} }));
    expect((await build(dir)).cache.misses).toBe(3);
  });

  it("a cache that cannot be written is a warning, not a failure", async () => {
    const dir = project(FILES);
    // `.tldrs/cache` is a file: the cache folder cannot be made (works as root too, unlike chmod).
    mkdirSync(join(dir, ".tldrs"));
    writeFileSync(join(dir, ".tldrs/cache"), "not a folder");
    const r = await context(dir, "a", { cache: true }, noStore);
    expect(r.stdout).toContain("def a():");
    expect(r.warnings.join("\n")).toMatch(/symbol cache not written/);
    expect(readFileSync(join(dir, ".tldrs/cache"), "utf8")).toBe("not a folder");
  });

  it("runContext uses it by default and not with cache: false", async () => {
    const dir = project(FILES);
    await context(dir, "a", { cache: false }, noStore);
    expect(existsSync(join(dir, ".tldrs"))).toBe(false);
    const r = await context(dir, "a", { cache: true }, noStore);
    expect(r.warnings).toEqual([]);
    expect(existsSync(join(dir, ".tldrs/cache/context-symbols.json"))).toBe(true);
    expect((await context(dir, "a", { cache: true }, noStore)).stdout).toBe(r.stdout);
  });

  // The database's and the blobs' defences (issue 13): no link followed out of the store, no
  // blocking open, a size cap, temp files of killed writers swept.
  it("a cache file larger than the cap is not read (an empty cache), and a cache over it is not written", async () => {
    const dir = project(FILES);
    await build(dir);
    const path = symbolCachePath(join(dir, ".tldrs"));
    const size = readFileSync(path).length;
    const small = await SymbolCache.open(platform, path, { maxBytes: size - 1 });
    await ProjectIndex.build(platform, dir, { cache: small });
    expect(small.misses).toBe(3); // the file was not read
    expect(await small.save(false)).toMatch(/not written.*more than the \d+ it may hold/);
    expect(readFileSync(path).length).toBe(size);
    const enough = await SymbolCache.open(platform, path, { maxBytes: size });
    await ProjectIndex.build(platform, dir, { cache: enough });
    expect(enough.misses).toBe(0);
  });

  it("a cache/ that is a symlink is neither read nor written; the file outside stays as it was", async () => {
    const dir = project(FILES);
    await build(dir);
    const outside = tempDir();
    renameSync(join(dir, ".tldrs/cache"), join(outside, "cache"));
    symlinkSync(join(outside, "cache"), join(dir, ".tldrs/cache"));
    const before = readFileSync(join(outside, "cache/context-symbols.json"));
    const r = await build(dir);
    expect(r.cache.misses).toBe(3);
    expect(r.warning).toMatch(/symbolic link/);
    expect(readFileSync(join(outside, "cache/context-symbols.json")).equals(before)).toBe(true);
    expect(readdirSync(join(outside, "cache"))).toEqual(["context-symbols.json"]);
  });

  it("the temp files of killed writers are swept once an hour old; younger ones are left", async () => {
    const dir = project(FILES);
    await build(dir);
    const cacheDir = join(dir, ".tldrs/cache");
    const old = join(cacheDir, "context-symbols.json.tmp-0123456789ab");
    const young = join(cacheDir, "context-symbols.json.tmp-ba9876543210");
    const other = join(cacheDir, "someone-elses.tmp-0123456789ab");
    for (const f of [old, young, other]) writeFileSync(f, "partial");
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(old, hourAgo, hourAgo);
    utimesSync(other, hourAgo, hourAgo);
    writeFileSync(join(dir, "d.py"), "def d():\n    pass\n"); // something new to save
    await build(dir);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  // Stamps (size, mtime, inode): a warm run trusts an unchanged file's table without reading it.
  function countingPlatform(): { p: typeof platform; reads: string[] } {
    const reads: string[] = [];
    const source = (path: string) => /\.(py|ts)$/.test(path); // not .git/info/exclude or .gitignore
    return { p: { ...platform, readFile: (path: string) => (source(path) && reads.push(path.slice(path.lastIndexOf("/") + 1)), platform.readFile(path)) }, reads };
  }
  const hourAgo = () => new Date(Date.now() - 3600_000);

  it("stamps: a later run reads none of the files that kept their size, mtime and inode (when older than the cache)", async () => {
    const dir = project(FILES);
    for (const f of Object.keys(FILES)) utimesSync(join(dir, f), hourAgo(), hourAgo());
    await build(dir);
    const { p, reads } = countingPlatform();
    const cache = await SymbolCache.open(p, symbolCachePath(join(dir, ".tldrs")));
    const index = await ProjectIndex.build(p, dir, { cache });
    expect(reads).toEqual([]);
    expect(cache.misses).toBe(0);
    expect(index.files.map((f) => [f.rel, f.text])).toEqual([["a.py", undefined], ["b.py", undefined], ["c.ts", undefined]]);
    expect(await index.loadTexts(p, index.files.filter((f) => f.rel === "a.py"))).toBe(true);
    expect(index.byRel.get("a.py")!.text).toBe(FILES["a.py"]);
    expect(reads).toEqual(["a.py"]);
    // trustStamps: false reads everything
    reads.length = 0;
    await ProjectIndex.build(p, dir, { cache, trustStamps: false });
    expect(reads.sort()).toEqual(["a.py", "b.py", "c.ts"]);
  });

  it("stamps: a file changed within 2 s of the cache's writing is read (git's racy case); an edited one is read", async () => {
    const dir = project(FILES);
    await build(dir); // files just written: too recent to trust
    const { p, reads } = countingPlatform();
    await ProjectIndex.build(p, dir, { cache: await SymbolCache.open(p, symbolCachePath(join(dir, ".tldrs"))) });
    expect(reads.sort()).toEqual(["a.py", "b.py", "c.ts"]);
    for (const f of Object.keys(FILES)) utimesSync(join(dir, f), hourAgo(), hourAgo());
    await build(dir); // restamped
    writeFileSync(join(dir, "b.py"), "def b():\n    return 22\n");
    reads.length = 0;
    const cache = await SymbolCache.open(p, symbolCachePath(join(dir, ".tldrs")));
    await ProjectIndex.build(p, dir, { cache });
    expect(reads).toEqual(["b.py"]);
    expect(cache.misses).toBe(1);
  });

  it("stamps that lie (same size, mtime and inode, other bytes): the printed code is checked and the index rebuilt", async () => {
    const dir = project({ "a.py": "def a():\n    return b()\n", "b.py": "def b():\n    return 1\n" });
    for (const f of ["a.py", "b.py"]) utimesSync(join(dir, f), hourAgo(), hourAgo());
    await context(dir, "a", { cache: true, includeBody: true }, noStore);
    expect(JSON.parse(readFileSync(join(dir, ".tldrs/cache/context-symbols.json"), "utf8")).files["a.py"]).toHaveLength(4);
    const at = hourAgo();
    const st = statSync(join(dir, "a.py"));
    writeFileSync(join(dir, "a.py"), "def a():\n    return c()\n"); // same size, in place: same inode
    utimesSync(join(dir, "a.py"), st.atime, st.mtime);
    writeFileSync(join(dir, "c.py"), "def c():\n    return 3\n");
    utimesSync(join(dir, "c.py"), at, at);
    const r = await context(dir, "a", { cache: true, includeBody: true }, noStore);
    expect(r.stdout).toContain("return c()");
    expect(r.stdout).toContain("## c.py:c");
    expect(r.stdout).not.toContain("## b.py:b");
  });
});
