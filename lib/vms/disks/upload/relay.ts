// Hands an upload's connection to the upload relay process (relay-process.ts: why a
// process of its own is said there). Once the panel has checked the upload and knows where it
// goes, `handOffUpload` takes the browser's connection from this process's HTTP server with the
// rest of the body unread, and sends it with what was read so far to the relay; the relay reports
// how the upload ended, and writes the answer the panel then gives (`answer`). The relay starts
// with the first upload, serves every upload after it, and ends with the panel; if it dies,
// uploads in flight end as cut off and the next upload starts it again.
// (Uploads made by calling lib/vms/disks/upload/service.ts directly, not over HTTP, are pumped
// in the calling process.)
import { fork, type ChildProcess } from "node:child_process";
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { fileURLToPath, pathToFileURL } from "node:url";
import { UnavailableError } from "@/lib/errors";
import { moduleLogger } from "@/lib/observe/log";
import type { UploadOutcome, UploadTarget } from "@/lib/vms/disks/upload/pump";
import type { FromRelay, ToRelay } from "@/lib/vms/disks/upload/relay-messages";

const relayLog = moduleLogger("upload-relay");

/** How long the relay process may take to start before the upload is refused as not possible right now. */
const READY_WAIT_MS = 15_000;

interface RelayProcess {
  child: ChildProcess;
  ready: Promise<void>;
  /** Uploads in flight: how to settle each one's outcome. */
  pending: Map<number, (outcome: UploadOutcome) => void>;
  /** Connections sent but not yet confirmed received: this process's copy, closed once the relay holds its own. */
  sending: Map<number, Socket>;
}

/** What of the panel's environment the relay gets: where programs and temporary files are, the locale, the mode. */
const RELAY_ENV = ["PATH", "TMPDIR", "LANG", "TZ", "NODE_ENV"] as const;

let current: RelayProcess | null = null;
let lastId = 0;

function startRelay(): RelayProcess {
  // The relay is TypeScript, run by the same loader as the panel (tsx), with Node's defaults otherwise.
  const loader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const child = fork(fileURLToPath(new URL("./relay-process.ts", import.meta.url)), [], {
    execArgv: ["--import", loader],
    serialization: "advanced", // Buffers as they are
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // None of the panel's settings and secrets (encryption key, database URL): it needs none.
    env: Object.fromEntries(RELAY_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]]))) as NodeJS.ProcessEnv,
  });
  const relay: RelayProcess = { child, pending: new Map(), sending: new Map(), ready: Promise.resolve() };
  relay.ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the upload relay did not start within ${READY_WAIT_MS / 1000} s`)), READY_WAIT_MS);
    child.once("exit", (code) => reject(new Error(`the upload relay ended (${code}) before it was ready`)));
    child.on("message", (message: FromRelay) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        relayLog.info({ pid: child.pid }, "upload relay process started");
        resolve();
      } else if (message.type === "received") {
        relay.sending.get(message.id)?.destroy();
        relay.sending.delete(message.id);
      } else if (message.type === "outcome") {
        relay.pending.get(message.id)?.(message.outcome);
        relay.pending.delete(message.id);
      }
    });
  });
  relay.ready.catch(() => child.kill());
  child.on("error", (error) => relayLog.error({ err: error }, "the upload relay process failed"));
  child.on("exit", (code, signal) => {
    if (current === relay) current = null;
    if (relay.pending.size > 0) relayLog.error({ code, signal, uploads: relay.pending.size }, "the upload relay process ended with uploads in flight");
    for (const settle of relay.pending.values()) settle({ ok: false, relayStopped: true });
    relay.pending.clear();
    // Sent, never received: this process's copy is the connection's last; the browser sees it end.
    for (const socket of relay.sending.values()) socket.destroy();
    relay.sending.clear();
  });
  // Neither the process nor its channel keeps this one alive (connections in flight do).
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  return relay;
}

function relayProcess(): RelayProcess {
  if (current === null || !current.child.connected) current = startRelay();
  return current;
}

/** The relay process's id while it runs (the upload benchmark counts its memory as the panel's). */
export function uploadRelayPid(): number | undefined {
  return current?.child.connected ? current.child.pid : undefined;
}

/** An upload carried by the relay process. */
export interface RelayedUpload {
  /** How the upload ended. */
  outcome: Promise<UploadOutcome>;
  /** Has the relay write this answer on the browser's connection (then close it). */
  answer(status: number, headers: Record<string, string>, body: string): void;
}

const NOT_RUNNING = "Uploads are not possible right now: the panel's upload process did not start. Try again in a moment; if it keeps failing, ask an admin to check the panel's log.";

/** An upload whose browser went away before it could be handed over. */
const GONE: RelayedUpload = { outcome: Promise.resolve({ ok: false, source: "cut" }), answer: () => {} };

/**
 * Hands the request's connection to the relay, which carries the body's remaining bytes (`length`
 * in all) to `target`. Throws UnavailableError when the relay cannot start (the panel's log says
 * why); the upload is never carried in this process instead, whose HTTP server gives a request
 * five minutes.
 */
export async function handOffUpload(req: IncomingMessage, target: UploadTarget, length: number): Promise<RelayedUpload> {
  const socket = req.socket;
  // server.ts serves plain HTTP (TLS ends in front of it): a connection's bytes are the request's.
  if (!(socket instanceof Socket) || socket instanceof TLSSocket) throw new UnavailableError(NOT_RUNNING);
  if (socket.destroyed) return GONE;
  let relay: RelayProcess;
  try {
    relay = relayProcess();
    await relay.ready;
  } catch (error) {
    relayLog.error({ err: error }, "the upload relay process could not start");
    throw new UnavailableError(NOT_RUNNING);
  }
  // Whatever this process still has to write on the connection (a `100 Continue`) goes first.
  await new Promise<void>((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
  if (socket.destroyed) return GONE;
  if (!relay.child.connected) throw new UnavailableError(NOT_RUNNING);

  // From here to the send, nothing awaits: the connection stops being read (the HTTP parser reads
  // it directly, and resumes it when the request is read: that must not happen again now), what
  // the request had buffered is taken, and the connection's handle goes to the relay with it.
  socket.resume = function (this: Socket) {
    return this;
  };
  socket.pause();
  const read: Buffer[] = [];
  for (let chunk: Buffer | null; (chunk = req.read() as Buffer | null) !== null; ) read.push(chunk);
  const id = ++lastId;
  const outcome = new Promise<UploadOutcome>((resolve) => relay.pending.set(id, resolve));
  const message: ToRelay = { type: "relay", id, target, length, head: Buffer.concat(read) };
  // Sent as a copy (keepOpen): this process closes its own once the relay says it holds the
  // connection — closing it sooner, or never (the relay gone before it got it), would lose the
  // connection or leave it hanging.
  relay.sending.set(id, socket);
  relay.child.send(message, socket, { keepOpen: true }, (error) => {
    if (!error) return;
    relay.pending.get(id)?.({ ok: false, relayStopped: true });
    relay.pending.delete(id);
    relay.sending.delete(id);
    socket.destroy();
  });
  return {
    outcome,
    answer: (status, headers, body) => {
      const answer: ToRelay = { type: "answer", id, status, headers, body };
      if (relay.child.connected) relay.child.send(answer);
    },
  };
}
