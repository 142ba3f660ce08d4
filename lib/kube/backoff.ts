// Exponential backoff with jitter for reconnect loops (watches, event streams): each failure
// doubles the wait up to a cap, jitter spreads many clients apart (so a restarted apiserver
// is not hit by every panel replica at the same instant), and a healthy period resets it.

/** How a backoff grows. */
export interface BackoffOptions {
  /** First delay, before jitter (default 500 ms). */
  initialMs?: number;
  /** Largest delay, jitter included (default 30 s). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Fraction of the delay that is random, 0..1 (default 0.2: ±20 %). */
  jitter?: number;
  /** Random source in [0, 1), injectable for tests. */
  random?: () => number;
}

/** One backoff sequence: `next()` per failure, `reset()` after a healthy period. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.2;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; grows with each call until `reset()`. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt += 1;
    const spread = base * this.jitter * (this.random() * 2 - 1);
    return Math.round(Math.min(this.maxMs, Math.max(0, base + spread)));
  }

  /** Starts over from the initial delay. */
  reset(): void {
    this.attempt = 0;
  }

  /** How many delays were handed out since the last reset. */
  get failures(): number {
    return this.attempt;
  }
}
