/**
 * The Platform on `node:` built-ins. Node, Deno (node compatibility) and Bun all
 * provide these modules, so one implementation serves the three runtimes; where they
 * differ (folder fsync, error codes, process liveness, unlink of a folder, O_NOFOLLOW
 * under Deno's permission checks), the difference is absorbed here, and
 * test/conformance/ runs the same cases on the three.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants, promises as fsp } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { loadNativeSqlite } from "./native_sqlite.ts";
import type { EntryKind, FileStat, Hasher, Platform, ReadableFile, WritableFile } from "./port.ts";

// The global, not `import process from "node:process"`: Node builds that module's exports from
// every property of process, so importing it opens process.stdin, and libuv then sets O_NONBLOCK
// on a stdin pipe (measured with strace: ioctl(0, FIONBIO) at import), which `vhs put -` reads
// with read(2). Node, Deno 2 and Bun all have the global.
const process = globalThis.process;

// O_NONBLOCK: a FIFO planted at a database or blob name must not block the open; callers
// then see from fstat that it is not a regular file. It changes nothing for regular files.
const READ_NOFOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

function detectRuntime(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions["deno"]) return "deno";
  if (versions["bun"]) return "bun";
  return "node";
}

function kindOf(s: import("node:fs").Stats): EntryKind {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "dir";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isFIFO()) return "fifo";
  return s.isCharacterDevice() ? "chardev" : "other";
}

function toStat(s: import("node:fs").Stats): FileStat {
  const kind = kindOf(s);
  return { kind, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev, mode: s.mode & 0o7777 };
}

/**
 * Liveness by signal 0: only ESRCH means gone (EPERM: alive, someone else's). Any other
 * failure means the runtime refused to ask: Deno without --allow-run throws NotCapable, with
 * no errno code, for every pid but its own (measured, Deno 2.9.6; reading /proc instead needs
 * --allow-all there). Taking that for "dead" would break a live writer's lock and lose its
 * update, so it counts as alive: the lock's age limit (staleMs) still frees a dead one.
 */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code !== "ESRCH";
  }
}

/** An error shaped as node:fs makes them, for a condition a runtime fails to report itself. */
function fsError(code: string, errno: number, syscall: string, path: string, text: string): Error {
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, errno, syscall, path });
}

/**
 * Deno's node:fs unlink removes an EMPTY folder (and reports ENOTEMPTY for a full one), where
 * POSIX unlink fails with EISDIR (measured, Deno 2.9.6; Node and Bun follow POSIX). A folder
 * at a blob or lock name is not ours to delete: refuse it as POSIX does. The lstat-then-unlink
 * window is Deno's own (its unlink makes the same check internally).
 */
async function unlinkNotFolderDeno(path: string): Promise<void> {
  if ((await fsp.lstat(path)).isDirectory()) throw fsError("EISDIR", -21, "unlink", path, "illegal operation on a directory");
  await fsp.unlink(path);
}

/**
 * Deno checks --allow-read on a path's resolved target and then opens that target, so unless
 * it runs with -A, O_NOFOLLOW never sees a symlink: a symlink opens its target and a dangling
 * one fails with ENOENT (measured, Deno 2.9.6; Node, Bun and Deno -A get ELOOP from the
 * kernel). So on Deno the name itself is checked after the open: a symlink is ELOOP, as
 * O_NOFOLLOW says. If the name was replaced between the open and the check (a writer renamed a
 * new database over it), the open is repeated: what is returned is what the name now holds.
 */
async function openNoFollowDeno(path: string): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    let fh: FileHandle;
    try {
      fh = await fsp.open(path, READ_NOFOLLOW);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT" && (await fsp.lstat(path).catch(() => null))?.isSymbolicLink()) {
        throw fsError("ELOOP", -40, "open", path, "too many symbolic links encountered");
      }
      throw err;
    }
    try {
      const name = await fsp.lstat(path);
      if (name.isSymbolicLink()) throw fsError("ELOOP", -40, "open", path, "too many symbolic links encountered");
      const opened = await fh.stat();
      if ((name.ino === opened.ino && name.dev === opened.dev) || attempt >= 3) return fh;
    } catch (err) {
      await fh.close();
      throw err;
    }
    await fh.close();
  }
}

