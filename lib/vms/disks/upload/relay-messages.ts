// What the panel and its upload relay process (relay.ts, relay-process.ts) say to
// each other over the IPC channel. The connection travels beside a `relay` message as its handle.
import type { UploadOutcome, UploadTarget } from "./pump";

/** Panel → relay: carry this connection's request body (`head` is what the panel had already read of it) to the proxy. */
export interface RelayRequest {
  type: "relay";
  id: number;
  target: UploadTarget;
  /** The whole body's length (Content-Length), `head` included. */
  length: number;
  head: Uint8Array;
}

/** Panel → relay: write this answer on the connection, then close it. */
export interface RelayAnswer {
  type: "answer";
  id: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type ToRelay = RelayRequest | RelayAnswer;

/** Relay → panel: ready for connections; holding one (the panel may let go of its copy); or how one upload ended. */
export type FromRelay = { type: "ready" } | { type: "received"; id: number } | { type: "outcome"; id: number; outcome: UploadOutcome };
