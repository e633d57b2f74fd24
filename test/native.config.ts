// The vitest configuration of the nested run in test/engine/native_engine.test.ts: the same
// test files, run by vitest on a Node that has node:sqlite, with TLDRS_ENGINE=native. No global
// set-up: the outer run built dist/ (which child processes use) already.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
