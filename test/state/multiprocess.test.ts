import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";
import { openProjectStore, runTogether } from "./helpers.ts";

describe("recordDeliveries from 4 processes at once", () => {
  it("loses nothing", async () => {
    const project = tempDir();
    const setup = await openProjectStore(project);
    await setup.state.openSession("shared-session", { repoFingerprint: "fp" });
    await setup.close();

    const workers = 4;
    const batches = 5;
    const size = 50;
    const results = await runTogether("record.mjs", (i) => [project, "shared-session", `w${i}`, String(batches), String(size)], workers);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`recorded=${batches * size}`);
    }

    const store = await openProjectStore(project);
    const stats = await store.state.sessionStats("shared-session");
    expect(stats.deliveryCount).toBe(workers * batches * size + 1);
    expect(stats.totalTokensDelivered).toBe(workers * batches * size);
    const etags = new Map<string, string>();
    for (let w = 0; w < workers; w++) for (let n = 0; n < batches * size; n++) etags.set(`w${w}:${n}`, `etag-w${w}-${n}`);
    const delta = await store.state.checkDelta("shared-session", etags);
    expect(delta.changed.size).toBe(0);
    expect(delta.unchanged.size).toBe(workers * batches * size);
    // The symbol every worker wrote holds one worker's last batch, whole.
    expect((await store.state.getDelivery("shared-session", "shared"))!.etag).toMatch(new RegExp(`^etag-w\\d-${batches - 1}$`));
    await store.close();
  });
});
