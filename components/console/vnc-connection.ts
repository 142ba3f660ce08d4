// The browser side of a VNC console: a fresh single-use ticket per attempt, the panel's
// `/ws/terminal` websocket carrying raw RFB (lib/console/protocol.ts) handed to noVNC's RFB client,
// and the rules for reconnecting. The panel says why a console ended in the close frame's reason
// (`<reason>: <sentence>`; `busy: {json}` when someone else holds it), which noVNC does not
// surface, so the socket is made here and its close is read before noVNC reports a disconnect.
// An unexpected drop is retried with back-off; a take-over, a stopped VM or an idle end is not.
import type RFB from "@novnc/novnc";
import { ReconnectCountdown } from "@/components/console/reconnect-countdown";
import type { TicketOutcome } from "@/components/terminal/terminal-connection";

/** What the page shows about the console's connection. */
export type VncState =
  | { phase: "connecting"; attempt: number }
  | { phase: "connected"; desktop: string }
  | { phase: "reconnecting"; seconds: number; attempt: number }
  | { phase: "busy"; holder: { user: string; since: string; you: boolean } }
  | { phase: "ended"; reason: string; message: string };

export interface VncConnectionOptions {
  getTicket(): Promise<TicketOutcome>;
  /** Where noVNC draws. */
  screen: HTMLElement;
  /** Loads noVNC (it touches `window`, so it is imported in the browser only). */
  loadRfb(): Promise<typeof RFB>;
  /** Shared: have KubeVirt refuse rather than replace a viewer the panel does not know of (`preserveSession`). */
  shared(): boolean;
  /** Applies the page's settings (view only, scaling) to a new RFB client. */
  configure(rfb: RFB): void;
  state(state: VncState): void;
}

const BUSY_CLOSE_CODE = 4409;
/** Ends after which reconnecting by itself would fight the user or the panel. */
const FINAL_REASONS = new Set(["taken-over", "vm-gone", "idle-timeout", "ended-by-admin", "client-closed", "exited"]);

/** Parses the panel's close reason: `<reason>: <sentence>`. */
export function parseCloseReason(code: number, reason: string): { kind: "busy"; holder: { user: string; since: string; you: boolean } } | { kind: "end"; reason: string; message: string } | null {
  const match = /^([a-z-]+): ([\s\S]*)$/.exec(reason);
  if (!match) return null;
  if (code === BUSY_CLOSE_CODE && match[1] === "busy") {
    try {
      const holder = JSON.parse(match[2]!) as { user?: unknown; since?: unknown; you?: unknown };
      return { kind: "busy", holder: { user: String(holder.user ?? "someone"), since: String(holder.since ?? ""), you: holder.you === true } };
    } catch {
      return { kind: "busy", holder: { user: "someone", since: "", you: false } };
    }
  }
  return { kind: "end", reason: match[1]!, message: match[2]! };
}

/** One VNC console's connection, across reconnects. */
export class VncConnection {
  rfb: RFB | null = null;
  private ws: WebSocket | null = null;
  private disposed = false;
  private refusals = 0;
  private takeOver = false;
  private readonly countdown = new ReconnectCountdown(({ seconds, attempt }) => this.opts.state({ phase: "reconnecting", seconds, attempt }));

  constructor(private readonly opts: VncConnectionOptions) {}

  /** Connects now (also "Reconnect"); `takeOver`: take the console from whoever holds it. */
  connect(options: { takeOver?: boolean } = {}): void {
    this.countdown.reset();
    this.refusals = 0;
    this.takeOver = options.takeOver === true;
    this.teardown();
    void this.attempt();
  }

  dispose(): void {
    this.disposed = true;
    this.countdown.cancel();
    this.teardown();
  }

  private teardown() {
    const rfb = this.rfb;
    this.rfb = null;
    this.ws = null;
    try {
      rfb?.disconnect();
    } catch {
      // already disconnected
    }
  }

  private async attempt(): Promise<void> {
    if (this.disposed) return;
    this.opts.state({ phase: "connecting", attempt: this.countdown.retries + 1 });
    let ticket: TicketOutcome;
    let Rfb: typeof RFB;
    try {
      [ticket, Rfb] = await Promise.all([this.opts.getTicket(), this.opts.loadRfb()]);
    } catch {
      return this.retryLater();
    }
    if (this.disposed) return;
    if (!ticket.ok) return ticket.final ? this.end("refused", ticket.message) : this.retryLater();
    this.open(Rfb, ticket.ticket);
  }

  private open(Rfb: typeof RFB, ticket: string) {
    const url = new URL("/ws/terminal", window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ ticket });
    if (this.takeOver) query.set("takeOver", "1");
    else if (this.opts.shared()) query.set("preserveSession", "1");
    url.search = query.toString();
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    let opened = false;
    let connected = false;
    ws.addEventListener("open", () => (opened = true));
    const rfb = new Rfb(this.opts.screen, ws, { shared: true });
    this.rfb = rfb;
    this.opts.configure(rfb);
    rfb.addEventListener("connect", () => {
      if (this.rfb !== rfb) return;
      connected = true;
      this.countdown.reset();
      this.refusals = 0;
      this.takeOver = false;
      this.opts.state({ phase: "connected", desktop: "" });
    });
    rfb.addEventListener("desktopname", (event) => {
      if (this.rfb === rfb && connected) this.opts.state({ phase: "connected", desktop: String((event as CustomEvent<{ name: string }>).detail.name ?? "") });
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws || this.disposed) return;
      this.ws = null;
      this.rfb = null;
      const said = parseCloseReason(event.code, event.reason);
      if (said?.kind === "busy") return this.opts.state({ phase: "busy", holder: said.holder });
      if (said?.kind === "end") {
        if (said.reason === "server-shutdown" || (said.reason === "error" && connected)) return this.retryLater();
        if (FINAL_REASONS.has(said.reason) || said.reason === "error") return this.end(said.reason, said.message);
      }
      if (!opened) {
        // A refused upgrade hides its reason: ask for a fresh ticket once (the action says not found / forbidden).
        this.refusals += 1;
        if (this.refusals >= 2) return this.end("refused", "The panel refused the console connection: the VM may not be running, or your access may have changed.");
        void this.attempt();
        return;
      }
      this.retryLater();
    });
  }

  private retryLater() {
    if (this.disposed) return;
    if (!this.countdown.schedule(() => void this.attempt())) this.end("lost", "Lost the connection to the console and could not get it back.");
  }


  private end(reason: string, message: string) {
    this.opts.state({ phase: "ended", reason, message });
  }
}
