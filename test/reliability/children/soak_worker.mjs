// One soak worker: random puts, gets, deliveries, delta checks, gc, verify and cleanup on a
// shared store, until the stop file appears. Every acknowledged operation is appended to
// this worker's log as one JSON line, fsynced before the next operation starts, so the
// checker knows exactly what was acknowledged even if this process is SIGKILLed.
//
// Usage: <runtime> soak_worker.mjs <dist/node.js URL> <root> <worker id> <log dir> <stop file> <scratch dir>
// Runs on Node, Deno (with the repo's deno.json) and Bun: node: built-ins only.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { Buffer } from "node:buffer";
import { createHash, randomBytes } from "node:crypto";
import process from "node:process";
import { contentFor } from "../soak_content.mjs";

const [distUrl, root, idArg, logDir, stopFile, scratchRoot] = process.argv.slice(2);
const { openStore } = await import(distUrl);
// The engine under a store is internal (not on the public surface): from its module in dist/.
const { stateDbOf } = await import(new URL("./store.js", distUrl).href);
const id = Number(idArg);
const runtime = process.versions.bun ? "bun" : process.versions.deno ? "deno" : "node";
const nonce = randomBytes(4).toString("hex");
const scratch = `${scratchRoot}/w${id}-${nonce}`;
mkdirSync(scratch, { recursive: true });

// ---- the log ---------------------------------------------------------------------------
const logPath = `${logDir}/worker-${id}.jsonl`;
/** What this worker saw acknowledged in earlier runs: rebuilt from its own log. */
const keep = []; // hashes of acknowledged keep puts, with src and size
const eph = []; // acknowledged ephemeral puts not deleted yet
const deliveries = new Map(); // "session\u0000sym" -> { etag, rep, start, clean }
{
  let text = "";
  try {
    text = readFileSync(logPath, "utf8");
  } catch {
    // first run
  }
  const pending = new Map();
  for (const line of text.split("\n")) {
    if (!line.endsWith("}")) continue; // a torn last line of a killed run
    const e = JSON.parse(line);
    if (e.t === "start") pending.clear(); // op numbers restart with each process
    else if (e.t === "put-start") pending.set(e.op, e);
    else if (e.t === "put-ack") {
      const s = pending.get(e.op);
      if (s && s.hash === e.hash) (s.kind === "keep" ? keep : eph).push({ hash: s.hash, src: s.src, size: s.size });
    } else if (e.t === "deliver-start") {
      for (const [sym, etag, rep] of e.items) deliveries.set(`${e.session}\u0000${sym}`, { etag, rep, start: e.at, clean: false });
      pending.set(e.op, e);
    } else if (e.t === "deliver-ack") {
      const s = pending.get(e.op);
      if (s) for (const [sym, etag, rep] of s.items) {
        const d = deliveries.get(`${s.session}\u0000${sym}`);
        if (d && d.etag === etag && d.rep === rep && d.start === s.at) d.clean = true;
      }
    } else if (e.t === "del-start" || e.t === "age-start") {
      const at = eph.findIndex((b) => b.hash === e.hash);
      if (at >= 0) eph.splice(at, 1); // may be gone: never read or delete it again
    }
  }
}
const fd = openSync(logPath, "a");
let opNo = 0;
function log(entry) {
  writeSync(fd, JSON.stringify({ ...entry, at: Date.now() }) + "\n");
  fsyncSync(fd);
}
log({ t: "start", pid: process.pid, runtime, nonce });

// ---- helpers ---------------------------------------------------------------------------
const rand = (n) => Math.floor(Math.random() * n);
const pick = (xs) => xs[rand(xs.length)];
const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const equal = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

function violation(what, detail) {
  log({ t: "violation", what, detail });
}

