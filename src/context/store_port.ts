/**
 * What the context command needs of the store (`openStore(...)` returns a superset): the
 * VHS and state calls of issues 3 and 4, by their contract names. Kept structural so the
 * engine can be tested with a stand-in and never imports the store's modules eagerly. The
 * shapes are state's own (type imports only: nothing of state/ is loaded by them).
 */
import type { DeliveryInput } from "../state/deliveries.ts";
import type { DeltaResult } from "../state/delta.ts";
import type { OpenedSession } from "../state/sessions.ts";

/** What the context command records of each symbol it sends: a delivery, as state/ defines it. */
export type ContextDelivery = DeliveryInput;

/** What state's checkDelta answers. */
export type ContextDeltaResult = DeltaResult;

/** What the context command reads of an opened session. */
export type OpenedContextSession = Pick<OpenedSession, "sessionId" | "drift">;

/** Where runContext found the project and its store folder (absolute paths). */
export interface ContextStoreLocation {
  project: string;
  root: string;
}

export interface ContextStore {
  readonly vhs: {
    put(data: string): Promise<string>;
    /** An `--include`: streamed, checked against its hash as it is read. */
    getStream(ref: string): Promise<ReadableStream<Uint8Array>>;
    /** The size of a binary include (its reading stops at the first binary byte). */
    info(ref: string): Promise<{ size: number } | null>;
  };
  readonly state: {
    openSession(sessionId: string, options: { repoFingerprint: string }): Promise<OpenedContextSession>;
    /** Opens the repo's default session (fingerprinting `projectRoot`) and reports it. */
    defaultSession(options: { projectRoot?: string }): Promise<OpenedContextSession>;
    repoFingerprint(projectRoot: string): Promise<string>;
    checkDelta(sessionId: string, etags: Map<string, string>): Promise<ContextDeltaResult>;
    recordDeliveries(sessionId: string, deliveries: ContextDelivery[]): Promise<unknown>;
  };
  close(): Promise<void>;
}
