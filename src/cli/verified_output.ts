/**
 * Blob bytes to stdout or into a device the user named (`--out /dev/null`, a FIFO), where a
 * file cannot be created only once verified. A blob of up to VERIFY_FIRST_BYTES is read and
 * checked (length and sha256) whole, in memory, before its first byte is written: a damaged
 * one writes nothing. A larger blob is written as it is checked (memory stays flat): damage
 * found later ends the command with exit 1 after part of the bytes; `--out FILE` has no such
 * limit, the file appears only once verified.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { CommandContext } from "./command.ts";
import { CliFailure } from "./errors.ts";
import { startProgress } from "./progress.ts";

/** 8 MiB: most tool outputs, held in memory for the check; larger blobs stream. */
export const VERIFY_FIRST_BYTES = 8 * 1024 * 1024;

type Write = (chunk: Uint8Array) => Promise<void>;

/**
 * Writes the blob's bytes through `write`, verified first up to VERIFY_FIRST_BYTES. The bytes
 * come from getInto (reused buffers, the next read under way while `write` runs): the first
 * VERIFY_FIRST_BYTES are copied aside and written once more than that has been read, or once
 * the whole blob checked out.
 */
export async function writeVerified(ctx: CommandContext, ref: string, write: Write): Promise<void> {
  const store = await ctx.openStore();
  const progress = startProgress(ctx.io, "reading");
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  try {
    await store.vhs.getInto(ref, async (chunk) => {
      progress.advance(chunk.length);
      if (heldBytes <= VERIFY_FIRST_BYTES) {
        held.push(chunk.slice()); // the buffer is reused once this returns
        heldBytes += chunk.length;
        if (heldBytes <= VERIFY_FIRST_BYTES) return;
        for (const c of held.splice(0)) await write(c);
        return;
      }
      await write(chunk);
    });
    for (const c of held.splice(0)) await write(c); // a blob of up to VERIFY_FIRST_BYTES, verified whole
  } finally {
    await progress.done();
  }
}

/**
 * Writes the blob into the character device or FIFO at `path` (following links, as a shell
 * redirection does: `/dev/null`, `/dev/fd/3`). Opened without creating or truncating
 * anything; a FIFO waits for its reader, as `> fifo` does.
 */
export async function writeIntoDevice(ctx: CommandContext, ref: string, path: string): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | (constants.O_NOCTTY ?? 0));
  try {
    const st = await fh.stat();
    if (!st.isFIFO() && !st.isCharacterDevice()) throw new CliFailure(`cannot write "${path}": it changed while being opened; retry`);
    await writeVerified(ctx, ref, async (chunk) => {
      let at = 0;
      while (at < chunk.length) at += (await fh.write(chunk, at, chunk.length - at)).bytesWritten;
    });
  } finally {
    await fh.close();
  }
}
