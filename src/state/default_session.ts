/**
 * The repo's default session id, kept in `<store>/default_session_id` so that every
 * tool invocation in a repo without an explicit `--session-id` shares one session.
 *
 * Creating it must be atomic: two processes asking at once must end with the same id.
 * A new id is written whole to a private temp file, fsynced, and hard-linked to the
 * final name; `link` fails with EEXIST if another process got there first, and the
 * loser reads the winner's id (complete, since it was written before the link). The
 * Python store writes the file in place (`write_text`: truncate, then write), so a
 * reader may see it empty for an instant: an empty file is re-read for a short while
 * before it is taken as broken.
 *
 * What a file may hold: we write 16 lowercase hex and a newline. We accept, after
 * trimming, any single token of printable ASCII up to 128 characters, because the
 * Python store uses any non-blank content as the id and both tools must share one
 * session. An empty file is replaced (it names no session; the Python store replaces it
 * too). Anything else (several lines, binary, a huge file, a symlink, a folder) is not
 * ours to guess at: a TldrsError ECORRUPT names the file and says to delete it.
 */
import { errnoCode, TldrsError } from "../errors.ts";
import { publishByLink, randomHex, removeQuietly, writeNewFile } from "../file_ops.ts";
import { joinPath } from "../platform/path.ts";
import type { Platform, ReadableFile } from "../platform/port.ts";
import { readAt } from "../platform/read_at.ts";
import { sweepStaleFiles } from "../stale_files.ts";
import { ensureStoreRoot } from "../store_marks.ts";

export const DEFAULT_SESSION_FILE = "default_session_id";

/** Any id another tool may have written (see the header). */
const ACCEPTED_ID = /^[\x21-\x7e]{1,128}$/;
const MAX_FILE_BYTES = 4096;
/** An empty file is re-read this many times, this far apart, before it is replaced. */
const EMPTY_REREADS = 10;
const EMPTY_REREAD_MS = 20;
/** Bound on lost races and vanishing files before giving up (each round is a few file calls). */
const MAX_ROUNDS = 50;

type Found = { kind: "id"; id: string } | { kind: "missing" } | { kind: "empty" };

/** The default session id of the store at `root`, created if there is none. */
export async function readOrCreateDefaultSessionId(platform: Platform, root: string): Promise<string> {
  const path = joinPath(root, DEFAULT_SESSION_FILE);
  try {
    let empties = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const found = await readIdFile(platform, path);
      if (found.kind === "id") return found.id;
      if (found.kind === "missing") {
        const id = await publishNewId(platform, root, path, "create");
        if (id !== null) return id;
        continue; // lost the race: the winner's file is there now
      }
      if (++empties <= EMPTY_REREADS) {
        await platform.sleep(EMPTY_REREAD_MS);
        continue;
      }
      // Still empty: a crashed in-place writer left it. Replace it whole.
      return (await publishNewId(platform, root, path, "replace"))!;
    }
    throw new TldrsError("EIO", `Cannot settle the default session file "${path}": it keeps changing or disappearing`, { path });
  } catch (err) {
    if (err instanceof TldrsError) throw err;
    throw new TldrsError("EIO", `Cannot read or create the default session file "${path}": ${(err as Error).message}`, { path, cause: err });
  }
}

async function readIdFile(platform: Platform, path: string): Promise<Found> {
  let file: ReadableFile;
  try {
    file = await platform.openRead(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT") return { kind: "missing" };
    if (code === "ELOOP") throw corrupt(path, "it is a symbolic link");
    throw err;
  }
  try {
    const st = await file.stat();
    if (st.kind !== "file") throw corrupt(path, "it is not a regular file");
    if (st.size > MAX_FILE_BYTES) throw corrupt(path, `it is ${st.size} bytes long`);
    const text = new TextDecoder().decode(await readAt(file, 0, st.size)).trim();
    if (text === "") return { kind: "empty" };
    if (!ACCEPTED_ID.test(text)) throw corrupt(path, `it holds ${JSON.stringify(text.slice(0, 40))}`);
    return { kind: "id", id: text };
  } finally {
    await file.close();
  }
}

function corrupt(path: string, why: string): TldrsError {
  return new TldrsError("ECORRUPT", `Default session file "${path}" does not hold a session id: ${why}; delete it to start a new default session`, { path });
}

/**
 * Writes a new id to a temp file and puts it in place: by `link` ("create": null if the
 * name is taken) or by `rename` over an empty file ("replace").
 */
async function publishNewId(platform: Platform, root: string, path: string, mode: "create" | "replace"): Promise<string | null> {
  const id = randomHex(platform, 8);
  const content = new TextEncoder().encode(`${id}\n`);
  await ensureStoreRoot(platform, root);
  const tmp = joinPath(root, `${DEFAULT_SESSION_FILE}.tmp-${platform.pid}-${randomHex(platform, 4)}`);
  await writeNewFile(platform, tmp, content);
  let placed = false;
  try {
    if (mode === "replace") {
      await platform.rename(tmp, path);
      placed = true;
    } else {
      // Taken: another process's id won, and it is read next round.
      const outcome = await publishByLink(platform, tmp, path);
      if (outcome === "taken") return null;
      if (outcome === "unsupported") return await writeInPlace(platform, path, id, content);
    }
    await platform.syncDir(root);
    return id;
  } finally {
    if (!placed) await removeQuietly(platform, tmp); // a leftover temp file is harmless; never mask the real error
  }
}

/** Without hard links: create the final name exclusively and write it (readers wait out the empty instant). */
async function writeInPlace(platform: Platform, path: string, id: string, content: Uint8Array): Promise<string | null> {
  try {
    await writeNewFile(platform, path, content);
  } catch (err) {
    if (errnoCode(err) === "EEXIST") return null;
    throw err;
  }
  return id;
}

const TEMP_NAME = /^default_session_id\.tmp-\d+-[0-9a-f]{8}$/;

/**
 * Deletes the temp files of `publishNewId` that a process killed mid-way left in `root`, once
 * older than `graceMs` (a live writer holds one for a few milliseconds). Housekeeping: errors
 * are the caller's to ignore. Only names this module makes are touched.
 */
export function sweepStaleIdTemps(platform: Platform, root: string, graceMs: number): Promise<number> {
  return sweepStaleFiles(platform, root, (name) => TEMP_NAME.test(name), graceMs);
}
