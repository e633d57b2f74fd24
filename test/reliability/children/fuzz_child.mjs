// Mutation fuzz of a database image: mutants `from`..`to`-1 of the valid image `seed`, each
// opened by a fresh StateDb. Prints "start <i> <kind>" before and "end <i> <outcome>" after
// each, so the parent's watchdog can bound each mutant and name the one that hangs.
//
// Usage: node fuzz_child.mjs <dist/node.js URL> <seed image> <work dir> <from> <to>
// Outcome: "ok" (opened; integrity_check ok; a write went through and kept it ok),
// "refused:<code>" (a TldrsError on open: the file is reported, never used), or
// "BAD:<what>" (anything else: a finding).
import { mkdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import process from "node:process";

const [distUrl, seedPath, work, fromArg, toArg] = process.argv.slice(2);
const { createNodePlatform, isTldrsError } = await import(distUrl);
// StateDb is internal (off the public surface): from its module in dist/.
const { StateDb } = await import(new URL("./engine/state_db.js", distUrl).href);
const platform = createNodePlatform();
const seed = new Uint8Array(readFileSync(seedPath));
const PAGE = (seed[16] << 8) | seed[17] || 65536;

function rng(i) {
  let x = (i * 2654435761) >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const KINDS = ["flip-bytes", "flip-header", "swap-pages", "truncate-byte", "truncate-page", "zero-page", "copy-page", "garbage-run", "flip-page-headers", "header-fields"];

export function mutant(i) {
  const r = rng(i + 1);
  const kind = KINDS[i % KINDS.length];
  let m = seed.slice();
  const pages = Math.floor(m.length / PAGE);
  const page = () => r(pages);
  switch (kind) {
    case "flip-bytes":
      for (let k = 0, n = 1 + r(8); k < n; k++) m[r(m.length)] ^= 1 << r(8);
      break;
    case "flip-header":
      for (let k = 0, n = 1 + r(3); k < n; k++) m[r(100)] ^= 1 << r(8);
      break;
    case "swap-pages": {
      const a = page();
      const b = page();
      const tmp = m.slice(a * PAGE, (a + 1) * PAGE);
      m.copyWithin(a * PAGE, b * PAGE, (b + 1) * PAGE);
      m.set(tmp, b * PAGE);
      break;
    }
    case "truncate-byte":
      m = m.slice(0, r(m.length));
      break;
    case "truncate-page":
      m = m.slice(0, PAGE * r(pages));
      break;
    case "zero-page":
      m.fill(0, (1 + r(pages - 1)) * PAGE, (2 + r(pages - 1)) * PAGE);
      break;
    case "copy-page": {
      const a = page();
      m.copyWithin(page() * PAGE, a * PAGE, (a + 1) * PAGE);
      break;
    }
    case "garbage-run": {
      const at = r(m.length);
      for (let k = at, end = Math.min(m.length, at + 16 + r(240)); k < end; k++) m[k] = r(256);
      break;
    }
    case "flip-page-headers":
      for (let k = 0, n = 1 + r(4); k < n; k++) {
        const p = page();
        m[p * PAGE + (p === 0 ? 100 : 0) + r(12)] ^= 1 << r(8);
      }
      break;
    case "header-fields": {
      const fields = [28, 32, 36, 40, 44, 48, 52, 56, 64]; // page count, freelist, cookie, schema format, cache, vacuum, encoding, ...
      const f = fields[r(fields.length)];
      const v = r(4) === 0 ? 0xffffffff : r(1 << 16);
      new DataView(m.buffer).setUint32(f, v >>> 0);
      break;
    }
  }
  return { kind, bytes: m };
}

const line = (s) => writeSync(1, s + "\n");
const dir = `${work}/m`;
for (let i = Number(fromArg); i < Number(toArg); i++) {
  const { kind, bytes } = mutant(i);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/tldrs_state.db`;
  writeFileSync(path, bytes);
  line(`start ${i} ${kind}`);
  let outcome;
  const db = await StateDb.open(platform, path, { lock: { timeoutMs: 2000 } });
  try {
    const check = await db.read((d) => d.all("PRAGMA integrity_check").map((v) => String(v[0])));
    if (check.join() !== "ok") outcome = `BAD:opened but integrity_check says ${JSON.stringify(check.slice(0, 2))}`;
    else {
      await db.write((d) => d.run("INSERT OR REPLACE INTO sessions VALUES ('fuzz', 'a', 'b', 'fp', NULL)"));
      const after = await db.read((d) => String(d.get("PRAGMA integrity_check")[0]));
      outcome = after === "ok" ? "ok" : `BAD:integrity_check after a write says ${after}`;
    }
  } catch (err) {
    outcome = isTldrsError(err) ? `refused:${err.code}` : `BAD:${err?.name}: ${String(err?.message ?? err).slice(0, 200)}`;
  }
  await db.close();
  line(`end ${i} ${outcome}`);
}
line("done");
