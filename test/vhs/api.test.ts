import { describe, expect, it } from "vitest";
import { isArgumentError } from "../../src/errors.ts";
import * as mod from "../../src/mod.ts";
import { openTestStore } from "./helpers.ts";

describe("arguments", () => {
  it("catches misspelled options and wrong types", async () => {
    const store = await openTestStore();
    const cases: Array<() => Promise<unknown>> = [
      () => store.vhs.put("x", { compres: true } as never),
      () => store.vhs.put("x", { compress: "yes" } as never),
      () => store.vhs.put("x", { compressMinBytes: -1 }),
      () => store.vhs.put("x", { compressMinBytes: 1.5 }),
      () => store.vhs.put("x", null as never),
      () => store.vhs.put(42 as never),
      () => store.vhs.put(null as never),
      () => store.vhs.put((async function* () { yield "not bytes"; })() as never),
      () => store.vhs.put(new ReadableStream({ start: (c) => { c.enqueue("text"); c.close(); } }) as never),
      () => store.vhs.list({ limit: -1 }),
      () => store.vhs.list({ max: 3 } as never),
      () => store.vhs.gc({ maxAgeDays: "7" } as never),
      () => store.vhs.gc({ keepLast: 1.5 }),
      () => store.vhs.gc({ dryrun: true } as never),
      () => store.vhs.verify({ repair: 1 } as never),
      () => store.vhs.getToFile(`vhs://${"a".repeat(64)}`, "" as never),
      () => store.vhs.putFile(undefined as never),
      () => store.vhs.getInto(`vhs://${"a".repeat(64)}`, "not a function" as never),
    ];
    for (const [i, run] of cases.entries()) {
      const err = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect([i, isArgumentError(err)]).toEqual([i, true]);
    }
    expect(await store.vhs.list()).toEqual([]); // nothing was stored by the failed puts
    await store.close();
  });

  it("a producer's own error passes through, and leaves no upload behind", async () => {
    const store = await openTestStore();
    const boom = new Error("producer failed");
    await expect(
      store.vhs.put(
        (async function* () {
          yield new Uint8Array(100_000);
          throw boom;
        })(),
      ),
    ).rejects.toBe(boom);
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(`${store.root}/tmp`)).toEqual([]);
    await store.close();
  });

  it("a closed store refuses further calls", async () => {
    const store = await openTestStore();
    await store.vhs.close();
    await expect(store.vhs.put("x")).rejects.toBeInstanceOf(TypeError);
    await store.close();
  });

  it("the public surface", () => {
    expect(typeof mod.parseRef).toBe("function");
    expect(typeof mod.formatRef).toBe("function");
    expect(mod.VHS_SCHEME).toBe("vhs://");
    expect(Object.getOwnPropertyNames(mod.VhsStore.prototype).filter((n) => n !== "constructor" && !n.startsWith("_")).sort()).toMatchInlineSnapshot(`
      [
        "close",
        "delete",
        "flushAccessTimes",
        "gc",
        "get",
        "getInto",
        "getStream",
        "getText",
        "getToFile",
        "has",
        "info",
        "list",
        "put",
        "putFile",
        "stats",
        "verify",
      ]
    `);
  });
});
