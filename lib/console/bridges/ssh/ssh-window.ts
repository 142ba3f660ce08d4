// The receive window of the ssh bridge's shell channel, grown for bulk output.
//
// ssh2 (1.17) gives every channel a fixed 2 MiB receive window: the pod's sshd may send 2 MiB
// and then waits for the panel to grant more. Through a port-forward (apiserver → kubelet →
// sshd) a PTY's small packets pass several hops, and with only 2 MiB in flight each hop moves
// them a few KiB at a time: on the local control plane a 100 MiB stream ran at 30–40 MiB/s with
// 2 MiB, 50–55 with 16–32 MiB and 60–70 with 64 MiB, against about 65 for ssh2 straight to the
// sshd. So a session whose output streams in bulk gets a wider window:
// - it doubles (up to `max`) each time a whole window's worth of bytes arrived within a second,
//   so typing and ordinary output never widen it;
// - it is topped up only while output flows to the browser: when the session pauses (the
//   browser fell behind) nothing more is granted, so a paused session holds at most one window;
// - the growth beyond the default comes out of one budget per process, so many streaming
//   sessions cannot claim unbounded memory; without budget a session keeps the default.
//
// ssh2 has no option for this; the module uses three of its internals (a channel's
// `incoming.window` and `outgoing.id`, and the protocol's `channelWindowAdjust`) and does
// nothing when they are not there (a future ssh2), leaving ssh2's own 2 MiB window in charge.
import type { Client, ClientChannel } from "ssh2";

const MiB = 1024 * 1024;
/** ssh2's own window (its MAX_WINDOW). */
export const DEFAULT_WINDOW = 2 * MiB;
export const MAX_WINDOW = 32 * MiB;
/** Window growth beyond the default, summed over this process's sessions. */
export const GROWTH_BUDGET = 256 * MiB;
const GROWTH_INTERVAL_MS = 1000;

/** The growth budget, shared by the sessions of one process (tests make their own). */
export class WindowBudget {
  constructor(private available: number) {}
  /** Takes up to `bytes`; returns what was taken. */
  take(bytes: number): number {
    const taken = Math.max(0, Math.min(bytes, this.available));
    this.available -= taken;
    return taken;
  }
  give(bytes: number): void {
    this.available += bytes;
  }
  get remaining(): number {
    return this.available;
  }
}

const processBudget = new WindowBudget(GROWTH_BUDGET);

/** What the bridge tells the window. */
export interface ReceiveWindow {
  /** Bytes the shell delivered (stdout or stderr), after the bridge passed them on. */
  received(bytes: number): void;
  pause(): void;
  resume(): void;
  /** Returns the growth to the budget (the session ended). */
  close(): void;
  /** The current target window in bytes. */
  readonly size: number;
}

interface ChannelInternals {
  incoming: { window: number };
  outgoing: { id: number; state: string };
}
interface ProtocolInternals {
  channelWindowAdjust(id: number, amount: number): void;
}

export interface ReceiveWindowOptions {
  max?: number;
  budget?: WindowBudget;
  now?: () => number;
}

/** The adaptive window of `channel` on `client`; a fixed (ssh2's own) window when ssh2's internals are not as expected. */
export function adaptiveReceiveWindow(client: Client, channel: ClientChannel, options: ReceiveWindowOptions = {}): ReceiveWindow {
  const { max = MAX_WINDOW, budget = processBudget, now = Date.now } = options;
  const internals = channel as unknown as Partial<ChannelInternals>;
  const protocol = (client as unknown as { _protocol?: Partial<ProtocolInternals> })._protocol;
  const usable = typeof internals.incoming?.window === "number" && typeof internals.outgoing?.id === "number" && typeof protocol?.channelWindowAdjust === "function";
  if (!usable) {
    return { received() {}, pause() {}, resume() {}, close() {}, size: DEFAULT_WINDOW };
  }
  const { incoming, outgoing } = internals as ChannelInternals;
  const adjust = (protocol as ProtocolInternals).channelWindowAdjust.bind(protocol);

  let size = DEFAULT_WINDOW;
  let grown = 0; // taken from the budget
  let paused = false;
  let closed = false;
  let markAt = now();
  let sinceMark = 0;

  const topUp = () => {
    if (paused || closed || outgoing.state !== "open") return;
    const missing = size - incoming.window;
    // Granting in halves keeps the adjust messages few (as ssh2 itself does at 1 MiB of 2).
    if (missing < size / 2) return;
    incoming.window += missing;
    adjust(outgoing.id, missing);
  };

  return {
    received(bytes) {
      if (paused || closed) return;
      sinceMark += bytes;
      if (sinceMark >= size) {
        const at = now();
        if (at - markAt <= GROWTH_INTERVAL_MS && size < max) {
          const extra = budget.take(Math.min(max, size * 2) - size);
          grown += extra;
          size += extra;
        }
        markAt = at;
        sinceMark = 0;
      }
      topUp();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      markAt = now();
      sinceMark = 0;
      topUp();
    },
    close() {
      if (closed) return;
      closed = true;
      budget.give(grown);
      grown = 0;
    },
    get size() {
      return size;
    },
  };
}
