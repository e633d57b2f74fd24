// Deno importing the core from a checkout: a script outside the repo, run with the repo's
// deno.json (its import map gives `tldrs` -> src/node.ts), and the permissions it needs.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { ROOT, denoExecutable, describeRun, runCommand } from "./helpers.ts";

const SCRIPT = `
import { openStore } from "tldrs";
import { parseRef } from "tldrs/core";
const store = await openStore({ project: Deno.args[0] });
const ref = await store.vhs.put("from a deno script");
const session = await store.state.defaultSession();
console.log(JSON.stringify({ hash: parseRef(ref), text: await store.vhs.getText(ref), session: session.sessionId }));
await store.close();
`;

function runScript(script: string, project: string, permissions: string[]) {
  return runCommand(denoExecutable(), ["run", "--no-prompt", ...permissions, "--config", join(ROOT, "deno.json"), script, project], { cwd: project });
}

describe("deno: the core from a checkout", () => {
  it("runs a script elsewhere with the narrowest permissions, and names the flag that is missing", async () => {
    const dir = tempDir();
    const script = join(dir, "script.ts");
    writeFileSync(script, SCRIPT);
    const project = join(dir, "project");
    mkdirSync(project);
    const narrow = [`--allow-read=${ROOT},${project}`, `--allow-write=${join(project, ".tldrs")}`, "--allow-env=TLDRS_VHS_HOME", "--allow-sys=hostname"];
    const without = (flag: string) => narrow.filter((p) => !p.startsWith(flag));
    const [ok, noRead, noWrite, noEnv, noSys] = await Promise.all([
      runScript(script, project, narrow),
      runScript(script, project, without("--allow-read")),
      runScript(script, project, without("--allow-write")),
      runScript(script, project, without("--allow-env")),
      runScript(script, project, without("--allow-sys")),
    ]);
    expect(ok.code, describeRun("narrow permissions", ok)).toBe(0);
    const out = JSON.parse(ok.stdout) as { hash: string; text: string; session: string };
    expect(out.text).toBe("from a deno script");
    expect(out.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(out.session).toMatch(/^[0-9a-f]{16}$/);
    for (const [flag, r] of [["--allow-read", noRead], ["--allow-write", noWrite], ["--allow-env", noEnv], ["--allow-sys", noSys]] as const) {
      expect(r.code, describeRun(`without ${flag}`, r)).not.toBe(0);
      expect(r.stderr, `without ${flag}`).toContain(flag);
    }
  });
});
