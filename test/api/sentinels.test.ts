// What the store throws internally to carry a failure through its layers is an Error subclass
// (a stack, a message, `cause`), never a bare object: a sentinel that escapes by a bug still
// reads as an error (issue 17).
import { describe, expect, it } from "vitest";
import { ReadFailure } from "../../src/vhs/blob_file.ts";
import { CallerFailure } from "../../src/vhs/context.ts";
import { WriteFailure } from "../../src/vhs/pump.ts";
import { CrashError } from "../../src/testing.ts";

describe("thrown sentinels", () => {
  it.each([
    ["WriteFailure", new WriteFailure(new Error("disk"))],
    ["CallerFailure", new CallerFailure(new Error("source"))],
    ["ReadFailure", new ReadFailure(new Error("eio"))],
  ])("%s is an Error that keeps its cause", (name, err) => {
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect((err.cause as Error).message).toMatch(/disk|source|eio/);
  });

  it("CrashError is an Error", () => {
    expect(new CrashError("crash")).toBeInstanceOf(Error);
  });
});
