// The browser side of the `/ws/terminal` protocol (lib/console/protocol.ts), without any UI:
// a fresh single-use ticket for every attempt, binary frames both ways, JSON control frames,
// and the rules for when to reconnect by itself. An unexpected drop (network, proxy, panel
// restart) is retried with backoff; a deliberate end (`exit`: the shell exited, the pod went
// away, an admin ended it, access was revoked) is not — the user decides with "Reconnect".
import { ReconnectCountdown } from "@/components/console/reconnect-countdown";
import type { EndReason, ServerMessage } from "@/lib/console/protocol";

/** What the page shows about the connection. */
export type ConnectionState =
  | { phase: "connecting"; attempt: number }
  | { phase: "connected"; sessionId: string; target: string; recording: boolean }
  | { phase: "reconnecting"; seconds: number; attempt: number }
  /** A VM console someone else holds (`you`: the user's own other window); nothing was opened. */
  | { phase: "busy"; holder: { user: string; since: string; you: boolean } }
  | { phase: "ended"; reason: EndReason | "refused" | "lost"; message: string };

/** A ticket, or why there is none (`final`: asking again will not help, e.g. not found or forbidden). */
export type TicketOutcome = { ok: true; ticket: string } | { ok: false; message: string; final: boolean };

export interface ConnectionOptions {
  /** Asks the server for a new ticket; throws when the panel cannot be reached. */
  getTicket(): Promise<TicketOutcome>;
  /** The terminal's current size, sent in the URL so the PTY starts at the right size. */
  size(): { cols: number; rows: number };
  output(data: Uint8Array): void;
  notice(message: string): void;
  state(state: ConnectionState): void;
  /**
   * A VM console: a connection the cluster dropped while it was up (reason `error`) is retried
   * like a network drop; the panel's other ends (taken over, VM stopped, idle) are not.
   */
  console?: boolean;
}


/** Why a connection could not be made although the panel gave a ticket (refused upgrade). */
const REFUSED_MESSAGE = "The panel refused the terminal connection: the pod may not be running, or your access may have changed.";
const LOST_MESSAGE = "Lost the connection to the panel and could not get it back.";

/** One terminal's connection to the panel, across reconnects. */
export class TerminalConnection {
  private ws: WebSocket | null = null;
  private disposed = false;
  private ready = false;
  private refusals = 0;
  private readonly countdown = new ReconnectCountdown(({ seconds, attempt }) => this.opts.state({ phase: "reconnecting", seconds, attempt }));
  private readonly encoder = new TextEncoder();
  /** The next attempt takes the console over (a user's choice; automatic reconnects never do). */
  private takeOver = false;

  constructor(private readonly opts: ConnectionOptions) {}

  /** Connects now, dropping any pending retry (also what "Reconnect" does); `takeOver`: take a VM console from whoever holds it. */
  connect(options: { takeOver?: boolean } = {}): void {
    this.countdown.reset();
    this.refusals = 0;
    this.takeOver = options.takeOver === true;
    void this.attempt();
  }

  /** Sends keystrokes or pasted text; dropped while not connected (nothing would read them). */
  send(data: string | Uint8Array): void {
    if (!this.ready || this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(typeof data === "string" ? this.encoder.encode(data) : data);
  }

  /** Tells the PTY its new size. */
  resize(cols: number, rows: number): void {
    if (!this.ready || this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: "resize", cols, rows }));
  }

  /** Closes for good (the tab was closed or the page left). */
  dispose(): void {
    this.disposed = true;
    this.countdown.cancel();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, "closed by the user");
  }

  private async attempt(): Promise<void> {
    if (this.disposed) return;
    this.ready = false;
    this.opts.state({ phase: "connecting", attempt: this.countdown.retries + 1 });
    let ticket: TicketOutcome;
    try {
      ticket = await this.opts.getTicket();
    } catch {
      // The panel itself is unreachable (network down, restarting): try again later.
      return this.retryLater();
    }
    if (this.disposed) return;
    if (!ticket.ok) {
      if (ticket.final) return this.end("refused", ticket.message);
      return this.retryLater();
    }
    this.open(ticket.ticket);
  }

  private open(ticket: string) {
    const url = new URL("/ws/terminal", window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    const { cols, rows } = this.opts.size();
    const query = new URLSearchParams({ ticket, cols: String(cols), rows: String(rows) });
    if (this.takeOver) query.set("takeOver", "1");
    url.search = query.toString();
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    let opened = false;
    let exit: Extract<ServerMessage, { type: "exit" }> | null = null;
    let busy: Extract<ServerMessage, { type: "busy" }> | null = null;
    let wasReady = false;

    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (this.ws !== ws) return;
      if (typeof event.data !== "string") {
        this.opts.output(new Uint8Array(event.data));
        return;
      }
      const message = parseServerMessage(event.data);
      if (!message) return;
      if (message.type === "ready") {
        this.ready = true;
        wasReady = true;
        this.takeOver = false;
        this.countdown.reset();
        this.refusals = 0;
        this.opts.state({ phase: "connected", sessionId: message.sessionId, target: message.target, recording: message.recording });
        // The size may have changed while the session was being set up.
        const size = this.opts.size();
        this.resize(size.cols, size.rows);
      } else if (message.type === "notice") {
        this.opts.notice(message.message);
      } else if (message.type === "exit") {
        exit = message;
      } else if (message.type === "busy") {
        busy = message;
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      if (this.disposed) return;
      if (busy) return this.opts.state({ phase: "busy", holder: busy.holder });
      if (exit) {
        // A panel restart is the one deliberate end worth retrying by itself (and a console the cluster dropped).
        if (exit.reason === "server-shutdown") return this.retryLater();
        if (this.opts.console && exit.reason === "error" && wasReady) return this.retryLater();
        return this.end(exit.reason, exit.message);
      }
      if (!opened) {
        // A refused upgrade carries its reason only in a header the browser hides. Ask for a
        // fresh ticket once: the server action says "not found" or "forbidden" when that is why.
        this.refusals += 1;
        if (this.refusals >= 2) return this.end("refused", REFUSED_MESSAGE);
        void this.attempt();
        return;
      }
      this.retryLater();
    };
  }

  private retryLater() {
    if (this.disposed) return;
    if (!this.countdown.schedule(() => void this.attempt())) this.end("lost", LOST_MESSAGE);
  }


  private end(reason: Extract<ConnectionState, { phase: "ended" }>["reason"], message: string) {
    this.ready = false;
    this.opts.state({ phase: "ended", reason, message });
  }
}

/** A control frame from the panel, or null when it is not one we understand. */
function parseServerMessage(text: string): ServerMessage | null {
  try {
    const value = JSON.parse(text) as { type?: unknown };
    return typeof value?.type === "string" ? (value as ServerMessage) : null;
  } catch {
    return null;
  }
}
