// One terminal session: a browser (or laptop tunnel) websocket joined to a bridge, with
// everything around it — the session row and audit row, byte counts, backpressure both ways,
// keepalive pings, the idle timeout, ending when the target goes away (its locator says when),
// admin termination and optional recording of the output. The wire protocol is in lib/console/protocol.ts.
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { AppError, ValidationError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { getUser } from "@/lib/users/service";
import { HIGH_WATER_MARK, LOW_WATER_MARK, type BridgeEvents, type BridgeOpener, type TerminalBridge } from "@/lib/console/bridges/bridge";
import type { DirectDial, LocatedTarget } from "@/lib/console/bridges/bridge";
import { locateTarget } from "@/lib/console/bridges/locator";
import { dialTcp } from "@/lib/console/bridges/target-port";
import { registerLiveSession } from "@/lib/console/session/live-sessions";
import { metrics } from "@/lib/observe/metrics";
import { clampSize, endMessage, parseClientMessage, type EndReason, type ServerMessage, type TerminalSize } from "@/lib/console/protocol";
import { CastRecorder, recordingPath } from "@/lib/console/session/recording";
import { finishSessionRecord, isRecordingEnabled, startSessionRecord, type SessionStart } from "@/lib/console/session/session-store";
import { EXCLUSIVE_MODES, type TerminalMode, type TerminalTarget } from "@/lib/console/targets";
import { holderOf, holderView, TAKEN_BY_OUTSIDER, takenOverBy, takenOverMessage, takeOverFrom, type ConsoleHolder } from "@/lib/console/session/console-holders";

/** How sessions run on this replica. */
export interface TerminalServiceOptions {
  db: Db;
  /** A session with no input for this long is closed. */
  idleTimeoutMs: number;
  /** How often the panel pings the client; a client that misses a whole interval is dropped. */
  keepaliveMs: number;
  /** Where recordings are spooled while their session runs (a directory on this replica). */
  recordingsDir: string;
  /** Which replica this is (stored on session rows). */
  hostId: string;
  /** The bridge for each mode. */
  openers: Partial<Record<TerminalMode, BridgeOpener>>;
  log?: (line: string) => void;
  /** How to dial a target's address on clusters whose ssh route is direct (default: TCP from this process). */
  dial?: DirectDial;
  /** Called once a session's rows are written (metrics, tests). */
  onEnded?: (ended: { sessionId: string; mode: TerminalMode; reason: EndReason }) => void;
}

/** One admitted session. */
export interface SessionRequest {
  principal: Principal;
  userId: string;
  target: TerminalTarget;
  mode: TerminalMode;
  size: TerminalSize;
  /** The located target, when admission already located it. */
  located?: LocatedTarget;
  /**
   * Raw byte pipe (the laptop tunnel, VNC): no control messages, no text written into the stream,
   * no recording; the end reason goes in the close frame.
   */
  raw: boolean;
  /** An exclusive console (serial, VNC): take it from whoever holds it instead of being told who does. */
  takeOver?: boolean;
  /** VNC: have KubeVirt refuse rather than replace a viewer it has (`preserveSession`); never when taking over. */
  preserveSession?: boolean;
}

/** The close code of a console refused because someone holds it (a `busy` message says who). */
export const BUSY_CLOSE_CODE = 4409;

const OPEN = 1;

function closeReason(text: string): string {
  // A close reason is at most 123 bytes of UTF-8.
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -2);
  return reason;
}

