/**
 * put and putFile: bytes in, a ref out. The source is hashed, compressed if asked and written
 * to a temp file (stage.ts), then placed under its hash and its row written (put_blob.ts).
 */
import { TldrsError, argTypeError } from "../errors.ts";
import { removeQuietly } from "../file_ops.ts";
import { optionalBoolean, optionalNonNegative, readOptions, requiredPath } from "../options.ts";
import { formatRef, parseRef } from "../ref.ts";
import { CallerFailure, guarded, type VhsContext } from "./context.ts";
import { ioError } from "./io_error.ts";
import { fileSource, mapFillErrors, type PumpSource } from "./pump.ts";
import { commitStaged } from "./put_blob.ts";
import { inMemoryBytes, putIfStored, STORED_LOOKUP_BYTES } from "./put_stored.ts";
import { sha256Hex } from "../platform/sha256_hex.ts";
import { type PutData, toByteSource } from "./source.ts";
import { openSourceFile } from "./source_file.ts";
import { type CompressionPlan, stageBlob } from "./stage.ts";

export interface PutOptions {
  /**
   * true: zlib; false: never; unset (the default, as the Python store): zlib only if
   * `compressMinBytes` is given and reached. A blob that does not shrink is stored raw.
   */
  compress?: boolean;
  /** Compress blobs of at least this many bytes when `compress` is unset. No default: never. */
  compressMinBytes?: number;
  /** A ref the content must hash to: otherwise the put fails with EINTEGRITY and stores nothing. */
  expect?: string;
  /** Called with each batch of bytes read from the source (a progress line). */
  onProgress?: (bytes: number) => void;
}

const PUT_OPTIONS = ["compress", "compressMinBytes", "expect", "onProgress"] as const;

/** Stores `data` (streams are hashed and written as they arrive); resolves to its ref. */
export async function put(ctx: VhsContext, data: PutData, options?: PutOptions): Promise<string> {
  const plan = putPlan(options);
  const bytes = inMemoryBytes(data);
  if (bytes !== undefined && bytes.length <= STORED_LOOKUP_BYTES) {
    // Small content in memory: if it is stored already, the put is an access (put_stored.ts).
    const hash = sha256Hex(ctx.platform, bytes);
    if ((plan.expect === undefined || plan.expect === hash) && (await putIfStored(ctx, hash))) {
      plan.onProgress?.(bytes.length);
      return formatRef(hash);
    }
  }
  // Errors of the caller's data source are the caller's: rethrown as they were.
  const source = counted(mapFillErrors(toByteSource(bytes ?? data), (err) => new CallerFailure(err)), plan.onProgress);
  return guarded("Cannot store blob", () => putSource(ctx, source, plan));
}

/**
 * Stores the content of the regular file at `path`. A symbolic link is refused (pass its
 * target), and so is a device, FIFO or socket (a stream goes through `put`).
 */
export async function putFile(ctx: VhsContext, path: string, options?: PutOptions): Promise<string> {
  const plan = putPlan(options);
  const full = ctx.platform.resolve(requiredPath("path", path));
  const { file, size } = await openSourceFile(ctx.platform, full);
  try {
    const source = mapFillErrors(fileSource(file, size, plan.onProgress), (err) => ioError(err, `Cannot read "${full}"`, full));
    return await guarded("Cannot store blob", () => putSource(ctx, source, plan));
  } finally {
    // Every byte was read (or the put failed for its own reason): a failed close of a
    // read-only file changes nothing, and must not fail a put that is already stored.
    await file.close().catch(() => undefined);
  }
}

type PutPlan = CompressionPlan & { expect?: string; onProgress?: (bytes: number) => void };

function putPlan(options: PutOptions | undefined): PutPlan {
  const opts = readOptions("options", options, PUT_OPTIONS);
  const compress = optionalBoolean("options.compress", opts["compress"]);
  const minBytes = optionalNonNegative("options.compressMinBytes", opts["compressMinBytes"], { integer: true, allowInfinity: true });
  const onProgress = opts["onProgress"];
  if (onProgress !== undefined && typeof onProgress !== "function") throw argTypeError("options.onProgress", "a function", onProgress);
  return {
    compress,
    minBytes,
    ...(opts["expect"] !== undefined ? { expect: parseRef(opts["expect"] as string) } : {}),
    ...(onProgress !== undefined ? { onProgress: onProgress as (bytes: number) => void } : {}),
  };
}

/** The source, telling `onBytes` each batch it fills. */
function counted(source: PumpSource, onBytes: ((n: number) => void) | undefined): PumpSource {
  if (!onBytes) return source;
  return {
    ...source,
    fill: async (buffer) => {
      const n = await source.fill(buffer);
      if (n > 0) onBytes(n);
      return n;
    },
  };
}

async function putSource(ctx: VhsContext, source: PumpSource, plan: PutPlan): Promise<string> {
  const { platform, layout, dirs } = ctx;
  await dirs.ensure(layout.tmpDir);
  const staged = await stageBlob(platform, layout.tmpDir, source, plan);
  if (plan.expect !== undefined && staged.hash !== plan.expect) {
    await removeQuietly(platform, staged.tempPath);
    throw new TldrsError("EINTEGRITY", `Cannot store blob "${formatRef(plan.expect)}": the content hashes to "${formatRef(staged.hash)}"; nothing was stored`, {
      ref: formatRef(plan.expect),
      data: { expected: plan.expect, actual: staged.hash, size: staged.size },
    });
  }
  await commitStaged(ctx, staged);
  return formatRef(staged.hash);
}