async function readAll(stream) {
  const parts = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Keep puts other workers acknowledged (their logs are append-only, fsynced lines). */
function othersKeep() {
  const out = [];
  for (const name of readdirSync(logDir)) {
    if (!name.startsWith("worker-") || name === `worker-${id}.jsonl`) continue;
    const starts = new Map();
    for (const line of readFileSync(`${logDir}/${name}`, "utf8").split("\n")) {
      if (!line.endsWith("}")) continue;
      const e = JSON.parse(line);
      if (e.t === "start") starts.clear(); // op numbers restart with each process
      else if (e.t === "put-start" && e.kind === "keep") starts.set(e.op, e);
      else if (e.t === "put-ack" && starts.get(e.op)?.hash === e.hash) out.push(starts.get(e.op));
    }
  }
  return out;
}

function sizeOfNextBlob() {
  const r = Math.random();
  if (r < 0.6) return 16 + rand(4000);
  if (r < 0.9) return 4096 + rand(60_000);
  return 65_536 + rand(240_000);
}

// ---- operations ------------------------------------------------------------------------
let store = await openStore({ root });
let seq = 0;

async function put(kind) {
  const src = `w${id}-${nonce}-${seq++}`;
  const size = sizeOfNextBlob();
  const bytes = contentFor(src, size);
  const hash = sha(bytes);
  const compress = pick([undefined, undefined, undefined, true, false]);
  const how = pick(["bytes", "bytes", "stream", "iterable", "file"]);
  const op = ++opNo;
  log({ t: "put-start", op, kind, src, size, hash, how });
  const opts = compress === undefined ? undefined : { compress };
  let ref;
  if (how === "bytes") ref = await store.vhs.put(bytes, opts);
  else if (how === "stream") {
    let at = 0;
    const stream = new ReadableStream({
      pull(c) {
        if (at >= bytes.length) return c.close();
        const n = 1 + rand(20_000);
        c.enqueue(bytes.slice(at, at + n));
        at += n;
      },
    });
    ref = await store.vhs.put(stream, opts);
  } else if (how === "iterable") {
    ref = await store.vhs.put(
      (async function* () {
        for (let at = 0; at < bytes.length; at += 8192) yield bytes.subarray(at, at + 8192);
      })(),
      opts,
    );
  } else {
    const file = `${scratch}/in-${seq}`;
    writeFileSync(file, bytes);
    ref = await store.vhs.putFile(file, opts);
    rmSync(file);
  }
  if (ref !== `vhs://${hash}`) violation("put returned another ref", { ref, hash });
  log({ t: "put-ack", op, hash });
  (kind === "keep" ? keep : eph).push({ hash, src, size });
}

async function getOne() {
  const mine = Math.random() < 0.6 || keep.length === 0;
  const pool = mine ? keep : othersKeep();
  if (pool.length === 0) return;
  const b = pick(pool);
  const ref = `vhs://${b.hash}`;
  const expected = contentFor(b.src, b.size);
  const how = pick(["get", "get", "stream", "file", "has", "info"]);
  let ok = true;
  if (how === "get") ok = equal(await store.vhs.get(ref), expected);
  else if (how === "stream") ok = equal(await readAll(await store.vhs.getStream(ref)), expected);
  else if (how === "file") {
    const out = `${scratch}/out-${seq++}`;
    await store.vhs.getToFile(ref, out);
    ok = equal(new Uint8Array(readFileSync(out)), expected);
    rmSync(out);
  } else if (how === "has") ok = (await store.vhs.has(ref)) === true;
  else {
    const info = await store.vhs.info(ref);
    ok = info !== null && info.size === b.size;
  }
  if (!ok) violation("acknowledged blob unreadable or wrong", { hash: b.hash, how, mine });
  log({ t: "get-ok", hash: b.hash, how, ok });
}

async function ageOrDelete() {
  if (eph.length === 0) return put("eph");
  const b = eph.splice(rand(eph.length), 1)[0];
  const op = ++opNo;
  if (Math.random() < 0.5) {
    // Mark it old: gc by age (maxAgeDays 1) may then remove it, and only it.
    log({ t: "age-start", op, hash: b.hash });
    await stateDbOf(store).write((d) => d.run("UPDATE objects SET last_accessed = '2020-01-01T00:00:00.000000+00:00' WHERE hash = ?", [b.hash]));
    log({ t: "age-ack", op, hash: b.hash });
  } else {
    log({ t: "del-start", op, hash: b.hash });
    const deleted = await store.vhs.delete(`vhs://${b.hash}`);
    log({ t: "del-ack", op, hash: b.hash, deleted });
  }
}

const REPS = ["full", "full", "vhs_ref", "incremental", "signature_only", "pdg_slice"];
const openedSessions = new Set();

async function deliver() {
  const session = `w${id}-s${rand(4)}`;
  if (!openedSessions.has(session)) {
    await store.state.openSession(session, { repoFingerprint: "soak" });
    openedSessions.add(session);
  }
  const n = 1 + rand(12);
  const items = [];
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    const sym = `sym${rand(30)}`;
    if (seen.has(sym)) continue;
    seen.add(sym);
    const rep = pick(REPS);
    const ref = rep === "vhs_ref" || (keep.length > 0 && Math.random() < 0.2) ? (keep.length > 0 ? `vhs://${pick(keep).hash}` : null) : null;
    items.push([sym, `e${randomBytes(3).toString("hex")}`, rep === "vhs_ref" && ref === null ? "full" : rep, ref]);
  }
  const op = ++opNo;
  const start = Date.now();
  log({ t: "deliver-start", op, session, items, start });
  for (const [sym, etag, rep] of items) deliveries.set(`${session}\u0000${sym}`, { etag, rep, start, clean: false });
  await store.state.recordDeliveries(
    session,
    items.map(([symbolId, etag, representation, vhsRef]) => ({ symbolId, etag, representation, vhsRef, tokenEstimate: rand(500), codeSnapshot: `code of ${symbolId} ${etag}` })),
  );
  log({ t: "deliver-ack", op, session });
  for (const [sym, etag, rep] of items) {
    const d = deliveries.get(`${session}\u0000${sym}`);
    if (d && d.etag === etag && d.rep === rep && d.start === start) d.clean = true;
  }
}

