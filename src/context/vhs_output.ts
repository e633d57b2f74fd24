/**
 * `--output vhs`: what is printed instead of the context once it is stored as a blob.
 *
 *   vhs://<hash>
 *   # Summary: Entry <entry> depth=<d> functions=<n> files=<m>
 *   # Preview:
 *   <at most PREVIEW_LINES lines and PREVIEW_BYTES bytes of the output, whole lines only>
 */
import { utf8Length } from "./render.ts";

export const PREVIEW_LINES = 30;
export const PREVIEW_BYTES = 2048;

export interface VhsSummary {
  ref: string;
  entry: string;
  depth: number;
  functions: number;
  files: number;
}

/** The first lines of `text` that fit both caps together; a line that does not fit ends the preview. */
export function preview(text: string, maxLines = PREVIEW_LINES, maxBytes = PREVIEW_BYTES): string {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let out = "";
  let bytes = 0;
  let count = 0;
  for (const line of lines) {
    const size = utf8Length(line) + 1;
    if (count >= maxLines || bytes + size > maxBytes) break;
    out += `${line}\n`;
    bytes += size;
    count++;
  }
  return out;
}

export function renderVhsOutput(summary: VhsSummary, text: string): string {
  return (
    `${summary.ref}\n` +
    `# Summary: Entry ${summary.entry} depth=${summary.depth} functions=${summary.functions} files=${summary.files}\n` +
    `# Preview:\n` +
    preview(text)
  );
}
