/**
 * `tldrs doctor`'s output: the core's doctor() report (src/doctor.ts) printed as a screen or
 * as JSON; exit 1 when something needs action. Loaded only when doctor runs (it needs the engine).
 */
import { doctorWith, type DoctorReport } from "../../doctor.ts";
import type { CommandContext } from "../command.ts";
import { EXIT_FAILURE, EXIT_OK, inCliWords } from "../errors.ts";
import { formatJson } from "../json.ts";
import { cliPlatform, engineFlag } from "../engine_flag.ts";

export type { DoctorFinding as Finding, DoctorReport, Severity } from "../../doctor.ts";

export async function runDoctor(ctx: CommandContext): Promise<number> {
  const engine = engineFlag(ctx.args);
  const found = await doctorWith(
    cliPlatform(ctx.io),
    { project: ctx.projectDir(), ...(engine !== undefined ? { engine: engine as never } : {}) },
    { engineFrom: "--engine", openStore: () => ctx.openStore() },
  );
  // Remedies in the words of the command line (the core names library calls).
  const report: DoctorReport = { ...found, findings: found.findings.map((f) => (f.fix ? { ...f, fix: inCliWords(f.fix) } : f)) };
  if (ctx.args["json"]) {
    await ctx.io.stdout.write(formatJson(report));
  } else {
    const { root, findings, sizes, healthy } = report;
    const mark = { ok: "ok  ", warn: "WARN", error: "FAIL" } as const;
    const lines = [`tldrs doctor: ${root}`];
    for (const f of findings) {
      lines.push(`  [${mark[f.severity]}] ${f.check}: ${f.detail}`);
      if (f.fix) lines.push(`         fix: ${f.fix}`);
    }
    lines.push(`  sizes: database ${sizes.databaseBytes} B, ${sizes.blobCount} blobs, ${sizes.blobBytes} B (${sizes.blobStoredBytes} B on disk)`);
    lines.push(healthy ? "healthy" : "needs action (see fix lines)");
    await ctx.io.stdout.write(lines.join("\n") + "\n");
  }
  return report.healthy ? EXIT_OK : EXIT_FAILURE;
}
