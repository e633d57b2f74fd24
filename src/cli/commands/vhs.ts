/** `tldrs vhs ...`: the blob store commands, flags and JSON fields as the Python `tldrs vhs`. */
import { amountFlag, intFlag, requiredString } from "../args.ts";
import { defineCommand, type CommandGroup, type CommandContext } from "../command.ts";
import { CliFailure, EXIT_FAILURE, EXIT_OK, UsageError } from "../errors.ts";
import { formatJson, formatJsonLines } from "../json.ts";
import { startProgress } from "../progress.ts";
import { writeIntoDevice, writeVerified } from "../verified_output.ts";
import { pull, push, requireRemote } from "./vhs_remote.ts";

const put = defineCommand({
  command: "put [file]",
  name: "vhs put",
  describe: "Store a file (or stdin with -) once, print its vhs:// ref",
  examples: [
    ["tldrs vhs put build.log", "store a file"],
    ["make 2>&1 | tldrs vhs put -", "store a command's output from stdin"],
    ["tldrs vhs put big.json --compress", "store it zlib-compressed"],
    ["tldrs vhs put test.log --push", "store it and upload it to the remote"],
  ],
  json: "optional",
  options: (y) =>
    y
      .positional("file", { type: "string", describe: "File to store; - or nothing reads stdin" })
      .option("compress", { type: "boolean", describe: "Compress with zlib whatever the size (kept raw if it does not shrink); --no-compress: never" })
      .option("compress-min-bytes", { type: "number", describe: "Compress blobs of at least this many bytes (default: no compression, as the Python CLI)" })
      .option("push", { type: "boolean", describe: "Also upload it to the remote (TLDRS_REMOTE or --remote); the ref is printed first" }),
  async run(ctx) {
    const compressMinBytes = intFlag(ctx.args, "compress-min-bytes", "vhs put");
    const file = ctx.args["file"] as string | undefined;
    const compress = ctx.args["compress"] as boolean | undefined; // --no-compress: false
    const opts = { ...(compress !== undefined ? { compress } : {}), ...(compressMinBytes !== undefined ? { compressMinBytes } : {}) };
    // yargs hands "-" to a positional as "": both mean stdin.
    const path = file === undefined || file === "-" || file === "" ? undefined : ctx.resolvePath(file);
    const store = await ctx.openStore();
    const remote = ctx.args["push"] ? requireRemote(store, "vhs put") : undefined;
    // The size for the progress line only: putFile checks the file itself (a regular file, not a
    // link, device or FIFO: /dev/zero never ends) and knows its size up front.
    const { cliPlatform } = await import("../engine_flag.ts");
    const size = path === undefined ? undefined : await cliPlatform(ctx.io).stat(path).then((st) => (st.kind === "file" ? st.size : undefined), () => undefined);
    const progress = startProgress(ctx.io, "storing", size);
    try {
      const withProgress = { ...opts, onProgress: (n: number) => progress.advance(n) };
      let ref: string;
      if (path !== undefined) ref = await store.vhs.putFile(path, withProgress);
      else {
        const fd = ctx.io.stdinFd;
        const { stdinReader } = fd !== undefined ? await import("../stdin.ts") : { stdinReader: undefined };
        // Read straight into the put's buffers where stdin has a descriptor; else its stream.
        ref = await store.vhs.put((fd !== undefined ? stdinReader!(fd, () => ctx.io.stdin, () => undefined) : undefined) ?? ctx.io.stdin, withProgress);
      }
      await progress.done();
      await ctx.io.stdout.write(ctx.args["json"] ? formatJson({ ref }) : ref + "\n");
      // Stored here first: a failed upload leaves the blob and its printed ref intact.
      if (remote) await remote.push([ref]);
    } finally {
      await progress.done();
    }
    return EXIT_OK;
  },
});

