// Short durations as the pods list shows them ("5m", "3h", "2d 4h"), computed against a clock
// the page passes in so the server's and the browser's first render agree.

/** "45s", "12m", "3h 5m", "2d 4h". */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** Age of something created at `iso`. */
export function age(iso: string, now: number): string {
  return shortDuration(now - new Date(iso).getTime());
}

/** Time left until `iso`, "expiring" once it has passed, "—" without one. */
export function timeLeft(iso: string | null, now: number): string {
  if (!iso) return "—";
  const left = new Date(iso).getTime() - now;
  return left > 0 ? shortDuration(left) : "expiring";
}
