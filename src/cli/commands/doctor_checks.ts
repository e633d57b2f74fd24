/**
 * The checks behind `tldrs doctor` (loaded only when doctor runs: it needs the engine).
 */
import { lstat, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { isFlushLeftover, LEFTOVER_GRACE_MS } from "../../engine/flush.ts";
import { loadSqlJsEngine } from "../../engine/sqljs.ts";
import { checkIntegrity } from "../../engine/load_checks.ts";
import { userVersion } from "../../engine/schema.ts";
import { DEFAULT_LOCK_OPTIONS, describeHolder, isStale, readLockHolder } from "../../engine/lock.ts";
import { isTldrsError } from "../../errors.ts";
import type { CommandContext } from "../command.ts";
import { EXIT_FAILURE, EXIT_OK } from "../errors.ts";
import { formatJson } from "../json.ts";
import { cliEngine, cliPlatform } from "../open_store.ts";
import { DB_FILENAME, resolveStoreRoot } from "../../store_root.ts";
import type { VerifyReport } from "../../vhs/verify.ts";

export type Severity = "ok" | "warn" | "error";

export interface Finding {
  check: string;
  severity: Severity;
  detail: string;
  /** The command that fixes it, when something needs action. */
  fix?: string;
}

export interface DoctorReport {
  root: string;
  healthy: boolean;
  findings: Finding[];
  sizes: { databaseBytes: number; blobCount: number; blobBytes: number; blobStoredBytes: number };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

const shellQuote = (s: string) => (/^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function runDoctor(ctx: CommandContext): Promise<number> {
  const platform = cliPlatform(ctx.io);
  const root = resolveStoreRoot(platform, { project: ctx.projectDir() });
  const dbPath = join(root, DB_FILENAME);
  const findings: Finding[] = [];
  const sizes = { databaseBytes: 0, blobCount: 0, blobBytes: 0, blobStoredBytes: 0 };
  const add = (check: string, severity: Severity, detail: string, fix?: string) => findings.push({ check, severity, detail, ...(fix ? { fix } : {}) });

  // The engine first, store or not: a broken install must not read as "healthy". The engine that
  // runs, and why; sql.js is checked either way (it runs where the runtime has no SQLite of its
  // own, and with --engine sqljs).
  let native = false;
  let engineBroken = false;
  try {
    const chosen = await cliEngine(ctx.io, ctx.args);
    native = chosen.name === "native";
    if (native) add("engine", "ok", chosen.info.description);
    const sqljs = await checkSqlJs(platform);
    if (native) add("sql.js", sqljs.ok ? "ok" : "error", sqljs.ok ? `${sqljs.detail}, for --engine sqljs` : sqljs.detail, sqljs.ok ? undefined : SQLJS_FIX);
    else {
      add("engine", sqljs.ok ? "ok" : "error", sqljs.ok ? `${sqljs.detail}: ${chosen.info.reason}` : sqljs.detail, sqljs.ok ? undefined : SQLJS_FIX);
      engineBroken = !sqljs.ok;
    }
  } catch (err) {
    if (!isTldrsError(err, "EENGINE")) throw err;
    add("engine", "error", err.message, "tldrs --engine auto doctor");
    engineBroken = true;
  }

  let exists = true;
  try {
    await stat(root);
  } catch {
    exists = false;
    add("store", "ok", `no store yet at ${root} (it is created on the first write)`);
  }

  if (exists) {
    // Lock
    const holder = await readLockHolder(platform, `${dbPath}.lock`);
    if (!holder) add("lock", "ok", "free");
    else if (isStale(platform, holder, DEFAULT_LOCK_OPTIONS.staleMs)) add("lock", "warn", `stale: held by ${describeHolder(platform, holder)}; the next write breaks it`, `rm ${shellQuote(dbPath + ".lock")}`);
    else add("lock", "ok", `held by ${describeHolder(platform, holder)} (a write in progress)`);

    // A native SQLite connection beside us: the native engine works with it, sql.js cannot.
    for (const suffix of ["-wal", "-journal"]) {
      const side = dbPath + suffix;
      try {
        const st = await stat(side);
        if (native) add("foreign-sqlite", "ok", `${side} exists (${st.size} bytes): a SQLite connection (such as the Python store) is open, or crashed; the native engine works beside it and recovers what a crash left`);
        else add("foreign-sqlite", "error", `${side} exists (${st.size} bytes): a native SQLite connection (such as the Python store) is open or crashed; the sql.js engine will not write until it is gone`, `sqlite3 ${shellQuote(dbPath)} "PRAGMA wal_checkpoint(TRUNCATE);"  # after closing that program`);
      } catch {
        // absent: fine
      }
    }

    sizes.databaseBytes = await sizeOf(dbPath);
    if (engineBroken) return finish(ctx, root, findings, sizes);
    const store = await ctx.openStore();
    try {
      // sql.js runs PRAGMA integrity_check (and the schema checks) as it loads the image, before
      // any read; the native engine runs only the schema checks on open, so doctor asks for it.
      const version = await store.db.read((sql) => {
        if (store.engine.name === "native") checkIntegrity(sql, dbPath);
        return userVersion(sql);
      });
      add("database", "ok", `integrity ok, schema version ${version}, ${sizes.databaseBytes} bytes`);
      const st = await store.vhs.stats();
      sizes.blobCount = st.count;
      sizes.blobBytes = st.totalBytes;
      sizes.blobStoredBytes = st.totalStoredBytes;
    } catch (err) {
      if (!isTldrsError(err)) throw err;
      // A foreign WAL is already reported above, with its fix.
      if (err.code !== "EFOREIGNWAL") {
        const fix = err.code === "ECORRUPT" ? `mv ${shellQuote(dbPath)} ${shellQuote(dbPath + ".corrupt")}` : err.code === "ENEWERSCHEMA" ? "npm install -g tldrs@latest" : undefined;
        add("database", "error", err.message, fix);
      }
    }

    if (!findings.some((f) => (f.check === "database" || f.check === "foreign-sqlite") && f.severity === "error")) {
      try {
        const report = await store.vhs.verify({ repair: false });
        for (const line of describeVerify(report)) add("blobs", "warn", line, "tldrs vhs verify --repair");
        if (!findings.some((f) => f.check === "blobs")) add("blobs", "ok", `${sizes.blobCount} blobs, ${sizes.blobBytes} bytes (${sizes.blobStoredBytes} on disk), all match their records`);
      } catch (err) {
        // A symbolic link at a blob folder: verify refuses to walk it; removing the link
        // removes nothing it points to.
        if (!isTldrsError(err) || err.data?.["kind"] !== "symlink" || !err.path) throw err;
        add("blobs", "error", err.message, `rm ${shellQuote(err.path)}  # a link: what it points to stays`);
      }
    }

    // Leftovers of crashed database writers (blob temp files are part of verify). Only those
    // past the sweeper's grace period: a younger one may be a write in progress right now.
    const leftovers: string[] = [];
    for (const name of (await readdir(root).catch(() => [] as string[])).filter((n) => isFlushLeftover(n, DB_FILENAME))) {
      const st = await lstat(join(root, name)).catch(() => null);
      if (st?.isFile() && Date.now() - st.mtimeMs > LEFTOVER_GRACE_MS) leftovers.push(name);
    }
    if (leftovers.length > 0) add("leftovers", "warn", `${leftovers.length} temp file(s) of interrupted database writes, over an hour old: ${leftovers.slice(0, 3).join(", ")}`, `rm ${leftovers.map((n) => shellQuote(join(root, n))).join(" ")}`);
  }

  return finish(ctx, root, findings, sizes);
}

const SQLJS_FIX = "rm -rf node_modules/sql.js && npm install  # in the project that installed tldrs";

/** Loads and checks the installed sql.js (glue and binary hashes): a line for the report. */
async function checkSqlJs(platform: ReturnType<typeof cliPlatform>): Promise<{ ok: boolean; detail: string }> {
  try {
    const { info } = await loadSqlJsEngine(platform);
    return { ok: true, detail: `sql.js ${info.version} (glue and binary checked) from ${info.packageUrl}` };
  } catch (err) {
    if (!isTldrsError(err, "EENGINE")) throw err;
    return { ok: false, detail: err.message };
  }
}

async function finish(ctx: CommandContext, root: string, findings: Finding[], sizes: DoctorReport["sizes"]): Promise<number> {
  const healthy = findings.every((f) => f.severity === "ok");
  const report: DoctorReport = { root, healthy, findings, sizes };
  if (ctx.args["json"]) {
    await ctx.io.stdout.write(formatJson(report));
  } else {
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
  return healthy ? EXIT_OK : EXIT_FAILURE;
}

/** One line per kind of problem in a verify report. */
function describeVerify(report: VerifyReport): string[] {
  const lines: string[] = [];
  const kinds: Array<[keyof VerifyReport, string]> = [
    ["missingFiles", "record(s) whose blob file is missing"],
    ["orphans", "blob file(s) without a record"],
    ["wrongSizes", "record(s) with wrong sizes"],
    ["corrupt", "blob file(s) whose content does not match their hash"],
    ["staleUploads", "stale upload(s) in tmp/"],
  ];
  for (const [key, what] of kinds) {
    const list = report[key] as string[];
    if (list.length > 0) lines.push(`${list.length} ${what}: ${list.slice(0, 3).join(", ")}${list.length > 3 ? ", ..." : ""}`);
  }
  return lines;
}
