// Remembers when each object entered its current phase, so controllers can hold a phase for a
// short, realistic time by re-queueing instead of sleeping.
export class PhaseClock {
  private readonly since = new Map<string, { phase: string | undefined; at: number }>();

  /** Milliseconds left before the object `uid` has spent `delayMs` in `phase` (0 when due). */
  remainingMs(uid: string, phase: string | undefined, delayMs: number): number {
    const seen = this.since.get(uid);
    const at = seen && seen.phase === phase ? seen.at : Date.now();
    this.since.set(uid, { phase, at });
    return Math.max(0, at + delayMs - Date.now());
  }

  forget(uid: string): void {
    this.since.delete(uid);
  }
}
