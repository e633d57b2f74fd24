/**
 * doctor(): the store's health as data. Each finding says what is wrong and what fixes it
 * (a shell command, or the library call, which the CLI puts in its own words); `healthy` is
 * false when something needs action. `tldrs doctor` prints this report; library users get the
 * same checks. Nothing is written: verify runs without repair, a stale lock is only reported.
 *
 *   engine      which engine runs and why; sql.js loaded and its glue and binary checked
 *   store       whether the store folder exists (none yet is healthy)
 *   lock        free, held by a live writer, or stale (the next write breaks it)
 *   foreign-sqlite   a -wal or -journal beside the database (fine for the native engine)
 *   database    integrity_check and the schema version
 *   blobs       verify({ repair: false }): rows and files agree, every blob matches its hash
 *   leftovers   temp files of interrupted database writes past the sweeper's grace period
 */
import { chooseEngine, engineRequest, type EngineChoice } from "./engine/choice.ts";
import { isFlushLeftover, LEFTOVER_GRACE_MS } from "./engine/flush.ts";
import { checkIntegrity } from "./engine/load_checks.ts";
import { DEFAULT_LOCK_OPTIONS, describeHolder, isStale, readLockHolder } from "./engine/lock.ts";
import { userVersion } from "./engine/schema.ts";
import { loadSqlJsEngine } from "./engine/sqljs.ts";
import { errnoCode, isTldrsError } from "./errors.ts";
import { readOptions } from "./options.ts";
import { joinPath } from "./platform/path.ts";
import type { Platform } from "./platform/port.ts";
import type { RemoteOptions } from "./remote/config.ts";
import { openStoreInternal, stateDbOf, type Store } from "./store.ts";
import { storePaths } from "./store_paths.ts";
import { DB_FILENAME, resolveStoreRoot } from "./store_root.ts";
import type { VerifyReport } from "./vhs/verify.ts";

export type Severity = "ok" | "warn" | "error";

export interface DoctorFinding {
  /** engine, sql.js, store, lock, foreign-sqlite, database, blobs or leftovers. */
  check: string;
  severity: Severity;
  detail: string;
  /** What fixes it, when something needs action. */
  fix?: string;
}

export interface DoctorReport {
  /** The store folder checked. */
  root: string;
  /** True when every finding is "ok". */
  healthy: boolean;
  findings: DoctorFinding[];
  sizes: { databaseBytes: number; blobCount: number; blobBytes: number; blobStoredBytes: number };
}

export interface DoctorOptions {
  /** Project folder: the store is `<project>/.tldrs` (as openStore). */
  project?: string;
  /** The store folder itself (wins over `project`). */
  root?: string;
  /** As openStore's `engine` (default: env TLDRS_ENGINE, else "auto"). */
  engine?: EngineChoice;
  /** As openStore's `remote`. */
  remote?: string | RemoteOptions | false;
}

/** How tldrs's own callers run doctor: the CLI names `--engine` and opens the store its way. */
export interface DoctorInternal {
  engineFrom?: string;
  openStore?: () => Promise<Store>;
}

