// End-to-end: the built binary as a child process, for exit codes, pipes and stdin.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { BIN, spawnCli } from "./cli_helpers.ts";

describe("tldrs binary", () => {
  it("put from a pipe, cat to a pipe, exit codes of has", async () => {
    const cwd = tempDir();
    const data = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
    const put = await spawnCli(["vhs", "put", "-"], { cwd, stdin: data });
    expect(put.stderr).toBe("");
    expect(put.code).toBe(0);
    const ref = put.stdout.trim();
    const cat = await spawnCli(["vhs", "cat", ref], { cwd });
    expect(cat.code).toBe(0);
    expect(Buffer.from(cat.stdoutBytes).equals(Buffer.from(data))).toBe(true);
    expect((await spawnCli(["vhs", "has", ref], { cwd })).code).toBe(0);
    const missing = await spawnCli(["vhs", "has", "f".repeat(64)], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toBe("");
  });

  it("put - from a shell pipe (a FIFO, read with read(2)), from a file redirect, and from a non-blocking pipe", async () => {
    const cwd = tempDir();
    const data = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => (i * 13) % 251);
    writeFileSync(join(cwd, "in.bin"), data);
    const expected = `vhs://${(await import("node:crypto")).createHash("sha256").update(data).digest("hex")}`;
    const env = { ...process.env, TLDRS_VHS_HOME: join(cwd, "store") };
    const viaShell = (cmd: string) => spawnSync("sh", ["-c", cmd], { cwd, env, encoding: "utf8" });
    for (const cmd of [`cat in.bin | "${process.execPath}" "${BIN}" vhs put -`, `"${process.execPath}" "${BIN}" vhs put - < in.bin`]) {
      const r = viaShell(cmd);
      expect(r.stderr, cmd).toBe("");
      expect(r.stdout.trim(), cmd).toBe(expected);
    }
    // A pipe whose reading end is already O_NONBLOCK (as another program may leave it): read(2)
    // says EAGAIN, and the bytes come through process.stdin instead, none lost.
    const py = String.raw`
import fcntl, os, subprocess, sys
r, w = os.pipe()
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[1:], stdin=r, stdout=subprocess.PIPE)
os.close(r)
data = open("in.bin", "rb").read()
os.write(w, data[:1000])
import time; time.sleep(0.3)
view = memoryview(data)[1000:]
while view:
    try:
        view = view[os.write(w, view):]
    except BlockingIOError:
        time.sleep(0.01)
os.close(w)
sys.stdout.write(p.communicate()[0].decode())
sys.exit(p.returncode)
`;
    if (spawnSync("python3", ["-c", "import fcntl"]).status === 0) {
      const r = spawnSync("python3", ["-c", py, process.execPath, BIN, "vhs", "put", "-"], { cwd, env, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe(expected);
    }
  });

  it("usage errors exit 2, failures exit 1, no stack unless TLDRS_DEBUG", async () => {
    const cwd = tempDir();
    const usage = await spawnCli(["vhs", "ls", "--limit", "x"], { cwd });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^tldrs: --limit must be/);
    const fail = await spawnCli(["vhs", "cat", "not-a-ref"], { cwd });
    expect(fail.code).toBe(1);
    expect(fail.stderr.trim().split("\n")).toHaveLength(1);
    const debug = await spawnCli(["vhs", "cat", "not-a-ref"], { cwd, env: { TLDRS_DEBUG: "1" } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  // Node decodes arguments as UTF-8: a byte that is not UTF-8 becomes U+FFFD, and the file
  // would get another name than the one given (issue 13). Refused, nothing created.
  it("an --out or FILE name that is not valid UTF-8 is refused with exit 2", async () => {
    const cwd = tempDir();
    const ref = (await spawnCli(["vhs", "put", "-"], { cwd, stdin: "utf8" })).stdout.trim();
    for (const args of [`vhs get ${ref} --out "$(printf 'out-\\377.bin')"`, `vhs put "$(printf 'in-\\377.txt')"`]) {
      const r = spawnSync("sh", ["-c", `printf x > "$(printf 'in-\\377.txt')"; "${process.execPath}" "${BIN}" ${args}`], { cwd, encoding: "utf8" });
      expect(r.status, `${args}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/not a valid UTF-8 name/);
    }
    expect(spawnSync("ls", [cwd], { encoding: "latin1" }).stdout.split("\n").filter((n) => n.startsWith("out-"))).toEqual([]);
  });

  it("exits quietly when the reader closes the pipe (cat | head -1)", async () => {
    const cwd = tempDir();
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join("\n");
    writeFileSync(join(cwd, "big.txt"), lines);
    const ref = (await spawnCli(["vhs", "put", "big.txt"], { cwd })).stdout.trim();
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" vhs cat ${ref} | head -1`], { cwd, encoding: "utf8" });
    expect(r.stdout.split("\n")[0]).toBe("line 0");
    expect(r.stderr).toBe("");
    // sh reports only head's status: check tldrs' own exit status directly too.
    const child = spawn(process.execPath, [BIN, "vhs", "cat", ref], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
    expect(err).toBe("");
    expect(code).toBe(0);
  });

  it("--help and --version do not load the engine (--version only probes which one would run)", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const copy = tempDir();
    cpSync(join(root, "dist"), join(copy, "dist"), { recursive: true });
    cpSync(join(root, "package.json"), join(copy, "package.json"));
    // Without the engine modules (and without sql.js), nor the MCP server and its SDK, any command
    // that loads them would fail to import. --version keeps only the engine choice.
    for (const name of readdirSync(join(copy, "dist", "engine"))) {
      if (!["choice.js", "sqljs_version.js"].includes(name)) rmSync(join(copy, "dist", "engine", name), { recursive: true });
    }
    rmSync(join(copy, "dist", "mcp"), { recursive: true });
    mkdirSync(join(copy, "node_modules"));
    cpSync(join(root, "node_modules", "yargs"), join(copy, "node_modules", "yargs"), { recursive: true });
    for (const dep of ["cliui", "escalade", "get-caller-file", "string-width", "y18n", "yargs-parser", "strip-ansi", "ansi-regex", "emoji-regex", "get-east-asian-width", "wrap-ansi", "ansi-styles"]) {
      try {
        cpSync(join(root, "node_modules", dep), join(copy, "node_modules", dep), { recursive: true });
      } catch {
        // not every yargs version has every dependency
      }
    }
    const bin = join(copy, "dist", "cli", "bin.js");
    const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(help.stderr).toBe("");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("tldrs <command>");
    const mcpHelp = spawnSync(process.execPath, [bin, "mcp", "--help"], { encoding: "utf8" });
    expect(mcpHelp.stderr).toBe("");
    expect(mcpHelp.stdout).toContain("tldrs mcp");
    const version = spawnSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
    expect(version.status).toBe(0);
    expect(version.stderr).toBe("");
    const [number, engine] = version.stdout.trim().split("\n");
    expect(number).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
    // This Node (20) has no node:sqlite.
    expect(engine).toMatch(/^engine: sql\.js \d+\.\d+\.\d+: Node v\d+\.\d+\.\d+ has no node:sqlite \(Node 22\.13 and later have it\)$/);
  });

  it("only tldrs mcp loads the MCP SDK: other commands run without it installed", async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const copy = tempDir();
    cpSync(join(root, "dist"), join(copy, "dist"), { recursive: true });
    cpSync(join(root, "package.json"), join(copy, "package.json"));
    cpSync(join(root, "wasm"), join(copy, "wasm"), { recursive: true });
    rmSync(join(copy, "dist", "mcp"), { recursive: true });
    mkdirSync(join(copy, "node_modules"));
    for (const dep of readdirSync(join(root, "node_modules"))) {
      if (dep !== "@modelcontextprotocol" && !dep.startsWith(".")) symlinkSync(join(root, "node_modules", dep), join(copy, "node_modules", dep));
    }
    const cwd = tempDir();
    mkdirSync(join(cwd, "pkg"));
    writeFileSync(join(cwd, "pkg/app.py"), "def main():\n    return 1\n");
    const bin = join(copy, "dist", "cli", "bin.js");
    const put = spawnSync(process.execPath, [bin, "vhs", "put", "-"], { cwd, input: "no sdk", encoding: "utf8" });
    expect(put.stderr).toBe("");
    expect(put.stdout).toMatch(/^vhs:\/\/[0-9a-f]{64}\n$/);
    const context = spawnSync(process.execPath, [bin, "context", "main", "--delta"], { cwd, encoding: "utf8" });
    expect(context.stderr).toBe("");
    expect(context.stdout).toContain("return 1");
    // And mcp itself says what is missing, in one line.
    const mcp = spawnSync(process.execPath, [bin, "mcp"], { cwd, encoding: "utf8", input: "" });
    expect(mcp.status).toBe(1);
    expect(mcp.stderr).toMatch(/^tldrs: /);
  });
});
