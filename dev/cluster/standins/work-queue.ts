// A keyed work queue for the stand-in controllers: one reconcile per key at a time,
// re-run when the key changed meanwhile, retried after a failure.
export type Reconcile = (key: string) => Promise<void>;

const retryDelayMs = 1_000;

/** Runs `reconcile(key)` for added keys, serialised per key. */
export class WorkQueue {
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly reconcile: Reconcile,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  /** Schedules a reconcile of `key`, now or after `delayMs`. */
  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.add(key);
      }, delayMs);
      this.timers.add(timer);
      return;
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    void this.run(key);
  }

  /** Drops pending work; reconciles already running finish on their own. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async run(key: string): Promise<void> {
    this.running.add(key);
    try {
      await this.reconcile(key);
    } catch (error) {
      if (!this.stopped) {
        this.onError(key, error);
        this.add(key, retryDelayMs);
      }
    } finally {
      this.running.delete(key);
    }
    if (this.dirty.delete(key)) this.add(key);
  }
}

/** `namespace/name`, the queue key of a namespaced object. */
export const objectKey = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ""}/${name ?? ""}`;

/** Splits an `objectKey` back into namespace and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
