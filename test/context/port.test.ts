import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runContext } from "../../src/context/run_context.ts";
import { createMemoryPlatform } from "../../src/platform/memory.ts";
import type { Platform } from "../../src/platform/port.ts";
import { noStore } from "./helpers.ts";
import { writeFileVia } from "../helpers/platform_files.ts";

async function writeProjectFile(platform: Platform, path: string, text: string): Promise<void> {
  await platform.mkdir(path.slice(0, path.lastIndexOf("/")));
  await writeFileVia(platform, path, text);
}

describe("runtime neutrality", () => {
  it("runs on the in-memory platform: every file and wasm read goes through the port", async () => {
    const urls: string[] = [];
    const platform = createMemoryPlatform({
      readUrl: async (url) => {
        urls.push(url.href);
        return new Uint8Array(readFileSync(url));
      },
    });
    await writeProjectFile(platform, "/proj/src/a.py", "def a():\n    return b()\n");
    await writeProjectFile(platform, "/proj/src/b.py", "def b():\n    return 1\n");
    await writeProjectFile(platform, "/proj/node_modules/x/c.py", "def b():\n    return 2\n");
    const r = await runContext(platform, { entry: "a", project: "/proj", format: "json" }, noStore);
    const doc = JSON.parse(r.stdout) as { symbols: { id: string }[] };
    expect(doc.symbols.map((s) => s.id)).toEqual(["src/a.py:a", "src/b.py:b"]);
    expect(r.warnings).toEqual([]);
    // The symbol cache went to the memory file system too.
    expect((await platform.stat("/proj/.tldrs/cache/context-symbols.json")).kind).toBe("file");
    // The engine and only the grammar it needed, each read once (vitest isolates module state per file).
    expect(urls.map((u) => u.slice(u.lastIndexOf("/") + 1))).toEqual(["tree-sitter.wasm", "tree-sitter-python.wasm"]);
  });
});
