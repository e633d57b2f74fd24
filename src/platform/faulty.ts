/**
 * A fault-injecting wrapper around any Platform. Every file-system call (including the
 * write/sync/close of an open file) gets a sequence number; a plan can fail a chosen
 * call with an errno code (ENOSPC, EIO, EACCES) or "crash" the process right after a
 * chosen call: that call takes effect, then it and every later call throw CrashError,
 * as if the process had died there. The underlying files keep whatever state the
 * calls before left, which is what a recovery test then opens.
 */
import type { Platform, ReadableFile, WritableFile } from "./port.ts";

export class CrashError extends Error {
  override name = "CrashError";
}

export interface FaultPlan {
  /** Fail the call with this sequence number (1-based) with an errno code. */
  failAt?: { call: number; code: string };
  /** Let this call (1-based) happen, then behave as a dead process. */
  crashAfter?: number;
}

export interface CallRecord {
  seq: number;
  op: string;
  path: string;
}

export interface FaultyPlatform extends Platform {
  /** The calls made so far, in order. */
  readonly calls: CallRecord[];
  /** Replace the plan (and reset the crashed state); counting continues. */
  setPlan(plan: FaultPlan): void;
  /** Restart counting at zero and forget recorded calls. */
  resetCount(): void;
  readonly crashed: boolean;
}

export function createFaultyPlatform(base: Platform, initial: FaultPlan = {}): FaultyPlatform {
  let plan = initial;
  let seq = 0;
  let crashed = false;
  const calls: CallRecord[] = [];

  /** `dispose` frees what a call that then "crashed" opened: the kernel closes a dead process's files. */
  async function guard<T>(op: string, path: string, run: () => Promise<T>, dispose?: (result: T) => Promise<void>): Promise<T> {
    if (crashed) throw new CrashError(`process crashed before ${op} ${path}`);
    seq += 1;
    calls.push({ seq, op, path });
    if (plan.failAt && plan.failAt.call === seq) {
      const code = plan.failAt.code;
      // POSIX close() frees the descriptor even when it reports an error.
      if (op === "close") await run().catch(() => undefined);
      throw Object.assign(new Error(`${code}: injected fault in ${op} '${path}'`), { code, syscall: op, path });
    }
    const crashHere = plan.crashAfter === seq;
    let result: T;
    try {
      result = await run();
    } catch (err) {
      // A call that failed (ENOENT, EEXIST, ...) is still a point to die after.
      if (crashHere) crashed = true;
      throw crashHere ? new CrashError(`process crashed after ${op} ${path} (which failed: ${(err as Error).message})`) : err;
    }
    if (crashHere) {
      crashed = true;
      await dispose?.(result).catch(() => undefined);
      throw new CrashError(`process crashed after ${op} ${path}`);
    }
    return result;
  }

  const wrapWritable = (path: string, f: WritableFile): WritableFile => ({
    write: (chunk) => guard("write", path, () => f.write(chunk)),
    sync: () => guard("fsync", path, () => f.sync()),
    // A crashed process's descriptors are closed by the kernel: close the real one quietly.
    close: () => (crashed ? f.close() : guard("close", path, () => f.close())),
  });
  const wrapReadable = (path: string, f: ReadableFile): ReadableFile => ({
    read: (buffer, position) => guard("read", path, () => f.read(buffer, position)),
    stat: () => guard("fstat", path, () => f.stat()),
    close: () => (crashed ? f.close() : guard("close", path, () => f.close())),
  });

  return {
    ...base,
    get calls() {
      return calls;
    },
    get crashed() {
      return crashed;
    },
    setPlan(next) {
      plan = next;
      crashed = false;
    },
    resetCount() {
      seq = 0;
      calls.length = 0;
    },
    readFile: (path) => guard("readFile", path, () => base.readFile(path)),
    createExclusive: async (path, mode) =>
      wrapWritable(path, await guard("create", path, () => base.createExclusive(path, mode), (f) => f.close())),
    openRead: async (path) => wrapReadable(path, await guard("open", path, () => base.openRead(path), (f) => f.close())),
    stat: (path) => guard("stat", path, () => base.stat(path)),
    statFollow: (path) => guard("statFollow", path, () => base.statFollow(path)),
    realPath: (path) => guard("realPath", path, () => base.realPath(path)),
    rename: (from, to) => guard("rename", `${from} -> ${to}`, () => base.rename(from, to)),
    link: (from, to) => guard("link", `${from} -> ${to}`, () => base.link(from, to)),
    unlink: (path) => guard("unlink", path, () => base.unlink(path)),
    mkdir: (path, mode) => guard("mkdir", path, () => base.mkdir(path, mode)),
    rmdir: (path) => guard("rmdir", path, () => base.rmdir(path)),
    readdir: (path) => guard("readdir", path, () => base.readdir(path)),
    chmod: (path, mode) => guard("chmod", path, () => base.chmod(path, mode)),
    syncDir: (path) => guard("syncDir", path, () => base.syncDir(path)),
    // Native SQLite does its own file calls, out of reach of these faults: offer none, so
    // "auto" runs the sql.js engine, whose every call is injected.
    nativeSqlite: async () => ({ available: false, reason: "the fault-injecting platform cannot reach native SQLite's own file calls" }),
  };
}
