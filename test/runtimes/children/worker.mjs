// A long-lived child that runs on Node, Deno and Bun alike: it takes one JSON command per
// line on stdin and answers one JSON line on stdout ({ id, ok, result } or { id, ok: false,
// error }). It uses the built package (dist/node.js), as users of `npm install tldrs` do.
//
// Commands (each names the store by `root`; stores stay open between commands):
//   open {root, lock?}                 open the store with these lock options
//   init {root}                        create the test's counter table
//   rows {root, tag, count}            `count` write transactions (a session "<tag>-<i>", counter + 1); {count, started, ended}
//   count {root}                       {sessions: {tag: n}, counter}
//   put {root, text, repeat?, compress?}  store text (repeated `repeat` times); the ref
//   get {root, ref}                    {size, sha256} of the blob's bytes
//   record {root, session, deliveries} open the session and record the deliveries
//   delta {root, session, etags}       checkDelta: {unchanged, changed, rehydrate}
//   hold {root}                        answer {pid, runtime}, then block inside a write transaction forever
//   close {root}
import { writeSync } from "node:fs";
import process from "node:process";
import { createInterface } from "node:readline";
import { createNodePlatform, openStore } from "../../../dist/node.js";
// The engine under a store is internal (not on the public surface): from its module in dist/.
import { stateDbOf } from "../../../dist/store.js";

const platform = createNodePlatform();
const stores = new Map();

function reply(message) {
  // Whole lines only: a pipe may take part of a write (and say EAGAIN when full).
  const bytes = new TextEncoder().encode(JSON.stringify(message) + "\n");
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(1, bytes, at, bytes.length - at);
    } catch (err) {
      if (err?.code !== "EAGAIN") throw err;
    }
  }
}

async function store(root, lock) {
  let s = stores.get(root);
  if (!s) {
    s = await openStore({ root, ...(lock ? { lock } : {}) });
    stores.set(root, s);
  }
  return s;
}

const commands = {
  async open({ root, lock }) {
    await store(root, lock);
    return platform.runtime;
  },
  async init({ root }) {
    const s = await store(root);
    await stateDbOf(s).write((db) => {
      db.run("CREATE TABLE IF NOT EXISTS counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
      db.run("INSERT OR IGNORE INTO counter VALUES ('c', 0)");
    });
    return true;
  },
  async rows({ root, tag, count }) {
    const s = await store(root);
    const started = Date.now();
    for (let i = 1; i <= count; i++) {
      await stateDbOf(s).write((db) => {
        const ts = new Date().toISOString().replace("Z", "000+00:00");
        db.run("INSERT INTO sessions (session_id, created_at, last_accessed, repo_fingerprint) VALUES (?, ?, ?, 'fp')", [`${tag}-${i}`, ts, ts]);
        db.run("UPDATE counter SET v = v + 1 WHERE k = 'c'");
      });
    }
    return { count, started, ended: Date.now() };
  },
  async count({ root }) {
    const s = await store(root);
    return stateDbOf(s).read((db) => {
      const sessions = {};
      for (const [id] of db.all("SELECT session_id FROM sessions")) {
        const tag = String(id).replace(/-\d+$/, "");
        sessions[tag] = (sessions[tag] ?? 0) + 1;
      }
      const counter = db.get("SELECT v FROM counter WHERE k = 'c'")?.[0] ?? null;
      return { sessions, counter };
    });
  },
  async put({ root, text, repeat = 1, compress }) {
    const s = await store(root);
    return s.vhs.put(text.repeat(repeat), compress === undefined ? undefined : { compress });
  },
  async get({ root, ref }) {
    const bytes = await (await store(root)).vhs.get(ref);
    const h = platform.createHasher();
    h.update(bytes);
    return { size: bytes.length, sha256: h.digestHex() };
  },
  async record({ root, session, deliveries }) {
    const s = await store(root);
    await s.state.openSession(session, { repoFingerprint: `fp-${platform.runtime}` });
    await s.state.recordDeliveries(session, deliveries);
    return true;
  },
  async delta({ root, session, etags }) {
    const d = await (await store(root)).state.checkDelta(session, etags);
    return { unchanged: [...d.unchanged].sort(), changed: [...d.changed].sort(), rehydrate: Object.fromEntries(d.rehydrate) };
  },
  async hold({ root }) {
    const s = await store(root);
    await stateDbOf(s).write((db) => {
      db.run("INSERT INTO sessions (session_id, created_at, last_accessed, repo_fingerprint) VALUES ('held', 'a', 'b', 'fp')");
      reply({ id: this.id, ok: true, result: { pid: process.pid, runtime: platform.runtime } });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until killed, using no CPU
    });
  },
  async close({ root }) {
    await stores.get(root)?.close();
    stores.delete(root);
    return true;
  },
};

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const { id, op, ...args } = JSON.parse(line);
  try {
    const result = await commands[op].call({ id }, args);
    reply({ id, ok: true, result });
  } catch (err) {
    reply({ id, ok: false, error: { code: err?.code, message: String(err?.message ?? err) } });
  }
}
for (const s of stores.values()) await s.close();
