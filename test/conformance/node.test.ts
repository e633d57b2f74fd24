// The conformance suite on Node, under vitest (runtimes.test.ts runs it on Deno and Bun).
import { afterAll, beforeAll, describe, it, vi } from "vitest";
import { cases, runCase } from "./suite.ts";

describe("conformance (node)", () => {
  beforeAll(() => void vi.stubEnv("TLDRS_VHS_HOME", "")); // the cases choose their own folders
  afterAll(() => void vi.unstubAllEnvs());
  for (const c of cases) it(c.name, () => runCase(c));
});
