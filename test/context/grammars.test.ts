import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { grammarUrl } from "../../src/context/grammar.ts";

describe("shipped grammars", () => {
  it.each(["python", "typescript", "tsx", "javascript", "go", "rust"] as const)("%s equals tree-sitter-wasms' build", (g) => {
    const shipped = readFileSync(grammarUrl(g));
    const upstream = readFileSync(fileURLToPath(new URL(`../../node_modules/tree-sitter-wasms/out/tree-sitter-${g}.wasm`, import.meta.url)));
    expect(shipped.equals(upstream)).toBe(true);
  });
});
