/**
 * Writing a temp file that is fsynced at the end (an upload, a getToFile): every
 * WRITEBACK_BYTES an fsync starts in the background, one at a time, so the disk writes while
 * we read and hash, and the final fsync has at most that much left. Measured on 256 MiB
 * putFile here (5 runs each): median 1450 ms without, 587 ms with 32 MiB (8 MiB: 1000 ms,
 * 64 MiB: 773 ms). Smaller files see no background fsync at all.
 */
import type { WritableFile } from "../platform/port.ts";
import { quiet } from "./pump.ts";

export const WRITEBACK_BYTES = 32 * 1024 * 1024;

export class WritebackWriter {
  #written = 0;
  #synced = 0;
  #pending: Promise<void> | undefined;

  /** `enabled: false` for a file likely to be thrown away (the raw copy of a put asked to compress). */
  constructor(
    private readonly file: WritableFile,
    private readonly enabled = true,
  ) {}

  readonly write = async (chunk: Uint8Array): Promise<void> => {
    await this.file.write(chunk);
    this.#written += chunk.length;
    if (this.enabled && !this.#pending && this.#written - this.#synced >= WRITEBACK_BYTES) {
      const upTo = this.#written;
      // A failure stays pending (no further background fsync) and is thrown by settle().
      this.#pending = quiet(
        this.file.sync().then(() => {
          this.#synced = upTo;
          this.#pending = undefined;
        }),
      );
    }
  };

  /** Waits for the fsync under way; its error is thrown here. Call before the final fsync, and before closing. */
  async settle(): Promise<void> {
    await this.#pending;
  }
}
