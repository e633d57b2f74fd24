/**
 * Waiting with exponential backoff and full jitter, up to a deadline: for a lock held by a
 * live process, and for a native SQLite connection that is still at work beside the file.
 * Capped at 50 ms between looks, so a freed resource is noticed quickly.
 */
import type { Platform } from "../platform/port.ts";

export class Backoff {
  private readonly started: number;
  private delay = 2;

  constructor(
    private readonly platform: Platform,
    private readonly timeoutMs: number,
  ) {
    this.started = platform.now();
  }

  /** Milliseconds since this wait began. */
  waited(): number {
    return this.platform.now() - this.started;
  }

  /** Sleeps a little; false (at once) if the deadline has passed. */
  async wait(): Promise<boolean> {
    const waited = this.waited();
    if (waited >= this.timeoutMs) return false;
    await this.platform.sleep(Math.min(this.delay * (0.5 + Math.random()), this.timeoutMs - waited));
    this.delay = Math.min(this.delay * 2, 50);
    return true;
  }
}
