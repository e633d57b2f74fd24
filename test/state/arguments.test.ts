import { describe, expect, it } from "vitest";
import { isArgumentError } from "../../src/errors.ts";
import type { StateStore } from "../../src/state/state_store.ts";
import { tempDir } from "../helpers/tmp.ts";
import { openProjectStore } from "./helpers.ts";

const HASH = "ef".repeat(32);
const ok = { symbolId: "f", etag: "e", representation: "full" };
type Call = (s: StateStore) => Promise<unknown>;
// Bad arguments on purpose: the type checker would refuse most of them.
const any = (v: unknown) => v as never;

/** [what, call, error class, the argument name the message must quote] */
const CASES: Array<[string, Call, typeof TypeError | typeof RangeError, string]> = [
  ["openSession: empty session id", (s) => s.openSession("", { repoFingerprint: "fp" }), RangeError, "sessionId"],
  ["openSession: numeric session id", (s) => s.openSession(any(7), { repoFingerprint: "fp" }), TypeError, "sessionId"],
  ["openSession: session id with NUL", (s) => s.openSession("a\u0000b", { repoFingerprint: "fp" }), RangeError, "sessionId"],
  ["openSession: no options", (s) => s.openSession("s", any(undefined)), TypeError, "options"],
  ["openSession: missing fingerprint", (s) => s.openSession("s", any({})), TypeError, "options.repoFingerprint"],
  ["openSession: empty fingerprint", (s) => s.openSession("s", { repoFingerprint: "" }), RangeError, "options.repoFingerprint"],
  ["openSession: numeric language", (s) => s.openSession("s", { repoFingerprint: "fp", defaultLanguage: any(3) }), TypeError, "options.defaultLanguage"],
  ["openSession: misspelled option", (s) => s.openSession("s", any({ repoFingerprint: "fp", language: "py" })), TypeError, "options.language"],
  ["recordDelivery: not an object", (s) => s.recordDelivery(any("f")), TypeError, "delivery"],
  ["recordDelivery: empty session id", (s) => s.recordDelivery({ ...ok, sessionId: "" } as never), RangeError, "delivery.sessionId"],
  ["recordDelivery: empty symbol id", (s) => s.recordDelivery({ ...ok, sessionId: "s", symbolId: "" } as never), RangeError, "delivery.symbolId"],
  ["recordDelivery: missing symbol id", (s) => s.recordDelivery(any({ sessionId: "s", etag: "e", representation: "full" })), TypeError, "delivery.symbolId"],
  ["recordDelivery: numeric etag", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", etag: 12 })), TypeError, "delivery.etag"],
  ["recordDelivery: null etag", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", etag: null })), TypeError, "delivery.etag"],
  ["recordDelivery: empty etag", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", etag: "" })), RangeError, "delivery.etag"],
  ["recordDelivery: unknown representation", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", representation: "summary" })), RangeError, "delivery.representation"],
  ["recordDelivery: representation in capitals", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", representation: "FULL" })), RangeError, "delivery.representation"],
  ["recordDelivery: missing representation", (s) => s.recordDelivery(any({ sessionId: "s", symbolId: "f", etag: "e" })), TypeError, "delivery.representation"],
  ["recordDelivery: negative tokens", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", tokenEstimate: -1 })), RangeError, "delivery.tokenEstimate"],
  ["recordDelivery: fractional tokens", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", tokenEstimate: 1.5 })), RangeError, "delivery.tokenEstimate"],
  ["recordDelivery: NaN tokens", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", tokenEstimate: Number.NaN })), RangeError, "delivery.tokenEstimate"],
  ["recordDelivery: string tokens", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", tokenEstimate: "10" })), TypeError, "delivery.tokenEstimate"],
  ["recordDelivery: bad ref", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", vhsRef: "vhs://abc" })), RangeError, "delivery.vhsRef"],
  ["recordDelivery: upper-case ref", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", vhsRef: `vhs://${HASH.toUpperCase()}` })), RangeError, "delivery.vhsRef"],
  ["recordDelivery: numeric ref", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", vhsRef: 1 })), TypeError, "delivery.vhsRef"],
  ["recordDelivery: vhs_ref without a ref", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", representation: "vhs_ref" })), TypeError, "delivery.vhsRef"],
  ["recordDelivery: numeric code", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", codeSnapshot: 5 })), TypeError, "delivery.codeSnapshot"],
  ["recordDelivery: snake_case field", (s) => s.recordDelivery(any({ ...ok, sessionId: "s", token_estimate: 5 })), TypeError, "delivery.token_estimate"],
  ["recordDeliveries: empty session id", (s) => s.recordDeliveries("", [any(ok)]), RangeError, "sessionId"],
  ["recordDeliveries: not an array", (s) => s.recordDeliveries("s", any(ok)), TypeError, "deliveries"],
  ["recordDeliveries: bad entry", (s) => s.recordDeliveries("s", [any(ok), any({ ...ok, etag: 3 })]), TypeError, "deliveries[1].etag"],
  ["recordDeliveries: other session in entry", (s) => s.recordDeliveries("s", [any({ ...ok, sessionId: "t" })]), RangeError, "deliveries[0].sessionId"],
  ["getDelivery: empty session id", (s) => s.getDelivery("", "f"), RangeError, "sessionId"],
  ["getDelivery: empty symbol id", (s) => s.getDelivery("s", ""), RangeError, "symbolId"],
  ["getPreviousCode: numeric symbol id", (s) => s.getPreviousCode("s", any(1)), TypeError, "symbolId"],
  ["checkDelta: empty session id", (s) => s.checkDelta("", {}), RangeError, "sessionId"],
  ["checkDelta: array of etags", (s) => s.checkDelta("s", any(["e"])), TypeError, "etags"],
  ["checkDelta: null etags", (s) => s.checkDelta("s", any(null)), TypeError, "etags"],
  ["checkDelta: numeric etag", (s) => s.checkDelta("s", any({ f: 1 })), TypeError, 'etags["f"]'],
  ["checkDelta: empty symbol id in a Map", (s) => s.checkDelta("s", new Map([["", "e"]])), RangeError, "etags key"],
  ["checkDelta: symbol id with a NUL", (s) => s.checkDelta("s", { ok: "e", "a\u0000b": "e" }), RangeError, "etags key"],
  ["checkDelta: numeric symbol id in a Map", (s) => s.checkDelta("s", any(new Map([[1, "e"]]))), TypeError, "etags key"],
  ["checkDelta: empty etag after good ones", (s) => s.checkDelta("s", { a: "e", b: "e", c: "" }), RangeError, 'etags["c"]'],
  ["cleanupExpired: no options", (s) => s.cleanupExpired(any(undefined)), TypeError, "options"],
  ["cleanupExpired: negative ttl", (s) => s.cleanupExpired({ ttlSeconds: -1 }), RangeError, "options.ttlSeconds"],
  ["cleanupExpired: string ttl", (s) => s.cleanupExpired(any({ ttlSeconds: "60" })), TypeError, "options.ttlSeconds"],
  ["cleanupExpired: infinite ttl", (s) => s.cleanupExpired({ ttlSeconds: Infinity }), RangeError, "options.ttlSeconds"],
  ["cleanupExpired: misspelled option", (s) => s.cleanupExpired(any({ ttl: 60 })), TypeError, "options.ttl"],
  ["sessionStats: empty session id", (s) => s.sessionStats(""), RangeError, "sessionId"],
  ["defaultSession: numeric language", (s) => s.defaultSession({ defaultLanguage: any(1) }), TypeError, "options.defaultLanguage"],
  ["defaultSession: empty project root", (s) => s.defaultSession({ projectRoot: "" }), RangeError, "options.projectRoot"],
  ["repoFingerprint: no path", (s) => s.repoFingerprint(any(undefined)), TypeError, "projectRoot"],
];

describe("bad arguments", () => {
  it.each(CASES)("%s", async (_what, call, errorClass, name) => {
    const project = tempDir();
    const store = await openProjectStore(project);
    const err = await call(store.state).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errorClass);
    expect(isArgumentError(err)).toBe(true);
    expect((err as Error).message).toContain(`"${name}"`);
    // Nothing reached the disk.
    expect(await store.state.listSessions()).toEqual([]);
    await store.close();
  });
});
