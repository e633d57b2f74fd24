// `tldrs mcp` spawned on Node (the machine's, and 22, 24 and 26 from the registry), Deno and
// Bun, each driven by the SDK's client: tools listed, each called, UNCHANGED on a repeat.
import { describe, expect, it } from "vitest";
import { installedNodes, missingNodes } from "../helpers/node_builds.ts";
import { tempDir } from "../helpers/tmp.ts";
import { RUNTIMES } from "../runtimes/helpers.ts";
import { call, connect, writeProject, type Launch } from "./helpers.ts";

async function exercise(launch: Launch): Promise<void> {
  const dir = tempDir("tldrs-mcp-rt-");
  writeProject(dir);
  const s = await connect(dir, launch);
  try {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["context", "vhs_put", "vhs_get", "vhs_info", "session_stats"]);
    const ref = await call(s, "vhs_put", { path: "notes.txt" });
    expect(await call(s, "vhs_get", { ref })).toBe("notes of the project\n");
    expect(JSON.parse(await call(s, "vhs_info", { ref }))).toMatchObject({ size: 21 });
    expect(await call(s, "context", { entry: "main", include_body: true })).toContain("return util(x) + 1");
    expect(await call(s, "context", { entry: "main", include_body: true })).toMatch(/^# Delta: 3 unchanged, 0 changed/);
    expect(JSON.parse(await call(s, "session_stats", {}))).toMatchObject({ deliveries: 3, unchanged_hits: 3 });
    const bad = await s.client.callTool({ name: "vhs_get", arguments: { ref: "nope" } });
    expect(bad.isError).toBe(true);
    expect(s.clientErrors).toEqual([]);
    expect(s.stderr()).toBe("");
  } finally {
    await s.close();
  }
}

describe("tldrs mcp on each runtime", () => {
  it.each(RUNTIMES.map((r) => [r] as const))("%s", async (runtime) => {
    await exercise({ runtime });
  });

  it("node 22, 24 and 26", async (t) => {
    const missing = missingNodes();
    if (missing) t.skip(missing);
    for (const node of installedNodes()) await exercise({ node: node.executable });
  });
});
