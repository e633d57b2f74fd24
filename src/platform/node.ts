/**
 * The Platform on `node:` built-ins. Node, Deno (node compatibility) and Bun all
 * provide these modules, so one implementation serves the three runtimes; where they
 * differ (folder fsync, error codes), the difference is absorbed here.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants, promises as fsp } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import process from "node:process";
import type { FileStat, Hasher, Platform, ReadableFile, WritableFile } from "./port.ts";

const READ_NOFOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

function detectRuntime(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions["deno"]) return "deno";
  if (versions["bun"]) return "bun";
  return "node";
}

function toStat(s: import("node:fs").Stats): FileStat {
  const kind = s.isFile() ? "file" : s.isDirectory() ? "dir" : s.isSymbolicLink() ? "symlink" : "other";
  return { kind, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev, mode: s.mode & 0o7777 };
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
    isProcessAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        // EPERM: it exists but belongs to someone else.
        return (err as { code?: string }).code === "EPERM";
      }
    },
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
      const fh = await fsp.open(path, READ_NOFOLLOW);
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
    rename: (from, to) => fsp.rename(from, to),
    link: (from, to) => fsp.link(from, to),
    unlink: (path) => fsp.unlink(path),
    mkdir: async (path, mode = 0o755) => void (await fsp.mkdir(path, { recursive: true, mode })),
    rmdir: (path) => fsp.rmdir(path),
    readdir: (path) => fsp.readdir(path),
    chmod: (path, mode) => fsp.chmod(path, mode),
    async syncDir(path) {
      let fh: import("node:fs/promises").FileHandle | undefined;
      try {
        fh = await fsp.open(path, constants.O_RDONLY);
        await fh.sync();
      } catch (err) {
        if (!DIR_FSYNC_UNSUPPORTED.has((err as { code?: string }).code ?? "")) throw err;
      } finally {
        await fh?.close();
      }
    },
  };
}
