/**
 * `tldrs mcp` as a child process (the built dist/cli/bin.js, as agents run it), driven by the
 * official SDK's own client over stdio; and, for what the SDK client hides (every byte of
 * stdout, the exit status), the same process spoken to line by line.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { childEnv, commandFor, ROOT, type RuntimeName } from "../runtimes/helpers.ts";

export const BIN = join(ROOT, "dist/cli/bin.js");
/** What `deno run` needs for `tldrs mcp` (as for the CLI: its argument parser reads the environment). */
export const DENO_MCP = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=hostname", "--allow-run"];

export interface Launch {
  runtime?: RuntimeName;
  /** A Node executable other than the one running the tests. */
  node?: string;
  /** Another tldrs binary (an installed package's) than this checkout's dist/cli/bin.js. */
  bin?: string;
}

export function mcpCommand(project: string, launch: Launch = {}): [string, string[]] {
  const args = ["mcp", "--project", project];
  const bin = launch.bin ?? BIN;
  if (launch.node) return [launch.node, [bin, ...args]];
  return commandFor(launch.runtime ?? "node", bin, args, DENO_MCP);
}

function plainEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(childEnv()).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface McpSession {
  client: Client;
  pid: number;
  stderr(): string;
  /** Errors the client reported (a line on stdout that is not a protocol message would be one). */
  clientErrors: Error[];
  close(): Promise<void>;
}

/** Starts `tldrs mcp --project <project>` and connects the SDK's client to it over stdio. */
export async function connect(project: string, launch: Launch = {}): Promise<McpSession> {
  const [command, args] = mcpCommand(project, launch);
  const transport = new StdioClientTransport({ command, args, env: plainEnv(), cwd: project, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "tldrs-test", version: "0.0.0" });
  const clientErrors: Error[] = [];
  client.onerror = (err) => clientErrors.push(err);
  await client.connect(transport);
  return { client, pid: transport.pid!, stderr: () => stderr, clientErrors, close: () => client.close() };
}

interface TextResult {
  content?: unknown;
  isError?: boolean;
}

/** The text blocks of a tool result, joined by newlines. */
export function textOf(result: TextResult): string {
  return (result.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? "").join("\n");
}

/** Calls a tool and returns its first text block, failing on a tool error. */
export async function call(session: McpSession, name: string, args: Record<string, unknown>): Promise<string> {
  const r = (await session.client.callTool({ name, arguments: args })) as TextResult;
  if (r.isError) throw new Error(`${name} ${JSON.stringify(args)} failed: ${textOf(r)}`);
  return (r.content as Array<{ text: string }>)[0]!.text;
}

/** A small Python project: main -> helper -> util, and a file to store. */
export function writeProject(project: string): void {
  mkdirSync(join(project, "pkg"), { recursive: true });
  writeFileSync(join(project, "pkg/util.py"), "def util(x):\n    return x * 2\n");
  writeFileSync(join(project, "pkg/app.py"), "from pkg.util import util\n\n\ndef helper(x):\n    return util(x) + 1\n\n\ndef main():\n    return helper(2)\n");
  writeFileSync(join(project, "notes.txt"), "notes of the project\n");
}

/** `tldrs mcp` spoken to line by line: every stdout line kept, the exit status seen. */
export class RawServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdoutLines: string[] = [];
  #partial = "";
  #stderr = "";
  #nextId = 1;
  readonly #waiting = new Map<number, (message: Record<string, unknown>) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(project: string, launch: Launch = {}) {
    const [command, args] = mcpCommand(project, launch);
    this.child = spawn(command, args, { cwd: project, env: childEnv(), stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.#partial += chunk;
      const lines = this.#partial.split("\n");
      this.#partial = lines.pop()!;
      for (const line of lines) {
        this.stdoutLines.push(line);
        let message: Record<string, unknown> | undefined;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue; // kept in stdoutLines: the test that reads them fails on it
        }
        if (typeof message["id"] === "number") this.#waiting.get(message["id"])?.(message);
      }
    });
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => (this.#stderr += d));
    this.exited = new Promise((resolve) => this.child.on("close", (code, signal) => resolve({ code, signal })));
  }

  get stdoutTail(): string {
    return this.#partial;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Writes a line as it is (a test may send garbage). */
  writeLine(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  notify(method: string, params: Record<string, unknown> = {}): void {
    this.writeLine(JSON.stringify({ jsonrpc: "2.0", method, params }));
  }

  /** Sends a request; resolves with its response. */
  request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const answered = new Promise<Record<string, unknown>>((resolve) => this.#waiting.set(id, resolve));
    this.writeLine(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return answered;
  }

  /** The 2025-era handshake every agent sends today. */
  async initialize(): Promise<Record<string, unknown>> {
    const r = await this.request("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw-test", version: "0" } });
    this.notify("notifications/initialized");
    return r;
  }

  callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.request("tools/call", { name, arguments: args });
  }
}