const get = defineCommand({
  command: "get <ref>",
  name: "vhs get",
  describe: "Write a blob to a file (--out), into a device or FIFO, or to stdout, verified against its hash",
  examples: [
    ["tldrs vhs get vhs://3a7b...e1 --out build.log", "restore a blob into a file"],
    ["tldrs vhs get 3a7b...e1 > out.bin", "a bare hash works too"],
  ],
  json: "none",
  options: (y) =>
    y
      .positional("ref", { type: "string", describe: "vhs://<sha256> or the bare hash" })
      .option("out", { type: "string", describe: "File to write (created or replaced only once verified; not inside the store, not a symlink); - or /dev/stdout: stdout; a device or FIFO: written into" }),
  async run(ctx) {
    const ref = requiredString(ctx.args, "ref", "vhs get");
    const out = ctx.args["out"];
    if (out !== undefined && (typeof out !== "string" || out === "")) throw new UsageError("--out needs a file name", "vhs get");
    if (out === undefined || out === "-") return catBlob(ctx, ref);
    const path = ctx.resolvePath(out);
    if (path === "/dev/stdout") return catBlob(ctx, ref); // our own stdout, never the node in /dev
    if (await isDeviceOrFifo(ctx, path)) {
      await writeIntoDevice(ctx, ref, path);
      return EXIT_OK;
    }
    const store = await ctx.openStore();
    const progress = startProgress(ctx.io, "writing");
    try {
      await store.vhs.getToFile(ref, path);
    } finally {
      await progress.done();
    }
    return EXIT_OK;
  },
});

/** What the path names in the end (links followed): a character device or a FIFO? */
async function isDeviceOrFifo(ctx: CommandContext, path: string): Promise<boolean> {
  const { cliPlatform } = await import("../engine_flag.ts");
  const st = await cliPlatform(ctx.io).statFollow(path).catch(() => null);
  return st !== null && (st.kind === "chardev" || st.kind === "fifo");
}

async function catBlob(ctx: CommandContext, ref: string): Promise<number> {
  await writeVerified(ctx, ref, (chunk) => ctx.io.stdout.write(chunk));
  return EXIT_OK;
}

const cat = defineCommand({
  command: "cat <ref>",
  name: "vhs cat",
  describe: "Print a blob to stdout, verified against its hash (before the first byte, up to 8 MiB)",
  examples: [["tldrs vhs cat vhs://3a7b...e1 | head", "look at the start of a stored output"]],
  json: "none",
  options: (y) => y.positional("ref", { type: "string", describe: "vhs://<sha256> or the bare hash" }),
  run: (ctx) => catBlob(ctx, requiredString(ctx.args, "ref", "vhs cat")),
});

const has = defineCommand({
  command: "has <ref>",
  name: "vhs has",
  describe: 'Exit 0 if the blob is stored (here, or on the remote if one is set), 1 if not; prints nothing ({"stored": ...} with --json)',
  examples: [["tldrs vhs has vhs://3a7b...e1 && echo stored", "test for a blob in a script"]],
  json: "optional",
  options: (y) => y.positional("ref", { type: "string", describe: "vhs://<sha256> or the bare hash" }),
  async run(ctx) {
    const store = await ctx.openStore();
    const stored = await store.vhs.has(requiredString(ctx.args, "ref", "vhs has"));
    if (ctx.args["json"]) await ctx.io.stdout.write(formatJson({ stored }));
    return stored ? EXIT_OK : EXIT_FAILURE;
  },
});

const info = defineCommand({
  command: "info <ref>",
  name: "vhs info",
  describe: "Print a blob's record as JSON ({} and exit 1 if unknown)",
  examples: [["tldrs vhs info vhs://3a7b...e1", "size, stored size, compression, times"]],
  options: (y) => y.positional("ref", { type: "string", describe: "vhs://<sha256> or the bare hash" }),
  async run(ctx) {
    const store = await ctx.openStore();
    const record = await store.vhs.info(requiredString(ctx.args, "ref", "vhs info"));
    await ctx.io.stdout.write(formatJson(record ?? {}));
    return record ? EXIT_OK : EXIT_FAILURE;
  },
});

const rm = defineCommand({
  command: "rm <ref>",
  name: "vhs rm",
  describe: 'Delete a blob; prints {"deleted": true}',
  examples: [["tldrs vhs rm vhs://3a7b...e1", "delete one blob"]],
  options: (y) => y.positional("ref", { type: "string", describe: "vhs://<sha256> or the bare hash" }),
  async run(ctx) {
    const ref = requiredString(ctx.args, "ref", "vhs rm");
    const store = await ctx.openStore();
    if (!(await store.vhs.delete(ref))) throw new CliFailure(`cannot delete "${ref}": not found`);
    await ctx.io.stdout.write(formatJson({ deleted: true }));
    return EXIT_OK;
  },
});

