/**
 * checkDelta in Python, with the plan tldrs uses (src/state/delta.ts): scan the session when it
 * holds at most twice the symbols asked about, else look them up 500 per statement. Part of the
 * Python side of bench/state.ts and bench/engines.ts; it needs `conn()` and `session` defined.
 * Returns (unchanged, changed, rehydrate).
 */
export const PYTHON_DELTA = String.raw`
def delta(etags):
    ids = list(etags)
    cached = {}
    c = conn()
    stored = c.execute("SELECT COUNT(*) FROM deliveries WHERE session_id = ?", (session,)).fetchone()[0]
    if stored <= 2 * len(ids):
        for r in c.execute("SELECT symbol_id, etag, representation, vhs_ref FROM deliveries WHERE session_id = ?", (session,)):
            cached[r[0]] = r[1:]
    else:
        for s in range(0, len(ids), 500):
            chunk = ids[s:s + 500]
            for r in c.execute("SELECT symbol_id, etag, representation, vhs_ref FROM deliveries WHERE session_id = ? AND symbol_id IN (%s)" % ",".join("?" * len(chunk)), (session, *chunk)):
                cached[r[0]] = r[1:]
    c.close()
    unchanged, changed, rehydrate = set(), set(), {}
    for sid, etag in etags.items():
        hit = cached.get(sid)
        if hit and hit[0] == etag and hit[1] in ("full", "vhs_ref"):
            unchanged.add(sid)
            if hit[2]:
                rehydrate[sid] = hit[2]
        else:
            changed.add(sid)
    return unchanged, changed, rehydrate
`;
