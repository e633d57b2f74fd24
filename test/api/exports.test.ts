// The public surface, pinned: every value each entry exports, by name. Adding or removing one is
// a decision (CHANGELOG, docs/api.md), so this list is edited by hand, never regenerated.
import { describe, expect, it } from "vitest";
import * as mod from "../../src/mod.ts";
import * as node from "../../src/node.ts";
import * as testing from "../../src/testing.ts";

const CORE = [
  "DB_FILENAME",
  "DEFAULT_BUDGET",
  "DEFAULT_DEPTH",
  "DEFAULT_SESSION_FILE",
  "LANGUAGES",
  "REPRESENTATIONS",
  "SCHEMA_VERSION",
  "STORE_DIRNAME",
  "StateStore",
  "TldrsError",
  "VHS_SCHEME",
  "VhsRemote",
  "VhsStore",
  "ZOOM_LEVELS",
  "createMemoryPlatform",
  "createNobleHasher",
  "doctorWith",
  "formatRef",
  "isArgumentError",
  "isRepresentation",
  "isTldrsError",
  "isoTimestamp",
  "openStoreWith",
  "parseRef",
  "parseTimestamp",
  "repoFingerprintWith",
  "resolveStoreRoot",
  "runContext",
];

describe("the exports of each entry", () => {
  it('"tldrs/core" (src/mod.ts): the runtime-neutral API, no engine and no test tools', () => {
    expect(Object.keys(mod).sort()).toEqual(CORE);
  });

  it('"tldrs" (src/node.ts): the core and the node: bindings', () => {
    expect(Object.keys(node).sort()).toEqual([...CORE, "createNodePlatform", "doctor", "nodePlatform", "openStore", "repoFingerprint"].sort());
  });

  it('"tldrs/testing" (src/testing.ts): the test tools', () => {
    expect(Object.keys(testing).sort()).toEqual(["CrashError", "createFaultyPlatform", "createMemoryPlatform"]);
  });

  it("a store object carries no engine handle", async () => {
    const store = await node.openStore({ root: `${(await import("../helpers/tmp.ts")).tempDir()}/.tldrs` });
    expect(Object.keys(store).sort()).toEqual(["blobRoot", "close", "dbPath", "engine", "remote", "root", "state", "vhs"]);
    await store.close();
  });
});
