/**
 * repoFingerprint: which state of the repository a session was opened on.
 *
 * `git:<first 12 hex of HEAD>` when `<projectRoot>/.git` exists and HEAD resolves, else
 * `mtime:<whole seconds>` of the project folder, else `unknown`: the Python store's
 * values, so both tools agree on a session's fingerprint. The Python store asks
 * `git rev-parse HEAD`; we read the files git itself reads, which needs no `git` binary
 * and no process (https://git-scm.com/docs/gitrepository-layout):
 *
 *   .git/HEAD           "ref: refs/heads/main" or, detached, the commit hash
 *   .git/refs/heads/x   a loose ref: the hash (or "ref: ..." for a symbolic ref)
 *   .git/packed-refs    "<hash> <refname>" lines, "#" header, "^<hash>" peeled tags
 *   .git (a file)       "gitdir: <path>" in a linked worktree or a submodule; that
 *                       folder holds HEAD, and its `commondir` file names the folder
 *                       holding the shared refs and packed-refs
 *
 * A repository that uses the reftable ref backend, or an unborn branch (no commit yet,
 * where `git rev-parse HEAD` fails too), gets the mtime fallback, as in the Python store.
 */
import { errnoCode } from "../errors.ts";
import { joinPath } from "../platform/path.ts";
import type { Platform } from "../platform/port.ts";
import { checkNonEmptyString } from "../options.ts";

/** A commit id: sha1 (40 hex) or sha256 (64 hex) object format. */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** Refs HEAD may name. Refused: "..", absolute paths, anything git would not write. */
const REF_NAME = /^refs\/(?:[^/.\0][^/\0]*\/)*[^/.\0][^/\0]*$/;
/** Refs that live in each worktree's own folder rather than the common one. */
const PER_WORKTREE = /^refs\/(?:bisect|worktree|rewritten)\//;
/** Symbolic refs pointing to symbolic refs: git gives up after 5 levels too. */
const MAX_SYMREF_DEPTH = 5;

/** Why HEAD did not resolve; turned into the mtime fallback. */
class NotResolved extends Error {}

/** The fingerprint of the project at `projectRoot` (see above). */
export async function repoFingerprint(platform: Platform, projectRoot: string): Promise<string> {
  const root = platform.resolve(checkNonEmptyString("projectRoot", projectRoot));
  try {
    const head = await resolveHead(platform, root);
    return `git:${head.slice(0, 12)}`;
  } catch (err) {
    // Not a repository, an unborn branch, a layout we do not read, or an unreadable
    // file: all fall back, as the Python store falls back on any failure of git.
    if (!(err instanceof NotResolved) && errnoCode(err) === undefined) throw err;
  }
  try {
    const st = await platform.stat(root);
    return `mtime:${Math.floor(st.mtimeMs / 1000)}`;
  } catch (err) {
    if (errnoCode(err) === undefined) throw err;
    return "unknown";
  }
}

/** The commit id HEAD points to, read from the files; throws NotResolved or a platform error. */
async function resolveHead(platform: Platform, root: string): Promise<string> {
  const { gitDir, commonDir } = await findGitDirs(platform, root);
  let content = await readText(platform, joinPath(gitDir, "HEAD"));
  for (let depth = 0; depth <= MAX_SYMREF_DEPTH; depth++) {
    if (OBJECT_ID.test(content)) return content;
    const target = /^ref:\s*(\S+)$/.exec(content)?.[1];
    if (target === undefined || !REF_NAME.test(target)) throw new NotResolved(`unreadable ref ${JSON.stringify(content.slice(0, 80))}`);
    content = await readRef(platform, PER_WORKTREE.test(target) ? gitDir : commonDir, target);
  }
  throw new NotResolved("symbolic refs nested too deep");
}

/** `.git` as a folder, or as a `gitdir:` file (worktree, submodule) plus its `commondir`. */
async function findGitDirs(platform: Platform, root: string): Promise<{ gitDir: string; commonDir: string }> {
  const dotGit = joinPath(root, ".git");
  const st = await platform.stat(dotGit); // ENOENT: not a repository
  let gitDir = dotGit;
  if (st.kind === "file") {
    const line = await readText(platform, dotGit);
    const path = /^gitdir:\s*(.+)$/.exec(line)?.[1];
    if (path === undefined) throw new NotResolved(`"${dotGit}" does not name a gitdir`);
    gitDir = platform.resolve(root, path);
  }
  let commonDir = gitDir;
  try {
    commonDir = platform.resolve(gitDir, await readText(platform, joinPath(gitDir, "commondir")));
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw err;
  }
  return { gitDir, commonDir };
}

/** A ref's content: the loose file if there is one, else its packed-refs line. */
async function readRef(platform: Platform, dir: string, name: string): Promise<string> {
  try {
    return await readText(platform, joinPath(dir, name));
  } catch (err) {
    // ENOTDIR/EISDIR: a ref "a/b" where "a" is a file or "a/b" a folder; git looks in packed-refs then too.
    if (!["ENOENT", "ENOTDIR", "EISDIR"].includes(errnoCode(err) ?? "")) throw err;
  }
  let packed: string;
  try {
    packed = await readText(platform, joinPath(dir, "packed-refs"));
  } catch (err) {
    if (errnoCode(err) === "ENOENT") throw new NotResolved(`no ref ${name}`);
    throw err;
  }
  for (const line of packed.split("\n")) {
    if (line.startsWith("#") || line.startsWith("^")) continue;
    const space = line.indexOf(" ");
    if (space > 0 && line.slice(space + 1).trimEnd() === name) return line.slice(0, space);
  }
  throw new NotResolved(`no ref ${name}`); // an unborn branch
}

async function readText(platform: Platform, path: string): Promise<string> {
  return new TextDecoder().decode(await platform.readFile(path)).trim();
}
