// The automatic reconnects of a browser console (terminal, serial, VNC): a retry after 1, 2, 4,
// 8, then 15 s, each counted down second by second for the page to show, until the retries are
// used up and the user decides. Used by components/terminal/terminal-connection.ts and
// components/console/vnc-connection.ts.

/** Delays before each automatic retry; after the last one the connection gives up and asks. */
export const RECONNECT_DELAYS_SECONDS = [1, 2, 4, 8, 15, 15, 15, 15];

/** The retries of one connection. */
export class ReconnectCountdown {
  #retries = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** `tick` hears every second left before retry number `attempt`. */
  constructor(private readonly tick: (left: { seconds: number; attempt: number }) => void) {}

  /** Retries since the last reset (the connection attempt under way is this + 1). */
  get retries(): number {
    return this.#retries;
  }

  /** Starts the count over (a connection that worked, or one the user asked for), dropping a pending retry. */
  reset(): void {
    this.cancel();
    this.#retries = 0;
  }

  /** Drops a pending retry. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Counts down to the next retry, then runs `retry`; false, and nothing scheduled, once the retries are used up. */
  schedule(retry: () => void): boolean {
    const delay = RECONNECT_DELAYS_SECONDS[this.#retries];
    if (delay === undefined) return false;
    this.cancel();
    this.#retries += 1;
    const attempt = this.#retries;
    let left = delay;
    const step = () => {
      if (left <= 0) {
        this.#timer = null;
        retry();
        return;
      }
      this.tick({ seconds: left, attempt });
      left -= 1;
      this.#timer = setTimeout(step, 1000);
    };
    step();
    return true;
  }
}