/** Runs a session on an open websocket until either side ends it; never throws. */
export async function runTerminalSession(ws: WebSocket, req: SessionRequest, opts: TerminalServiceOptions): Promise<void> {
  const { db, log = () => {} } = opts;
  const { target, mode } = req;
  const id = randomUUID();
  let size = req.size;
  let bytesIn = 0;
  let bytesOut = 0;
  const { consoleSessionsOpen, consoleBytes } = metrics();
  const countIn = consoleBytes.labels(mode, "in");
  const countOut = consoleBytes.labels(mode, "out");
  let bridge: TerminalBridge | null = null;
  let ended = false;
  let outputPaused = false;
  let inputPaused = false;
  let alive = true;
  let stopWatch: (() => void) | null = null;
  let recorder: CastRecorder | null = null;
  let start: (SessionStart & { startedAt: Date }) | null = null;
  const pendingInput: Buffer[] = [];
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));

  // Input waits until the bridge is up (an ssh client speaks first, before the port-forward exists).
  ws.pause();

  const resumeOutput = () => {
    if (outputPaused && ws.bufferedAmount < LOW_WATER_MARK) {
      outputPaused = false;
      bridge?.resume();
    }
  };

  // Output that arrives within one turn of the event loop goes out as one frame: a PTY hands
  // over a few KiB at a time, and a frame per piece costs the panel and the browser more than
  // the bytes do. Waiting for the turn to end adds microseconds, not a timer's milliseconds.
  let pendingOutput: Buffer[] = [];
  let pendingBytes = 0;
  let flushScheduled = false;
  const flushOutput = () => {
    flushScheduled = false;
    if (pendingBytes === 0) return;
    const chunk = pendingOutput.length === 1 ? pendingOutput[0]! : Buffer.concat(pendingOutput, pendingBytes);
    pendingOutput = [];
    pendingBytes = 0;
    if (ws.readyState !== OPEN) return;
    recorder?.output(chunk);
    ws.send(chunk, { binary: true }, resumeOutput);
    if (!outputPaused && ws.bufferedAmount > HIGH_WATER_MARK) {
      outputPaused = true;
      bridge?.pause();
    }
  };

  const sendControl = (message: ServerMessage) => {
    flushOutput(); // never ahead of the output before it
    if (!req.raw && ws.readyState === OPEN) ws.send(JSON.stringify(message));
  };

  const events: BridgeEvents = {
    data(chunk) {
      if (ended || ws.readyState !== OPEN) return;
      bytesOut += chunk.length;
      countOut.inc(chunk.length);
      pendingOutput.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= HIGH_WATER_MARK) flushOutput();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushOutput);
      }
    },
    drain() {
      if (inputPaused) {
        inputPaused = false;
        ws.resume();
      }
    },
    end(end) {
      if (end.reason === "target-closed") return void targetClosed(end.message, end.clean === true);
      void finish(end.reason, end.message, end.exitCode);
    },
    notice(message) {
      sendControl({ type: "notice", message });
    },
  };

  const writeInput = (data: Buffer) => {
    bytesIn += data.length;
    countIn.inc(data.length);
    if (!bridge!.write(data) && !inputPaused) {
      inputPaused = true;
      ws.pause();
    }
  };

  const idleTimer = setTimeout(() => {
    const minutes = Math.round(opts.idleTimeoutMs / 60_000);
    void finish("idle-timeout", minutes >= 1 ? `No input for ${minutes} minute${minutes === 1 ? "" : "s"}; the session was closed.` : undefined);
  }, opts.idleTimeoutMs);

  const keepalive = setInterval(() => {
    // A paused socket is not read, so its pongs are not seen either: judge only while reading.
    if (ws.isPaused) return;
    if (!alive) {
      void finish("client-closed", "The client stopped answering keepalive pings.");
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
  }, opts.keepaliveMs);

  ws.on("pong", () => (alive = true));
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (ended) return;
    alive = true;
    if (isBinary) {
      idleTimer.refresh();
      if (bridge) writeInput(data);
      else pendingInput.push(data);
      return;
    }
    if (req.raw) return;
    const message = parseClientMessage(data.toString("utf8"));
    if (message?.type === "resize") {
      idleTimer.refresh();
      size = clampSize(message.cols, message.rows);
      bridge?.resize(size);
      recorder?.resize(size);
    } else if (message?.type === "ping") {
      sendControl({ type: "pong" });
    }
  });
  ws.on("close", () => void finish("client-closed"));
  ws.on("error", () => void finish("client-closed"));

  consoleSessionsOpen.inc({ mode });
  const unregisterLive = registerLiveSession(id, {
    view: () => ({
      id,
      userId: req.userId,
      userLabel: start?.user.label ?? req.userId,
      orgId: target.orgId,
      teamId: target.teamId,
      workloadId: target.workloadId,
      target: target.label,
      mode,
      startedAt: start?.startedAt ?? new Date(),
      bytesIn,
      bytesOut,
      recording: recorder !== null,
    }),
    end: (reason, detail) => finish(reason, detail),
  });
  const unregister = () => {
    unregisterLive();
    consoleSessionsOpen.dec({ mode });
  };

  // A console's stream closed while its VM still runs. Another panel session that opened it since
  // took it over ("taken over by …"); a clean close with none is KubeVirt handing it to a client
  // outside the panel (virtctl), which the browser must not fight for by reconnecting; anything
  // else dropped (an error, which the browser retries).
  async function targetClosed(message: string, clean: boolean) {
    const exclusive = start !== null && EXCLUSIVE_MODES.has(mode);
    const by = exclusive ? await takenOverBy(db, { id, workloadId: target.workloadId, mode, startedAt: start!.startedAt }).catch(() => null) : null;
    if (by) return finish("taken-over", takenOverMessage(by, by.userId === req.userId));
    if (exclusive && clean) return finish("taken-over", TAKEN_BY_OUTSIDER);
    return finish("error", message);
  }

  // Someone holds this console and the viewer did not ask to take it: say who, open nothing, write no row.
  function refuseBusy(holder: ConsoleHolder) {
    ended = true;
    clearTimeout(idleTimer);
    clearInterval(keepalive);
    unregister();
    const view = holderView(holder, req.userId);
    if (ws.readyState === OPEN) {
      if (!req.raw) ws.send(JSON.stringify({ type: "busy", holder: view } satisfies ServerMessage));
      ws.close(BUSY_CLOSE_CODE, closeReason(req.raw ? `busy: ${JSON.stringify({ ...view, user: view.user.slice(0, 60) })}` : "busy"));
      if (ws.isPaused) ws.resume();
    }
    log(`terminal ${mode} ${target.label}: held by ${holder.userLabel}; not taken over`);
    finished();
  }

  async function finish(reason: EndReason, detail?: string, exitCode?: number) {
    if (ended) return done;
    ended = true;
    clearTimeout(idleTimer);
    clearInterval(keepalive);
    stopWatch?.();
    unregister();
    bridge?.close();
    flushOutput();
    const message = endMessage(reason, detail);
    if (ws.readyState === OPEN) {
      const code = reason === "error" ? 1011 : 1000;
      if (!req.raw) {
        ws.send(Buffer.from(`\r\n\x1b[1m[minicloud] ${message}\x1b[0m\r\n`, "utf8"), { binary: true });
        sendControl({ type: "exit", reason, message, ...(exitCode !== undefined ? { exitCode } : {}) });
      }
      // The tunnel helper reads "<reason>: <message>" from the close frame to decide what to print.
      ws.close(code, closeReason(req.raw ? `${reason}: ${message}` : message));
      // A paused socket (not open yet, or input held back) would never read the peer's answering
      // close frame, and the connection would linger for ws's 30 s close timeout. Input read
      // from here on is dropped (`ended`).
      if (ws.isPaused) ws.resume();
    }
    try {
      const recording = recorder ? await recorder.close() : null;
      if (start) await finishSessionRecord(db, start, { reason, bytesIn, bytesOut, recording, message, exitCode });
    } catch (error) {
      log(`terminal session ${id}: could not record its end: ${error instanceof Error ? error.message : String(error)}`);
    }
    log(`terminal session ${id} (${mode} ${target.label}) ended: ${reason}, ${bytesIn} bytes in, ${bytesOut} out`);
    if (start) opts.onEnded?.({ sessionId: id, mode, reason });
    finished();
    return done;
  }

  try {
    const user = await getUser(db, req.userId);
    const holder = EXCLUSIVE_MODES.has(mode) ? await holderOf(db, target.workloadId, mode) : null;
    if (ended) return done;
    if (holder && !req.takeOver) {
      refuseBusy(holder);
      return done;
    }
    const recordingOn = !req.raw && (await isRecordingEnabled(db, target.orgId));
    const file = recordingOn ? recordingPath(opts.recordingsDir, id) : null;
    const identity = { id, user: { userId: req.userId, label: user?.email ?? req.userId }, target, mode, hostId: opts.hostId, recorded: file !== null };
    const row = await startSessionRecord(db, identity);
    start = { ...identity, startedAt: row.startedAt };
    if (ended) {
      // The client left while the row was being written: record the end now that there is a row.
      await finishSessionRecord(db, start, { reason: "client-closed", bytesIn, bytesOut, recording: null, message: endMessage("client-closed") });
      opts.onEnded?.({ sessionId: id, mode, reason: "client-closed" });
      return;
    }
    if (file) recorder = new CastRecorder(file, size, { startedAt: row.startedAt, title: `${target.label} (${mode})` });
    // Our row exists, so a holder on another replica that loses its stream finds who took over.
    if (holder) await takeOverFrom(holder, { userId: req.userId, userLabel: identity.user.label });

    const opener = opts.openers[mode];
    if (!opener) throw new ValidationError(`A ${mode} terminal is not available here.`);
    const connection = await getClusterConnection(db, target.clusterId);
    const kc = connection.forTeam(target.teamId);
    const located = req.located ?? (await locateTarget({ db, target, cluster: connection, kc }));
    if (ended) return done;
    const stop = await located.watchGone((end) => events.end(end));
    if (ended) {
      stop();
      return done;
    }
    stopWatch = stop;
    const preserveSession = !holder && req.preserveSession === true;
    const dial = connection.sshRoute === "direct" ? (opts.dial ?? dialTcp) : undefined;
    const opened = await opener({ db, target, cluster: connection, kc, locator: located.locator, size, events, preserveSession, keepaliveMs: opts.keepaliveMs, dial });
    if (ended) {
      opened.close();
      return done;
    }
    bridge = opened;
    if (outputPaused) bridge.pause();
    sendControl({ type: "ready", sessionId: id, mode: mode as "exec" | "ssh" | "serial" | "vnc", target: target.label, recording: recorder !== null, idleTimeoutSeconds: Math.round(opts.idleTimeoutMs / 1000) });
    for (const chunk of pendingInput.splice(0)) writeInput(chunk);
    if (!inputPaused) ws.resume();
  } catch (error) {
    if (!(error instanceof AppError)) log(`terminal session ${id} failed to open: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void finish("error", error instanceof AppError ? error.message : "The terminal could not be opened. The error was logged.");
  }
  return done;
}