const ls = defineCommand({
  command: "ls",
  name: "vhs ls",
  describe: "List blobs, most recently accessed first (a JSON array, or one object a line with --jsonl)",
  examples: [
    ["tldrs vhs ls --limit 5", "the five most recently used blobs"],
    ["tldrs vhs ls --jsonl | wc -l", "count blobs"],
  ],
  options: (y) => y.option("limit", { type: "number", describe: "At most this many (default 20, as the Python CLI)" }).option("jsonl", { type: "boolean", describe: "One JSON object per line" }),
  async run(ctx) {
    const limit = intFlag(ctx.args, "limit", "vhs ls", 1);
    const store = await ctx.openStore();
    const rows = await store.vhs.list(limit === undefined ? {} : { limit });
    await ctx.io.stdout.write(ctx.args["jsonl"] ? formatJsonLines(rows) : formatJson(rows));
    return EXIT_OK;
  },
});

const stats = defineCommand({
  command: "stats",
  name: "vhs stats",
  describe: "Print blob count and total bytes (raw and on disk) as JSON",
  examples: [["tldrs vhs stats", '{"count": ..., "total_bytes": ..., "total_stored_bytes": ...}']],
  async run(ctx) {
    const store = await ctx.openStore();
    await ctx.io.stdout.write(formatJson(await store.vhs.stats()));
    return EXIT_OK;
  },
});

const gc = defineCommand({
  command: "gc",
  name: "vhs gc",
  describe: "Delete old or least recently used blobs; blobs referenced by live sessions are kept",
  examples: [
    ["tldrs vhs gc --max-age-days 30", "drop blobs not used for 30 days"],
    ["tldrs vhs gc --max-size-mb 500 --keep-last 20 --dry-run", "show what a 500 MB cap would delete"],
  ],
  options: (y) =>
    y
      .option("max-age-days", { type: "number", describe: "Delete blobs not accessed for this many days" })
      .option("max-size-mb", { type: "number", describe: "Delete least recently used blobs until stored bytes fit this cap" })
      .option("keep-last", { type: "number", describe: "Never delete the N most recently accessed blobs" })
      .option("dry-run", { type: "boolean", describe: "Report what would be deleted; delete nothing" }),
  async run(ctx) {
    const maxAgeDays = amountFlag(ctx.args, "max-age-days", "vhs gc");
    const maxSizeMb = amountFlag(ctx.args, "max-size-mb", "vhs gc");
    const keepLast = intFlag(ctx.args, "keep-last", "vhs gc");
    const store = await ctx.openStore();
    const progress = startProgress(ctx.io, "gc");
    try {
      const report = await store.vhs.gc({
        ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
        ...(maxSizeMb !== undefined ? { maxSizeMb } : {}),
        ...(keepLast !== undefined ? { keepLast } : {}),
        dryRun: !!ctx.args["dry-run"],
      });
      await progress.done();
      // `deleted` is a count, as the Python CLI prints it; the list goes in `deleted_blobs`.
      const { deleted, ...rest } = report;
      await ctx.io.stdout.write(formatJson({ ...rest, deleted: deleted.length, deletedBlobs: deleted }));
    } finally {
      await progress.done();
    }
    return EXIT_OK;
  },
});

const verify = defineCommand({
  command: "verify",
  name: "vhs verify",
  describe: "Check every blob against its record and hash; --repair fixes what it can",
  examples: [
    ["tldrs vhs verify", "report problems, change nothing"],
    ["tldrs vhs verify --repair", "quarantine bad blobs, adopt orphans, drop dead rows"],
  ],
  options: (y) => y.option("repair", { type: "boolean", describe: "Fix what can be fixed" }),
  async run(ctx) {
    const store = await ctx.openStore();
    const progress = startProgress(ctx.io, "verify");
    try {
      const report = await store.vhs.verify({ repair: !!ctx.args["repair"] });
      await progress.done();
      await ctx.io.stdout.write(formatJson(report));
    } finally {
      await progress.done();
    }
    return EXIT_OK;
  },
});

export const vhsGroup: CommandGroup = {
  command: "vhs",
  describe: "Content-addressed blob store: put once, pass vhs:// refs around",
  subcommands: [put, get, cat, has, info, rm, ls, stats, gc, verify, push, pull],
};
