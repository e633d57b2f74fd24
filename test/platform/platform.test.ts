// The platform port's contract, run over the node and the in-memory implementations, and the
// fault-injecting wrapper.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CrashError, createFaultyPlatform } from "../../src/platform/faulty.ts";
import { createMemoryPlatform } from "../../src/platform/memory.ts";
import { createNodePlatform } from "../../src/platform/node.ts";
import { tempDir } from "../helpers/tmp.ts";
import { writeFileVia } from "../helpers/platform_files.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);


describe.each([
  ["node", () => ({ p: createNodePlatform(), root: tempDir() })],
  ["memory", () => ({ p: createMemoryPlatform(), root: "/root" })],
] as const)("platform contract: %s", (_name, make) => {
  it("exclusive create, read, stat, and errors that keep their codes", async () => {
    const { p, root } = make();
    await p.mkdir(`${root}/a/b`);
    await p.mkdir(`${root}/a/b`); // recursive, fine if present
    await writeFileVia(p, `${root}/a/b/f`, "hello", { sync: true });
    expect(dec(await p.readFile(`${root}/a/b/f`))).toBe("hello");
    await expect(p.createExclusive(`${root}/a/b/f`)).rejects.toMatchObject({ code: "EEXIST" });
    await expect(p.readFile(`${root}/a/b/missing`)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(p.stat(`${root}/missing`)).rejects.toMatchObject({ code: "ENOENT" });
    const st = await p.stat(`${root}/a/b/f`);
    expect(st).toMatchObject({ kind: "file", size: 5 });
    expect((await p.stat(`${root}/a`)).kind).toBe("dir");
    const r = await p.openRead(`${root}/a/b/f`);
    const buf = new Uint8Array(3);
    expect(await r.read(buf, 2)).toBe(3);
    expect(dec(buf)).toBe("llo");
    expect(await r.read(buf, 5)).toBe(0);
    expect((await r.stat()).ino).toBe(st.ino);
    await r.close();
  });

  it("rename replaces atomically, link shares the inode and refuses an existing name", async () => {
    const { p, root } = make();
    await p.mkdir(root);
    await writeFileVia(p, `${root}/old`, "old", { sync: true });
    await writeFileVia(p, `${root}/new`, "new", { sync: true });
    const oldIno = (await p.stat(`${root}/old`)).ino;
    await p.link(`${root}/old`, `${root}/keep`);
    expect((await p.stat(`${root}/keep`)).ino).toBe(oldIno);
    await expect(p.link(`${root}/new`, `${root}/keep`)).rejects.toMatchObject({ code: "EEXIST" });
    const newIno = (await p.stat(`${root}/new`)).ino;
    await p.rename(`${root}/new`, `${root}/old`);
    expect((await p.stat(`${root}/old`)).ino).toBe(newIno);
    expect(dec(await p.readFile(`${root}/old`))).toBe("new");
    expect(dec(await p.readFile(`${root}/keep`))).toBe("old"); // the previous file lives on
    expect(await p.readdir(root)).toEqual(["keep", "old"]);
    await p.unlink(`${root}/keep`);
    await expect(p.unlink(`${root}/keep`)).rejects.toMatchObject({ code: "ENOENT" });
    await p.chmod(`${root}/old`, 0o600);
    expect((await p.stat(`${root}/old`)).mode).toBe(0o600);
    await p.syncDir(root);
  });

  it("knows its own process is alive", () => {
    const { p } = make();
    expect(p.isProcessAlive(p.pid)).toBe(true);
    expect(p.hostname().length).toBeGreaterThan(0);
    const h = p.createHasher();
    h.update(enc("abc"));
    expect(h.digestHex()).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("node platform", () => {
  it("never follows a symlink: exclusive create fails on a dangling one, openRead with ELOOP", async () => {
    const p = createNodePlatform();
    const root = tempDir();
    symlinkSync(`${root}/nowhere`, `${root}/dangling`);
    await expect(p.createExclusive(`${root}/dangling`)).rejects.toMatchObject({ code: "EEXIST" });
    await writeFileVia(p, `${root}/target`, "x", { sync: true });
    symlinkSync(`${root}/target`, `${root}/link`);
    await expect(p.openRead(`${root}/link`)).rejects.toMatchObject({ code: "ELOOP" });
    expect((await p.stat(`${root}/link`)).kind).toBe("symlink");
    expect(p.isProcessAlive(4_195_000)).toBe(false);
  });

  it("statFollow and realPath follow links (for destinations the user named); kinds of special files", async () => {
    const p = createNodePlatform();
    const root = tempDir();
    mkdirSync(`${root}/real`);
    symlinkSync(`${root}/real`, `${root}/via`);
    await writeFileVia(p, `${root}/real/f`, "x", { sync: true });
    symlinkSync(`${root}/real/f`, `${root}/lf`);
    expect(await p.realPath(`${root}/via/f`)).toBe(await p.realPath(`${root}/real/f`));
    expect((await p.statFollow(`${root}/lf`)).kind).toBe("file");
    await expect(p.realPath(`${root}/via/missing`)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await p.stat("/dev/null")).kind).toBe("chardev");
    if (spawnSync("mkfifo", [`${root}/fifo`]).status === 0) expect((await p.stat(`${root}/fifo`)).kind).toBe("fifo");
  });

  // Node's own recursive mkdir retries forever when mkdir fails with ENOENT under a parent that
  // exists (/proc/self refuses new entries that way): TLDRS_VHS_HOME=/proc/self hung every put.
  it.skipIf(!existsSync("/proc/self"))("mkdir is bounded: a folder that cannot be created under /proc/self is an error", async () => {
    const p = createNodePlatform();
    await expect(p.mkdir("/proc/self/tldrs-never/a")).rejects.toMatchObject({ code: "ENOENT" });
    await p.mkdir("/proc/self"); // exists: fine
    const root = tempDir();
    await writeFileVia(p, `${root}/file`, "x", { sync: true });
    await expect(p.mkdir(`${root}/file/sub`)).rejects.toMatchObject({ code: "ENOTDIR" });
    await expect(p.mkdir(`${root}/file`)).rejects.toMatchObject({ code: "EEXIST" });
  });
});

describe("importing the package", () => {
  // `import process from "node:process"` opened process.stdin, and libuv made a stdin pipe
  // non-blocking: read(2) on it then failed with EAGAIN in the importing program (and in
  // `tldrs vhs put -`, which reads it so).
  it.skipIf(!existsSync("/proc/self/fdinfo/0"))("leaves a stdin pipe blocking (library and CLI modules)", () => {
    const dist = new URL("../../dist/", import.meta.url).href;
    const script = `for (const m of ["node.js", "cli/main.js"]) await import(${JSON.stringify(dist)} + m);
      const flags = parseInt(/flags:\\s+(\\d+)/.exec((await import("node:fs")).readFileSync("/proc/self/fdinfo/0", "utf8"))[1], 8);
      console.log((flags & 0o4000) === 0 ? "blocking" : "non-blocking");`;
    const r = spawnSync("sh", ["-c", `echo data | "${process.execPath}" --input-type=module -e '${script.replace(/'/g, "'\\''")}'`], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("blocking");
  });
});

describe("faulty platform", () => {
  it("numbers every call, fails the chosen one with its code, and logs the calls", async () => {
    const f = createFaultyPlatform(createMemoryPlatform(), { failAt: { call: 3, code: "ENOSPC" } });
    await f.mkdir("/d"); // 1
    const w = await f.createExclusive("/d/x"); // 2
    await expect(w.write(enc("abc"))).rejects.toMatchObject({ code: "ENOSPC", syscall: "write", path: "/d/x" }); // 3
    await w.close(); // 4
    expect(f.calls.map((c) => `${c.seq} ${c.op} ${c.path}`)).toEqual(["1 mkdir /d", "2 create /d/x", "3 write /d/x", "4 close /d/x"]);
    expect((await f.stat("/d/x")).size).toBe(0); // the failed write wrote nothing
  });

  it("crashes after the chosen call, even one that failed, and every later call throws", async () => {
    const base = createMemoryPlatform();
    await base.mkdir("/d");
    const f = createFaultyPlatform(base, { crashAfter: 1 });
    await expect(f.stat("/d/missing")).rejects.toBeInstanceOf(CrashError); // ENOENT, then dead
    expect(f.crashed).toBe(true);
    await expect(f.readdir("/d")).rejects.toBeInstanceOf(CrashError);
    f.setPlan({ crashAfter: 3 });
    expect(f.crashed).toBe(false);
    f.resetCount();
    await writeFileVia(f, "/d/a", "aaa", { sync: true }).catch(() => undefined); // create 1, write 2, fsync 3 -> crash
    expect(f.calls.map((c) => c.op)).toEqual(["create", "write", "fsync"]);
    expect(dec(await base.readFile("/d/a"))).toBe("aaa"); // the calls before the crash took effect
  });

  it.skipIf(!existsSync("/proc/self/fd"))("a close that fails, or a crash right after an open, still frees the descriptor", async () => {
    const root = tempDir();
    const openFds = () => readdirSync("/proc/self/fd").length;
    const f = createFaultyPlatform(createNodePlatform(), { failAt: { call: 3, code: "EIO" } });
    const before = openFds();
    const w = await f.createExclusive(`${root}/x`); // 1
    await w.write(enc("x")); // 2
    expect(openFds()).toBe(before + 1);
    await expect(w.close()).rejects.toMatchObject({ code: "EIO" }); // 3: reported, yet closed
    expect(openFds()).toBe(before);
    f.setPlan({ crashAfter: 4 });
    await expect(f.openRead(`${root}/x`)).rejects.toBeInstanceOf(CrashError); // 4: opened, then the "kernel" closes it
    expect(openFds()).toBe(before);
  });
});
