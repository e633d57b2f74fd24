/**
 * Output sizes in the three units the limits count: tokens (characters / 4, rounded up, as
 * the Python CLI estimates them), lines and UTF-8 bytes. Sizes of pieces that each end with
 * a newline add up to the size of their concatenation (characters and bytes always; lines
 * because each piece's lines are whole).
 */

export interface Limits {
  /** Tokens, estimated as characters / 4. */
  budget?: number;
  maxLines?: number;
  maxBytes?: number;
}

export interface Size {
  chars: number;
  lines: number;
  bytes: number;
}

export const ZERO: Size = { chars: 0, lines: 0, bytes: 0 };

/** The size of a piece of output: its lines are its newlines (a piece may continue a line). */
export function sizeOf(text: string): Size {
  return { chars: text.length, lines: newlines(text), bytes: utf8Length(text) };
}

function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

export function addSize(a: Size, b: Size): Size {
  return { chars: a.chars + b.chars, lines: a.lines + b.lines, bytes: a.bytes + b.bytes };
}

export function subSize(a: Size, b: Size): Size {
  return { chars: Math.max(0, a.chars - b.chars), lines: Math.max(0, a.lines - b.lines), bytes: Math.max(0, a.bytes - b.bytes) };
}

export function tokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function hasLimits(limits: Limits): boolean {
  return limits.budget !== undefined || limits.maxLines !== undefined || limits.maxBytes !== undefined;
}

export function fitsSize(size: Size, limits: Limits): boolean {
  if (limits.budget !== undefined && tokens(size.chars) > limits.budget) return false;
  if (limits.maxLines !== undefined && size.lines > limits.maxLines) return false;
  if (limits.maxBytes !== undefined && size.bytes > limits.maxBytes) return false;
  return true;
}

/** Whether a whole output fits (a last line without a newline counts as a line). */
export function fits(text: string, limits: Limits): boolean {
  return fitsSize({ chars: text.length, lines: lineCount(text), bytes: utf8Length(text) }, limits);
}

export function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.length > 0 && !text.endsWith("\n") ? n + 1 : n;
}

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** `--budget 6000 --max-lines 40`: the limits as flags, for messages. */
export function limitFlags(limits: Limits): string {
  const flags: string[] = [];
  if (limits.budget !== undefined) flags.push(`--budget ${limits.budget}`);
  if (limits.maxLines !== undefined) flags.push(`--max-lines ${limits.maxLines}`);
  if (limits.maxBytes !== undefined) flags.push(`--max-bytes ${limits.maxBytes}`);
  return flags.join(" ");
}
