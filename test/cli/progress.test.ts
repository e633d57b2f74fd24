import { afterEach, describe, expect, it, vi } from "vitest";
import { captureIo } from "../../src/cli/io.ts";
import { progressEnabled, startProgress } from "../../src/cli/progress.ts";

afterEach(() => void vi.useRealTimers());

describe("progress line", () => {
  it("only on a terminal, never in CI or pipes", () => {
    expect(progressEnabled(captureIo({ tty: true, env: {} }))).toBe(true);
    expect(progressEnabled(captureIo({ tty: true, env: { CI: "true" } }))).toBe(false);
    expect(progressEnabled(captureIo({ tty: false, env: {} }))).toBe(false);
  });

  it("appears after a second, shows bytes, and is erased at the end", async () => {
    vi.useFakeTimers();
    const io = captureIo({ tty: true, env: {} });
    const p = startProgress(io, "storing", 4 * 1024 * 1024);
    p.advance(1024 * 1024);
    await vi.advanceTimersByTimeAsync(500);
    expect(io.stderrText()).toBe("");
    await vi.advanceTimersByTimeAsync(700);
    expect(io.stderrText()).toContain("1.0 MiB of 4.0 MiB (25%)");
    expect(io.stderrText()).toContain("\u001b[1mstoring");
    await p.done();
    expect(io.stderrText().endsWith("\r\u001b[2K")).toBe(true);
    expect(io.stdoutText()).toBe("");
  });

  it("honours NO_COLOR and prints nothing for work under a second", async () => {
    vi.useFakeTimers();
    const io = captureIo({ tty: true, env: { NO_COLOR: "1" } });
    const quick = startProgress(io, "gc");
    await vi.advanceTimersByTimeAsync(900);
    await quick.done();
    expect(io.stderrText()).toBe("");
    const slow = startProgress(io, "verify");
    slow.status("reading blobs");
    await vi.advanceTimersByTimeAsync(1100);
    await slow.done();
    expect(io.stderrText()).toContain("verify 1.");
    expect(io.stderrText()).not.toContain("\u001b[1m");
  });
});
