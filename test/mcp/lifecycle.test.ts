// `tldrs mcp` spoken to line by line: nothing but protocol messages on stdout, and a clean
// stop, everything flushed, when stdin closes or a signal comes (a call in flight included).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock } from "../../src/engine/lock.ts";
import { createNodePlatform, openStore } from "../../src/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { RawServer, writeProject } from "./helpers.ts";

const platform = createNodePlatform();

function project(): string {
  const dir = tempDir("tldrs-mcp-raw-");
  writeProject(dir);
  return dir;
}

function resultText(response: Record<string, unknown>): string {
  const result = response["result"] as { content: Array<{ text: string }> };
  return result.content.map((c) => c.text).join("\n");
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("tldrs mcp over raw stdio", () => {
  it("writes nothing to stdout but JSON-RPC messages: through good calls, bad calls, garbage input and warnings", async () => {
    const dir = project();
    const server = new RawServer(dir);
    const init = await server.initialize();
    expect((init["result"] as { serverInfo: { name: string } }).serverInfo.name).toBe("tldrs");
    await server.request("tools/list");
    await server.callTool("context", { entry: "main" });
    await server.callTool("context", { entry: "main", budget: 1 }); // a warning: no room for any symbol
    await server.callTool("context", { entry: "nothing_here" });
    await server.callTool("vhs_put", { path: "../escape" });
    server.writeLine("this is not json");
    server.writeLine(JSON.stringify({ jsonrpc: "2.0", id: "x", method: "no/such/method" }));
    await server.callTool("no_such_tool", {});
    const put = await server.callTool("vhs_put", { text: "still serving" });
    expect(resultText(put)).toMatch(/^vhs:\/\/[0-9a-f]{64}$/);
    server.child.stdin.end();
    expect(await server.exited).toEqual({ code: 0, signal: null });

    expect(server.stdoutTail, "a partial line on stdout").toBe("");
    expect(server.stdoutLines.length).toBeGreaterThanOrEqual(9);
    for (const line of server.stdoutLines) {
      const message = JSON.parse(line) as Record<string, unknown>;
      expect(message["jsonrpc"], line).toBe("2.0");
      expect("result" in message || "error" in message || "method" in message, line).toBe(true);
    }
    // Errors went to the client as tool errors, not to a log.
    expect(server.stderr).toBe("");
  });

  it("stdin closed: answers, flushes the access times it holds, and exits 0", async () => {
    const dir = project();
    const setup = await openStore({ project: dir });
    const ref = await setup.vhs.put("read by the server");
    const before = (await setup.vhs.list())[0]!.lastAccessed;
    await setup.close();

    const server = new RawServer(dir);
    await server.initialize();
    await new Promise((r) => setTimeout(r, 5)); // a later access time than the put's
    expect(resultText(await server.callTool("vhs_get", { ref }))).toBe("read by the server");
    server.child.stdin.end();
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr).toBe("");

    const after = await openStore({ project: dir });
    try {
      // Reads keep their access time in memory (coalesced): only the shutdown wrote it.
      expect((await after.vhs.list())[0]!.lastAccessed > before).toBe(true);
    } finally {
      await after.close();
    }
  });

  it("SIGTERM with a call in flight: the call finishes, its writes are on disk, exit 0", async () => {
    const dir = project();
    const setup = await openStore({ project: dir });
    await setup.vhs.put("creates the store");
    await setup.close();
    const root = join(dir, ".tldrs");
    // Hold the store's write lock: the context call below indexes the project (its symbol
    // cache appears), then waits for the lock to open its session; the signal comes then.
    const lock = await acquireLock(platform, join(root, "tldrs_state.db.lock"));
    const server = new RawServer(dir);
    await server.initialize();
    void server.callTool("context", { entry: "main", session_id: "in-flight", output: "vhs" }); // its answer may not go out: the transport closes first
    await until("the context call to index the project", () => existsSync(join(root, "cache")) && readdirSync(join(root, "cache")).length > 0);
    await new Promise((r) => setTimeout(r, 100));
    server.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    await lock.release();
    const exit = await server.exited;
    expect(exit, server.stderr).toEqual({ code: 0, signal: null });
    expect(server.stderr).toBe("");

    // The call ran to its end after the signal: the session, its deliveries and the stored output.
    const after = await openStore({ project: dir });
    try {
      expect((await after.state.sessionStats("in-flight")).deliveryCount).toBe(3);
      const delivery = await after.state.getDelivery("in-flight", "pkg/app.py:main");
      expect(delivery?.representation).toBe("vhs_ref");
      expect(await after.vhs.getText(delivery!.vhsRef!)).toContain("return helper(2)");
    } finally {
      await after.close();
    }
  });
});