async function delta() {
  const session = `w${id}-s${rand(4)}`;
  const etags = {};
  const expect = new Map();
  for (const [key, d] of deliveries) {
    const [s, sym] = key.split("\u0000");
    if (s !== session || !d.clean || Math.random() < 0.3) continue;
    etags[sym] = d.etag;
    expect.set(sym, d);
  }
  etags["never-delivered"] = "x";
  const start = Date.now();
  const result = await store.state.checkDelta(session, etags);
  const misses = [];
  for (const [sym, d] of expect) {
    const shouldBeUnchanged = d.rep === "full" || d.rep === "vhs_ref";
    const isUnchanged = result.unchanged.has(sym);
    if (shouldBeUnchanged && !isUnchanged) misses.push({ sym, start: d.start }); // only cleanup may explain it
    if (!shouldBeUnchanged && isUnchanged) violation("delta says unchanged for a partial delivery", { session, sym, rep: d.rep });
  }
  if (result.unchanged.has("never-delivered")) violation("delta says unchanged for a symbol never delivered", { session });
  log({ t: "delta", session, checked: expect.size, misses, start });
}

async function gc() {
  const opts = { maxAgeDays: 1, keepLast: rand(4), ...(Math.random() < 0.3 ? { maxSizeMb: 100_000 } : {}), ...(Math.random() < 0.2 ? { dryRun: true } : {}) };
  const op = ++opNo;
  log({ t: "gc-start", op, opts });
  const report = await store.vhs.gc(opts);
  log({ t: "gc-ack", op, dryRun: report.dryRun, deleted: report.deleted.map((v) => v.hash), adopted: report.adopted.length });
}

async function verify() {
  const repair = Math.random() < 0.5;
  const r = await store.vhs.verify({ repair });
  if (r.corrupt.length > 0 || r.wrongSizes.length > 0) violation("verify found damage during the soak", { corrupt: r.corrupt, wrongSizes: r.wrongSizes });
  log({ t: "verify-ack", repair, checked: r.checked, corrupt: r.corrupt, wrongSizes: r.wrongSizes, missing: r.missingFiles.length, orphans: r.orphans.length });
}

async function cleanup(ttls) {
  const ttl = pick(ttls);
  const op = ++opNo;
  log({ t: "cleanup-start", op, ttl });
  const r = await store.state.cleanupExpired({ ttlSeconds: ttl });
  log({ t: "cleanup-ack", op, ttl, sessions: r.sessions, deliveries: r.deliveries });
}

async function defaultSession() {
  const s = await store.state.defaultSession({ projectRoot: scratch });
  log({ t: "default-ack", id: s.sessionId });
}

async function reopen() {
  await store.close();
  store = await openStore({ root });
  log({ t: "reopen" });
}

const ttls = (process.env["SOAK_TTLS"] ?? "2,5,3600").split(",").map(Number);
const OPS = [
  [30, () => put("keep")],
  [8, () => put("eph")],
  [8, ageOrDelete],
  [20, getOne],
  [14, deliver],
  [10, delta],
  [3, gc],
  [2, verify],
  [3, () => cleanup(ttls)],
  [1, defaultSession],
  [1, reopen],
];
const TOTAL = OPS.reduce((n, [w]) => n + w, 0);
function chooseOp() {
  let r = Math.random() * TOTAL;
  for (const [w, fn] of OPS) {
    if ((r -= w) < 0) return fn;
  }
  return OPS[0][1];
}

while (!existsSync(stopFile)) {
  const fn = chooseOp();
  try {
    await fn();
  } catch (err) {
    log({ t: "error", name: fn.name, code: err?.code ?? null, message: String(err?.message ?? err).slice(0, 500), stack: String(err?.stack ?? "").split("\n").slice(0, 6).join(" | ") });
  }
}
await store.close();
log({ t: "stop" });
closeSync(fd);
rmSync(scratch, { recursive: true, force: true });
