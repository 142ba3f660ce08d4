// The list-then-watch loop behind every watch cache, written out instead of client-node's
// informer because the informer gives up on the first error that is not a 410. Here:
//
//   list → watch from the list's resourceVersion (with bookmarks, which move it forward)
//     → closed normally: watch again from the last resourceVersion seen (no relist)
//     → 410 Gone (HTTP 410, or an ERROR event with code 410): relist once, then watch
//     → any other failure (refused, 429 right after CRDs appear, unreachable): wait with
//       exponential backoff + jitter, then retry what failed; a long healthy watch resets it
//
// A watch that closes right after opening counts as a failure too, so a server that ends
// every watch at once still sees growing delays — never a tight loop of re-watches. A relist
// replaces the store and reports only what differs (ADDED / MODIFIED / DELETED), so the
// changes missed while disconnected arrive as a diff, not as a flood of every object.
//
// The list and watch calls are injected (`ListWatch`), so the loop is tested with fakes.
import type { KubernetesObject } from "@kubernetes/client-node";
import { Backoff } from "@/lib/kube/backoff";
import { httpStatusOf } from "@/lib/kube/transport";
import { moduleLogger } from "@/lib/observe/log";
import { metrics } from "@/lib/observe/metrics";
import { outsideRequest } from "@/lib/observe/request-context";

/** One complete list: its items and the resourceVersion to watch from. */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** An open watch, as far as the loop needs it. */
export interface WatchHandle {
  abort(): void;
}

/**
 * The calls the loop makes. `watch` reports every event through `onEvent` (type as the API
 * sends it: ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) and its end once through `onClose`
 * (null: closed normally, e.g. the server's timeout; otherwise the error).
 */
export interface ListWatch<T> {
  list(): Promise<ListResult<T>>;
  watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, onClose: (error: unknown) => void): Promise<WatchHandle>;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/** What changed in the store. `initial` marks the first list (the store filling up, not news). */
export interface StoreChange<T> {
  type: ChangeType;
  object: T;
  /** The stored version this change replaced or removed. */
  previous?: T;
  initial: boolean;
}

/** Counters for monitoring and tests. */
export interface ReflectorStats {
  objects: number;
  /** List calls made (successful or not). */
  lists: number;
  /** Successful lists after the first one (each caused by a 410 Gone). */
  relists: number;
  /** Watches opened. */
  watches: number;
  /** Watches opened again after one ended (normal close, 410 or error). */
  watchRestarts: number;
  /** Failed lists and watches. */
  errors: number;
  synced: boolean;
}

export interface ReflectorOptions<T> {
  listWatch: ListWatch<T>;
  /** What is watched, for the panel's metrics (e.g. "pods"). */
  resource?: string;
  onChange: (change: StoreChange<T>) => void;
  /** Called when a list or watch fails (before the backoff delay). */
  onError?: (error: unknown) => void;
  /** Store key (default: the object's uid). */
  keyOf?: (object: T) => string;
  backoff?: Backoff;
  /** A watch shorter than this that closes normally counts as a failure (default 1 s). */
  minHealthyWatchMs?: number;
  /** A watch that stayed open this long resets the backoff (default 60 s). */
  resetBackoffAfterMs?: number;
  now?: () => number;
}

type WatchOutcome = { kind: "closed" | "gone" | "error" | "stopped"; error?: unknown; durationMs: number };

const uidOf = (object: KubernetesObject) => object.metadata?.uid ?? `${object.metadata?.namespace}/${object.metadata?.name}`;

/** Whether an error or an ERROR event's Status says the resourceVersion is too old (410 Gone). */
export function isGone(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return statusCode === 410 || code === 410 || httpStatusOf(error) === 410;
}

/** Keeps a store of `T` in step with the API server; see the file comment for the loop. */
export class Reflector<T extends KubernetesObject> {
  private readonly store = new Map<string, T>();
  private readonly keyOf: (object: T) => string;
  private readonly backoff: Backoff;
  private readonly minHealthyWatchMs: number;
  private readonly resetBackoffAfterMs: number;
  private readonly now: () => number;
  private resourceVersion = "";
  private needsList = true;
  private synced = false;
  private stopped = false;
  private running = false;
  private cancelWait?: () => void;
  private stopWatch?: () => void;
  private readonly counters = { lists: 0, relists: 0, watches: 0, errors: 0 };
  private syncWaiters: Array<() => void> = [];
  /** The most recent failure, cleared by the next successful list or healthy watch. */
  lastError: unknown;

  constructor(private readonly options: ReflectorOptions<T>) {
    this.keyOf = options.keyOf ?? uidOf;
    this.backoff = options.backoff ?? new Backoff();
    this.minHealthyWatchMs = options.minHealthyWatchMs ?? 1_000;
    this.resetBackoffAfterMs = options.resetBackoffAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Starts the loop (once), outside the request that asked for it: the watch serves everyone. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void outsideRequest(() => this.run());
  }