const OPTION_KEYS = ["project", "root", "engine", "remote"] as const;
const SQLJS_FIX = "rm -rf node_modules/sql.js && npm install  # in the project that installed tldrs";
const shellQuote = (s: string) => (/^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Checks the store of `options.project` (or `options.root`) and returns the findings.
 * @example
 * const report = await doctorWith(platform, { project: "." });
 * for (const f of report.findings) if (f.severity !== "ok") console.log(f.check, f.detail, f.fix);
 */
export async function doctorWith(platform: Platform, options?: DoctorOptions, internal: DoctorInternal = {}): Promise<DoctorReport> {
  const opts = readOptions("options", options, OPTION_KEYS) as DoctorOptions;
  const { root, dbPath } = storePaths(resolveStoreRoot(platform, opts));
  const findings: DoctorFinding[] = [];
  const sizes = { databaseBytes: 0, blobCount: 0, blobBytes: 0, blobStoredBytes: 0 };
  const add = (check: string, severity: Severity, detail: string, fix?: string) => findings.push({ check, severity, detail, ...(fix ? { fix } : {}) });
  const report = () => ({ root, healthy: findings.every((f) => f.severity === "ok"), findings, sizes });

  // The engine first, store or not: a broken install must not read as "healthy". The engine that
  // runs, and why; sql.js is checked either way (it runs where the runtime has no SQLite of its
  // own, and with engine "sqljs").
  let native = false;
  let engineBroken = false;
  try {
    const chosen = await chooseEngine(platform, engineRequest(platform, opts.engine, internal.engineFrom ?? "options.engine"));
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

  if (!(await exists(platform, root))) {
    add("store", "ok", `no store yet at ${root} (it is created on the first write)`);
    return report();
  }

  const holder = await readLockHolder(platform, `${dbPath}.lock`);
  if (!holder) add("lock", "ok", "free");
  else if (isStale(platform, holder, DEFAULT_LOCK_OPTIONS.staleMs)) add("lock", "warn", `stale: held by ${describeHolder(platform, holder)}; the next write breaks it`, `rm ${shellQuote(dbPath + ".lock")}`);
  else add("lock", "ok", `held by ${describeHolder(platform, holder)} (a write in progress)`);

  // A native SQLite connection beside us: the native engine works with it, sql.js cannot.
  for (const suffix of ["-wal", "-journal"]) {
    const side = dbPath + suffix;
    const st = await platform.stat(side).catch(() => null);
    if (!st) continue;
    if (native) add("foreign-sqlite", "ok", `${side} exists (${st.size} bytes): a SQLite connection (such as the Python store) is open, or crashed; the native engine works beside it and recovers what a crash left`);
    else add("foreign-sqlite", "error", `${side} exists (${st.size} bytes): a native SQLite connection (such as the Python store) is open or crashed; the sql.js engine will not write until it is gone`, `sqlite3 ${shellQuote(dbPath)} "PRAGMA wal_checkpoint(TRUNCATE);"  # after closing that program`);
  }

  sizes.databaseBytes = (await platform.stat(dbPath).catch(() => null))?.size ?? 0;
  if (engineBroken) return report();
  const ownStore = internal.openStore === undefined;
  const store = await (internal.openStore ?? (() => openStoreInternal(platform, { root, ...(opts.engine !== undefined ? { engine: opts.engine } : {}), ...(opts.remote !== undefined ? { remote: opts.remote } : {}) }, {})))();
  try {
    try {
      // sql.js runs PRAGMA integrity_check (and the schema checks) as it loads the image, before
      // any read; the native engine runs only the schema checks on open, so doctor asks for it.
      const version = await stateDbOf(store).read((sql) => {
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
        const verified = await store.vhs.verify({ repair: false });
        for (const line of describeVerify(verified)) add("blobs", "warn", line, "verify({ repair: true })");
        if (!findings.some((f) => f.check === "blobs")) add("blobs", "ok", `${sizes.blobCount} blobs, ${sizes.blobBytes} bytes (${sizes.blobStoredBytes} on disk), all match their records`);
      } catch (err) {
        // A symbolic link at a blob folder: verify refuses to walk it; removing the link
        // removes nothing it points to.
        if (!isTldrsError(err) || err.data?.["kind"] !== "symlink" || !err.path) throw err;
        add("blobs", "error", err.message, `rm ${shellQuote(err.path)}  # a link: what it points to stays`);
      }
    }
  } finally {
    if (ownStore) await store.close();
  }

  // Leftovers of crashed database writers (blob temp files are part of verify). Only those
  // past the sweeper's grace period: a younger one may be a write in progress right now.
  const leftovers: string[] = [];
  for (const name of (await platform.readdir(root).catch(() => [] as string[])).filter((n) => isFlushLeftover(n, DB_FILENAME))) {
    const st = await platform.stat(joinPath(root, name)).catch(() => null);
    if (st?.kind === "file" && platform.now() - st.mtimeMs > LEFTOVER_GRACE_MS) leftovers.push(name);
  }
  if (leftovers.length > 0) add("leftovers", "warn", `${leftovers.length} temp file(s) of interrupted database writes, over an hour old: ${leftovers.slice(0, 3).join(", ")}`, `rm ${leftovers.map((n) => shellQuote(joinPath(root, n))).join(" ")}`);
  return report();
}

async function exists(platform: Platform, path: string): Promise<boolean> {
  try {
    await platform.stat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === undefined) throw err;
    return false;
  }
}

/** Loads and checks the installed sql.js (glue and binary hashes): a line for the report. */
async function checkSqlJs(platform: Platform): Promise<{ ok: boolean; detail: string }> {
  try {
    const { info } = await loadSqlJsEngine(platform);
    return { ok: true, detail: `sql.js ${info.version} (glue and binary checked) from ${info.packageUrl}` };
  } catch (err) {
    if (!isTldrsError(err, "EENGINE")) throw err;
    return { ok: false, detail: err.message };
  }
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
