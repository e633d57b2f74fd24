/**
 * A piece of a blob, by bytes (`offset`, `length`) or by lines (`start_line`, `end_line`), so
 * an agent reads a large stored output a screenful at a time. The whole blob streams through
 * the store's verified read every time (its length and sha256 are checked at the end, and a
 * mismatch fails the call, so no piece of a corrupt blob is ever returned); only the window
 * is kept, so memory stays flat whatever the size. Cost: O(blob size) of reading per call.
 */
import type { VhsStore } from "../vhs/vhs_store.ts";
import { UsageError } from "../cli/errors.ts";
import { concatBytes } from "../bytes.ts";

/** Bytes a call returns when it names no length or end line (~4,000 tokens). */
export const DEFAULT_WINDOW_BYTES = 16_384;
/** Bytes a call returns at most (~65,000 tokens). */
export const MAX_WINDOW_BYTES = 262_144;

export type Window = { kind: "bytes"; offset: number; length: number } | { kind: "lines"; start: number; end: number | undefined };

export interface BlobPiece {
  text: string;
  /** Where the rest is, when the piece is not all that was asked for or not the whole blob. */
  note: string | undefined;
}

const NEWLINE = 10;

interface Picker {
  /** `chunk` holds the blob's bytes from `at` on. */
  take(chunk: Uint8Array, at: number): void;
  finish(size: number, endsWithNewline: boolean): BlobPiece;
}

export async function readBlobWindow(vhs: VhsStore, ref: string, window: Window): Promise<BlobPiece> {
  const stream = await vhs.getStream(ref);
  const picker: Picker = window.kind === "bytes" ? new BytePicker(window.offset, window.length) : new LinePicker(window.start, window.end);
  const reader = stream.getReader();
  let size = 0;
  let lastByte = -1;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      picker.take(value, size);
      size += value.length;
      if (value.length > 0) lastByte = value[value.length - 1]!;
    }
  } finally {
    reader.releaseLock();
  }
  return picker.finish(size, lastByte === NEWLINE);
}

const decode = (bytes: Uint8Array) => new TextDecoder("utf-8").decode(bytes);

class BytePicker implements Picker {
  readonly #kept: Uint8Array;
  #filled = 0;
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {
    this.#kept = new Uint8Array(length);
  }

  take(chunk: Uint8Array, at: number): void {
    const from = Math.max(this.offset, at);
    const to = Math.min(this.offset + this.length, at + chunk.length);
    if (from >= to) return;
    this.#kept.set(chunk.subarray(from - at, to - at), from - this.offset);
    this.#filled = to - this.offset;
  }

  finish(size: number): BlobPiece {
    if (this.offset > size) throw new UsageError(`offset must be at most the blob's size (${size} bytes), got ${this.offset}`);
    const end = this.offset + this.#filled;
    const note = end < size ? `bytes ${this.offset}-${end - 1} of ${size}; call vhs_get with offset ${end} for the rest` : this.offset > 0 ? `bytes ${this.offset}-${size - 1} of ${size}: the end` : undefined;
    return { text: decode(this.#kept.subarray(0, this.#filled)), note };
  }
}

class LinePicker implements Picker {
  /** Whole lines kept so far, and the line being read while it is in the window. */
  readonly #kept: Uint8Array[] = [];
  #keptBytes = 0;
  #current: Uint8Array[] = [];
  #currentBytes = 0;
  #line = 1;
  #lastKept = 0;
  /** The byte cap was reached: keep counting lines, keep nothing more. */
  #full = false;
  readonly #cap: number;

  constructor(
    readonly start: number,
    readonly end: number | undefined,
  ) {
    this.#cap = end === undefined ? DEFAULT_WINDOW_BYTES : MAX_WINDOW_BYTES;
  }

  take(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const stop = nl < 0 ? chunk.length : nl + 1;
      this.#segment(chunk.subarray(pos, stop));
      if (nl >= 0) this.#endLine();
      pos = stop;
    }
  }

  #inWindow(): boolean {
    return !this.#full && this.#line >= this.start && (this.end === undefined || this.#line <= this.end);
  }

  #segment(seg: Uint8Array): void {
    if (!this.#inWindow()) return;
    this.#current.push(seg.slice());
    this.#currentBytes += seg.length;
    if (this.#keptBytes + this.#currentBytes <= this.#cap) return;
    if (this.#kept.length === 0) {
      // Even the first line is over the cap: return its start, cut.
      this.#kept.push(concatBytes(this.#current, this.#currentBytes).subarray(0, this.#cap));
      this.#keptBytes = this.#cap;
    }
    this.#full = true;
    this.#current = [];
    this.#currentBytes = 0;
  }

  #endLine(): void {
    if (this.#current.length > 0) {
      this.#kept.push(...this.#current);
      this.#keptBytes += this.#currentBytes;
      this.#lastKept = this.#line;
      this.#current = [];
      this.#currentBytes = 0;
    } else if (this.#full && this.#lastKept === 0 && this.#kept.length > 0) {
      this.#lastKept = this.#line; // the cut first line
    }
    this.#line++;
  }

  finish(size: number, endsWithNewline: boolean): BlobPiece {
    if (!endsWithNewline && size > 0) this.#endLine();
    const total = this.#line - 1;
    if (this.start > Math.max(total, 1)) throw new UsageError(`start_line must be at most the blob's line count (${total}), got ${this.start}`);
    const wanted = Math.min(this.end ?? total, total);
    const text = decode(concatBytes(this.#kept, this.#keptBytes));
    if (this.#lastKept < wanted || this.#full) {
      const shownEnd = Math.max(this.#lastKept, this.start);
      const next = this.#lastKept > 0 && this.#lastKept >= this.start ? this.#lastKept + 1 : this.start + 1;
      return { text, note: `lines ${this.start}-${shownEnd} of ${total} (at most ${this.#cap} bytes a call); call vhs_get with start_line ${next} for more` };
    }
    return { text, note: this.start > 1 || wanted < total ? `lines ${this.start}-${wanted} of ${total}` : undefined };
  }
}