  /** Ends the loop and closes the open watch; the store keeps its last contents. */
  stop(): void {
    this.stopped = true;
    this.cancelWait?.();
    this.stopWatch?.();
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  /** Whether the first list has completed. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list completed (or the reflector stopped). */
  whenSynced(): Promise<void> {
    if (this.synced || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The stored object under `key`. */
  get(key: string): T | undefined {
    return this.store.get(key);
  }

  /** Every stored object. */
  values(): IterableIterator<T> {
    return this.store.values();
  }

  stats(): ReflectorStats {
    return {
      objects: this.store.size,
      ...this.counters,
      watchRestarts: Math.max(0, this.counters.watches - 1),
      synced: this.synced,
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.needsList) {
        try {
          await this.list();
        } catch (error) {
          if (this.stopped) return;
          this.fail(error);
          await this.wait(this.backoff.next());
          continue;
        }
        if (this.stopped) return;
      }
      const outcome = await this.watchOnce();
      if (outcome.kind === "stopped" || this.stopped) return;
      if (outcome.durationMs >= this.resetBackoffAfterMs) this.backoff.reset();
      const healthy = outcome.durationMs >= this.minHealthyWatchMs;
      let delay = 0;
      switch (outcome.kind) {
        case "closed":
          if (healthy) this.lastError = undefined;
          else delay = this.backoff.next();
          break;
        case "gone":
          // Our resourceVersion is older than the server keeps: only a new list helps.
          this.needsList = true;
          if (!healthy) delay = this.backoff.next();
          break;
        case "error":
          this.fail(outcome.error);
          delay = this.backoff.next();
          break;
      }
      if (delay > 0) await this.wait(delay);
    }
  }

  private fail(error: unknown): void {
    this.counters.errors += 1;
    this.lastError = error;
    this.options.onError?.(error);
  }

  private async list(): Promise<void> {
    this.counters.lists += 1;
    const { items, resourceVersion } = await this.options.listWatch.list();
    if (this.stopped) return;
    const initial = !this.synced;
    if (!initial) this.counters.relists += 1;
    metrics().watchLists.inc({ resource: this.options.resource ?? "other", relist: String(!initial) });
    this.replace(items, initial);
    this.resourceVersion = resourceVersion;
    this.needsList = false;
    this.lastError = undefined;
    if (initial) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  /** Replaces the store with a fresh list, reporting only what differs from what was stored. */
  private replace(items: T[], initial: boolean): void {
    const next = new Map<string, T>();
    for (const item of items) next.set(this.keyOf(item), item);
    const changes: StoreChange<T>[] = [];
    for (const [key, previous] of this.store) {
      if (!next.has(key)) changes.push({ type: "DELETED", object: previous, previous, initial });
    }
    for (const [key, object] of next) {
      const previous = this.store.get(key);
      if (!previous) changes.push({ type: "ADDED", object, initial });
      // resourceVersions are opaque: equal or not, never ordered.
      else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) changes.push({ type: "MODIFIED", object, previous, initial });
    }
    this.store.clear();
    for (const [key, object] of next) this.store.set(key, object);
    for (const change of changes) this.emit(change);
  }

  /** Applies one watch event to the store; duplicates (same resourceVersion) are dropped. */
  private apply(type: ChangeType, object: T): void {
    const key = this.keyOf(object);
    const previous = this.store.get(key);
    if (type === "DELETED") {
      if (!previous) return;
      this.store.delete(key);
      this.emit({ type, object, previous, initial: false });
      return;
    }
    if (previous && previous.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.store.set(key, object);
    this.emit({ type: previous ? "MODIFIED" : "ADDED", object, previous, initial: false });
  }

  private emit(change: StoreChange<T>): void {
    try {
      this.options.onChange(change);
    } catch (error) {
      moduleLogger("watch-cache").error({ err: error }, "a watch cache listener failed");
    }
  }

  /** Opens one watch and resolves when it ends, saying how. */
  private watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      const started = this.now();
      let handle: WatchHandle | undefined;
      let settled = false;
      const settle = (kind: WatchOutcome["kind"], error?: unknown) => {
        if (settled) return;
        settled = true;
        this.stopWatch = undefined;
        handle?.abort();
        resolve({ kind, error, durationMs: this.now() - started });
      };
      this.stopWatch = () => settle("stopped");
      this.counters.watches += 1;
      const onEvent = (type: string, object: unknown) => {
        if (settled) return;
        if (type === "ERROR") {
          settle(isGone(object) ? "gone" : "error", statusError(object));
          return;
        }
        metrics().watchEvents.inc({ resource: this.options.resource ?? "other", type });
        const rv = (object as KubernetesObject | undefined)?.metadata?.resourceVersion;
        if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") this.apply(type, object as T);
        else if (type !== "BOOKMARK") return;
        if (rv) this.resourceVersion = rv;
      };
      const onClose = (error: unknown) => {
        if (error == null) settle("closed");
        else settle(isGone(error) ? "gone" : "error", error);
      };
      this.options.listWatch.watch(this.resourceVersion, onEvent, onClose).then(
        (opened) => {
          handle = opened;
          if (settled) opened.abort();
        },
        (error: unknown) => onClose(error ?? new Error("watch failed")),
      );
    });
  }

  /** Waits `ms`, or less if the reflector stops meanwhile. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.cancelWait = () => {
        this.cancelWait = undefined;
        done();
      };
    });
  }
}

/** An Error for an ERROR watch event (a Status object), keeping its code for isGone(). */
function statusError(object: unknown): Error {
  const status = (object ?? {}) as { code?: number; reason?: string; message?: string };
  const error = new Error(`watch error${status.code ? ` ${status.code}` : ""}${status.reason ? ` ${status.reason}` : ""}: ${status.message ?? "no message"}`);
  (error as Error & { statusCode?: number }).statusCode = status.code;
  return error;
}
