// Every ```ts example of docs/api.md runs, as a module of its own, in an empty temp folder as
// the current folder: `tldrs`, `tldrs/core` and `tldrs/testing` are this checkout's entries.
// A block marked `ts no-run` is skipped (it needs a remote); the count of both is pinned, so a
// new method's example cannot be left out silently.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "../runtimes/helpers.ts";
import { tempDir } from "../helpers/tmp.ts";

const ENTRIES: Record<string, string> = {
  tldrs: "src/node.ts",
  "tldrs/core": "src/mod.ts",
  "tldrs/testing": "src/testing.ts",
};

interface Example {
  heading: string;
  code: string;
}

export function examples(markdown: string): { run: Example[]; skipped: number } {
  const run: Example[] = [];
  let skipped = 0;
  let heading = "";
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
    const fence = /^```(ts(?: no-run)?)\s*$/.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    if (fence[1] === "ts no-run") skipped++;
    else run.push({ heading, code: body.join("\n") });
  }
  return { run, skipped };
}

function localImports(code: string): string {
  return code.replace(/from "(tldrs(?:\/core|\/testing)?)"/g, (_m, spec: string) => `from ${JSON.stringify(pathToFileURL(join(ROOT, ENTRIES[spec]!)).href)}`);
}

describe("docs/api.md", () => {
  const { run, skipped } = examples(readFileSync(join(ROOT, "docs/api.md"), "utf8"));

  it("has an example under each method heading, and they run", () => {
    expect([run.length, skipped]).toEqual([29, 1]);
    // Every heading that names a call has an example of its own.
    const headings = readFileSync(join(ROOT, "docs/api.md"), "utf8").split("\n").filter((l) => /^#{2,3} .*\(/.test(l)).map((l) => l.replace(/^#+\s*/, ""));
    expect(headings.filter((h) => !run.some((ex) => ex.heading === h))).toEqual(["store.remote" /* no-run */].filter((h) => headings.includes(h)));
    const dir = tempDir("tldrs-api-examples-");
    const files = run.map((ex, i) => {
      const file = join(dir, `example_${i}.mts`);
      writeFileSync(file, localImports(ex.code) + "\nexport {};\n");
      return { heading: ex.heading, file };
    });
    // One process for all (tsx once): each example in a fresh empty folder, errors collected.
    const driver = join(dir, "driver.mts");
    writeFileSync(
      driver,
      `import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
const files = ${JSON.stringify(files)};
const failures = [];
for (const { heading, file } of files) {
  process.chdir(mkdtempSync(join(tmpdir(), "tldrs-example-")));
  try {
    await import(pathToFileURL(file).href);
  } catch (err) {
    failures.push(heading + ": " + (err && err.stack ? err.stack : String(err)));
  }
}
process.stderr.write(JSON.stringify(failures));
process.exit(0);
`,
    );
    const env = { ...process.env, TLDRS_VHS_HOME: "", TLDRS_REMOTE: "", TLDRS_ENGINE: "" };
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), driver], { cwd: mkdtempSync(join(dir, "cwd-")), env, encoding: "utf8", timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stderr.slice(r.stderr.lastIndexOf("[")))).toEqual([]);
  });
});
