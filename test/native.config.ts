// The vitest configuration of the nested run in test/engine/native_engine.test.ts: the same
// test files, run by vitest on a Node that has node:sqlite. No global set-up: the outer run built
// dist/ (which child processes use) and installed the Node builds already.
import { defineConfig } from "vitest/config";
import base from "../vitest.config.ts";

export default defineConfig({ test: { ...base.test, globalSetup: [] } });
