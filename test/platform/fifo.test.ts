// A FIFO planted where tldrs expects a file must give a clear error, never a hang.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/node.ts";
import { tempDir } from "../helpers/tmp.ts";

const haveMkfifo = spawnSync("mkfifo", ["--version"]).status === 0;

describe.skipIf(!haveMkfifo)("FIFOs in the store (needs mkfifo)", () => {
  it("a FIFO as the database is corrupt; as a blob, an integrity error; a second close is fine", async () => {
    const project = tempDir();
    const root = join(project, ".tldrs");
    mkdirSync(root);
    spawnSync("mkfifo", [join(root, "tldrs_state.db")]);
    const store = await openStore({ project });
    await expect(store.vhs.list()).rejects.toMatchObject({ code: "ECORRUPT" });
    await store.close();
    await store.close();

    const other = tempDir();
    const s2 = await openStore({ project: other });
    const ref = await s2.vhs.put("fifo victim");
    const hash = ref.slice(6);
    const blob = join(other, ".tldrs", "blobs", hash.slice(0, 2), hash.slice(2, 4), hash);
    spawnSync("rm", [blob]);
    spawnSync("mkfifo", [blob]);
    await expect(s2.vhs.get(ref)).rejects.toMatchObject({ code: "EINTEGRITY" });
    await s2.close();
  });
});
