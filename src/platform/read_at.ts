/** Reading an open file whole or in part, for the small files the core reads at once. */
import type { ReadableFile } from "./port.ts";

/** Up to `length` bytes at `position`; fewer if the file ends first (it shrank meanwhile). */
export async function readAt(file: ReadableFile, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await file.read(buf.subarray(got), position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