/**
 * mkdir -p, one level at a time. Not `fs.mkdir(path, { recursive: true })`: Node's loops
 * forever when mkdir fails with ENOENT under a parent that exists (measured, Node 20.20:
 * `TLDRS_VHS_HOME=/proc/self tldrs vhs put` never ended). Here each level is created at most
 * once and a second ENOENT is the error; the depth is bounded by the path's own.
 */
async function mkdirs(path: string, mode: number): Promise<void> {
  try {
    await fsp.mkdir(path, { mode });
    return;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EEXIST") return existingFolder(path, err);
    const parent = resolve(path, "..");
    if (code !== "ENOENT" || parent === path) throw err;
  }
  await mkdirs(resolve(path, ".."), mode);
  try {
    await fsp.mkdir(path, { mode });
  } catch (err) {
    if ((err as { code?: string }).code === "EEXIST") return existingFolder(path, err);
    throw err;
  }
}

/** EEXIST from mkdir is success only if a folder (or a link to one) is there, as with recursive mkdir. */
async function existingFolder(path: string, err: unknown): Promise<void> {
  if (!(await fsp.stat(path).catch(() => null))?.isDirectory()) throw err;
}

/** Errors that mean "this file system cannot fsync a folder": the rename is as durable as it gets. */
const DIR_FSYNC_UNSUPPORTED = new Set(["EINVAL", "EISDIR", "ENOTSUP", "EBADF", "EPERM"]);

export function createNodePlatform(): Platform {
  const runtime = detectRuntime();
  const host = hostname();
  return {
    runtime,
    pid: process.pid,
    hostname: () => host,
    isProcessAlive,
    now: () => performance.timeOrigin + performance.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    createHasher(): Hasher {
      const h = createHash("sha256");
      return {
        update: (chunk) => void h.update(chunk),
        digestHex: () => h.digest("hex"),
      };
    },
    env: (name) => process.env[name],
    cwd: () => process.cwd(),
    resolve: (...parts) => resolve(...parts),
    readUrl: async (url) => new Uint8Array(await fsp.readFile(url)),
    readFile: async (path) => {
      const buf = await fsp.readFile(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
    async createExclusive(path, mode = 0o644): Promise<WritableFile> {
      const fh = await fsp.open(path, CREATE_EXCLUSIVE, mode);
      return {
        async write(chunk) {
          let off = 0;
          while (off < chunk.length) {
            const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
            off += bytesWritten;
          }
        },
        sync: () => fh.sync(),
        close: () => fh.close(),
      };
    },
    async openRead(path): Promise<ReadableFile> {
      const fh = runtime === "deno" ? await openNoFollowDeno(path) : await fsp.open(path, READ_NOFOLLOW);
      return {
        async read(buffer, position) {
          const { bytesRead } = await fh.read(buffer, 0, buffer.length, position);
          return bytesRead;
        },
        stat: async () => toStat(await fh.stat()),
        close: () => fh.close(),
      };
    },
    stat: async (path) => toStat(await fsp.lstat(path)),
    statFollow: async (path) => toStat(await fsp.stat(path)),
    realPath: (path) => fsp.realpath(path),
    rename: (from, to) => fsp.rename(from, to),
    link: (from, to) => fsp.link(from, to),
    unlink: runtime === "deno" ? unlinkNotFolderDeno : (path) => fsp.unlink(path),
    mkdir: (path, mode = 0o755) => mkdirs(resolve(path), mode),
    rmdir: (path) => fsp.rmdir(path),
    readdir: (path) => fsp.readdir(path),
    chmod: (path, mode) => fsp.chmod(path, mode),
    async syncDir(path) {
      let fh: FileHandle | undefined;
      try {
        fh = await fsp.open(path, constants.O_RDONLY);
        await fh.sync();
      } catch (err) {
        if (!DIR_FSYNC_UNSUPPORTED.has((err as { code?: string }).code ?? "")) throw err;
      } finally {
        await fh?.close();
      }
    },
    nativeSqlite: loadNativeSqlite,
  };
}
