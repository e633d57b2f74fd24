/**
 * `npm run bench [section...]`: each section measures tldrs against a native baseline
 * (Python's sqlite3, sha256sum + cp, ...) in the same run and prints medians and ratios.
 * Sections: engine, engines, vhs, state, cli, context (all by default). `--runs N`: rounds of the
 * big-blob rows (vhs, cli).
 */
const SECTIONS = ["engine", "engines", "vhs", "state", "cli", "context"] as const;

const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith("-") && all[i - 1] !== "--runs");
for (const name of wanted) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    console.error(`bench: unknown section "${name}"; known: ${SECTIONS.join(", ")}`);
    process.exit(2);
  }
}
const { existsSync } = await import("node:fs");
for (const name of SECTIONS) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(file)) continue;
  console.log(`\n## ${name}\n`);
  const mod = (await import(file.href)) as { run: () => Promise<void> };
  await mod.run();
}
