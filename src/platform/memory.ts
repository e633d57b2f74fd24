/**
 * An in-memory Platform: a tiny POSIX-like file system (inodes, hard links, symlink
 * entries, modes) for fault tests and for hosts without a disk. Not a stand-in for
 * the real file system in ordinary tests: those use `node.ts` on temp folders.
 */
import { createNobleHasher } from "./noble_hasher.ts";
import { basename, dirname } from "./path.ts";
import type { FileStat, Platform, ReadableFile, WritableFile } from "./port.ts";

interface Inode {
  ino: number;
  kind: "file" | "dir" | "symlink";
  data: Uint8Array;
  mode: number;
  mtimeMs: number;
  entries: Map<string, Inode>; // folders only
}

function fsError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

export interface MemoryPlatformOptions {
  /** How `readUrl` reads the engine's .wasm (the memory FS does not hold it). */
  readUrl?: (url: URL) => Promise<Uint8Array>;
  pid?: number;
  hostname?: string;
  /** Pids reported alive by isProcessAlive (default: only our own). */
  alivePids?: Set<number>;
}

export function createMemoryPlatform(options: MemoryPlatformOptions = {}): Platform {
  let nextIno = 1;
  let clock = Date.UTC(2026, 0, 1);
  const newInode = (kind: Inode["kind"], mode: number): Inode => ({
    ino: nextIno++, kind, data: new Uint8Array(0), mode, mtimeMs: clock, entries: new Map(),
  });
  const root = newInode("dir", 0o755);
  const pid = options.pid ?? 4242;
  const alive = options.alivePids ?? new Set([pid]);

  function parts(path: string): string[] {
    if (!path.startsWith("/")) throw fsError("EINVAL", "path", path);
    return path.split("/").filter((p) => p !== "" && p !== ".");
  }
  function lookup(path: string, syscall: string): Inode {
    let node = root;
    for (const part of parts(path)) {
      if (node.kind !== "dir") throw fsError("ENOTDIR", syscall, path);
      const next = node.entries.get(part);
      if (!next) throw fsError("ENOENT", syscall, path);
      node = next;
    }
    return node;
  }
  function parentOf(path: string, syscall: string): Inode {
    const parent = lookup(dirname(path), syscall);
    if (parent.kind !== "dir") throw fsError("ENOTDIR", syscall, path);
    return parent;
  }
  function tick(): number {
    clock += 1;
    return clock;
  }
  const statOf = (n: Inode): FileStat => ({
    kind: n.kind, size: n.kind === "dir" ? 4096 : n.data.length, mtimeMs: n.mtimeMs, ino: n.ino, dev: 1, mode: n.mode,
  });

  const platform: Platform = {
    runtime: "memory",
    pid,
    hostname: () => options.hostname ?? "memory-host",
    isProcessAlive: (p) => alive.has(p),
    now: () => tick(),
    sleep: async (ms) => void (clock += ms),
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    createHasher: createNobleHasher,
    env: () => undefined,
    cwd: () => "/",
    resolve(...ps) {
      let out: string[] = [];
      for (const p of ps) {
        if (p.startsWith("/")) out = [];
        for (const seg of p.split("/")) {
          if (seg === "" || seg === ".") continue;
          if (seg === "..") out.pop();
          else out.push(seg);
        }
      }
      return "/" + out.join("/");
    },
    readUrl: (url) => {
      if (!options.readUrl) throw fsError("ENOENT", "readUrl", url.href);
      return options.readUrl(url);
    },
    async readFile(path) {
      const n = lookup(path, "open");
      if (n.kind === "dir") throw fsError("EISDIR", "read", path);
      return n.data.slice();
    },
    async createExclusive(path, mode = 0o644): Promise<WritableFile> {
      const parent = parentOf(path, "open");
      if (parent.entries.has(basename(path))) throw fsError("EEXIST", "open", path);
      const node = newInode("file", mode);
      parent.entries.set(basename(path), node);
      let closed = false;
      return {
        async write(chunk) {
          if (closed) throw fsError("EBADF", "write", path);
          const next = new Uint8Array(node.data.length + chunk.length);
          next.set(node.data);
          next.set(chunk, node.data.length);
          node.data = next;
          node.mtimeMs = tick();
        },
        sync: async () => {},
        close: async () => void (closed = true),
      };
    },
    async openRead(path): Promise<ReadableFile> {
      const node = lookup(path, "open");
      if (node.kind === "symlink") throw fsError("ELOOP", "open", path);
      if (node.kind === "dir") throw fsError("EISDIR", "open", path);
      return {
        async read(buffer, position) {
          const n = Math.max(0, Math.min(buffer.length, node.data.length - position));
          buffer.set(node.data.subarray(position, position + n));
          return n;
        },
        stat: async () => statOf(node),
        close: async () => {},
      };
    },
    stat: async (path) => statOf(lookup(path, "lstat")),
    // The memory file system has no call that makes a symlink: nothing to follow.
    statFollow: async (path) => statOf(lookup(path, "stat")),
    async realPath(path) {
      lookup(path, "realpath");
      return platform.resolve(path);
    },
    async rename(from, to) {
      const fromParent = parentOf(from, "rename");
      const node = fromParent.entries.get(basename(from));
      if (!node) throw fsError("ENOENT", "rename", from);
      const toParent = parentOf(to, "rename");
      const existing = toParent.entries.get(basename(to));
      if (existing?.kind === "dir") throw fsError("EISDIR", "rename", to);
      fromParent.entries.delete(basename(from));
      toParent.entries.set(basename(to), node);
    },
    async link(from, to) {
      const node = lookup(from, "link");
      const toParent = parentOf(to, "link");
      if (toParent.entries.has(basename(to))) throw fsError("EEXIST", "link", to);
      toParent.entries.set(basename(to), node);
    },
    async unlink(path) {
      const parent = parentOf(path, "unlink");
      const node = parent.entries.get(basename(path));
      if (!node) throw fsError("ENOENT", "unlink", path);
      if (node.kind === "dir") throw fsError("EISDIR", "unlink", path);
      parent.entries.delete(basename(path));
    },
    async mkdir(path, mode = 0o755) {
      let node = root;
      for (const part of parts(path)) {
        let next = node.entries.get(part);
        if (!next) {
          next = newInode("dir", mode);
          node.entries.set(part, next);
        }
        if (next.kind !== "dir") throw fsError("EEXIST", "mkdir", path);
        node = next;
      }
    },
    async rmdir(path) {
      const parent = parentOf(path, "rmdir");
      const node = parent.entries.get(basename(path));
      if (!node) throw fsError("ENOENT", "rmdir", path);
      if (node.kind !== "dir") throw fsError("ENOTDIR", "rmdir", path);
      if (node.entries.size > 0) throw fsError("ENOTEMPTY", "rmdir", path);
      parent.entries.delete(basename(path));
    },
    async readdir(path) {
      const node = lookup(path, "scandir");
      if (node.kind !== "dir") throw fsError("ENOTDIR", "scandir", path);
      return [...node.entries.keys()].sort();
    },
    async chmod(path, mode) {
      lookup(path, "chmod").mode = mode & 0o7777;
    },
    async syncDir(path) {
      lookup(path, "fsync");
    },
  };
  return platform;
}

