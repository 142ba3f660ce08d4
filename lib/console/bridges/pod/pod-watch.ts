// Notices when the pod behind a terminal goes away (deleted or being deleted), so the session
// can end with a message instead of hanging: an exec or port-forward stream does not always
// close when its pod is deleted (a stuck kubelet, or a process that outlives the container's PTY).
//
// Every session on a cluster is supervised through that cluster's one watch cache
// (lib/kube/watch-cache.ts): a session costs an entry in a map keyed by pod uid, not a watch
// of its own. (One watch per session cost about 180 KiB and a TLS handshake per watch round
// each; a thousand idle terminals kept 40 % of a core busy.) When the cache is replaced (new
// credentials) the sessions move to the new one; when the cluster is removed they end.
import type { V1Pod } from "@kubernetes/client-node";
import type { Db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { watchCacheFor, type ClusterWatchCache, type PodChange } from "@/lib/kube/watch-cache";
import { moduleLogger } from "@/lib/observe/log";

export const POD_DELETED = "The pod was deleted; the session has ended.";
export const POD_DELETING = "The pod is being deleted; the session has ended.";
export const CLUSTER_REMOVED = "The pod's cluster was removed from the panel; the session has ended.";

const REATTACH_RETRY_MS = 5_000;
const RESYNC_WAIT_MS = 60_000;

/** Why the pod is gone, as a sentence for the user; null while it is alive. */
export function goneReason(pod: V1Pod | undefined): string | null {
  if (!pod) return POD_DELETED;
  if (pod.metadata?.deletionTimestamp) return POD_DELETING;
  return null;
}

/** How the supervisor reaches a cluster's cache and the API (injected in tests). */
export interface PodWatchDeps {
  cacheFor(clusterId: string): Promise<ClusterWatchCache>;
  log?: (line: string) => void;
}

type OnGone = (message: string) => void;

interface Watched {
  pod: V1Pod;
  onGone: OnGone;
  /** Reads the pod from the API: only asked when the cache cannot tell (it has not seen the pod yet). */
  readPod: () => Promise<V1Pod | null>;
}

/** The sessions of one cluster, watched through its cache. */
class ClusterPodWatch {
  private readonly byUid = new Map<string, Set<Watched>>();
  private cache: ClusterWatchCache | null = null;
  private detach: (() => void)[] = [];
  private attaching: Promise<ClusterWatchCache> | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly clusterId: string,
    private readonly deps: PodWatchDeps,
    private readonly onIdle: () => void,
  ) {}

  get size(): number {
    return this.byUid.size;
  }

  async add(watched: Watched): Promise<() => void> {
    const uid = watched.pod.metadata!.uid!;
    let set = this.byUid.get(uid);
    if (!set) this.byUid.set(uid, (set = new Set()));
    set.add(watched);
    const remove = () => this.remove(uid, watched);
    try {
      const cache = await this.attach();
      // Every session here may have ended while the cache was being found.
      if (this.byUid.size === 0) this.close();
      else void this.check(cache, [watched]);
    } catch (error) {
      remove();
      throw error;
    }
    return remove;
  }

  private remove(uid: string, watched: Watched) {
    const set = this.byUid.get(uid);
    if (!set?.delete(watched)) return;
    if (set.size === 0) this.byUid.delete(uid);
    if (this.byUid.size === 0) this.close();
  }

  private close() {
    for (const undo of this.detach.splice(0)) undo();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.cache = null;
    this.onIdle();
  }

  /** Subscribes to the cluster's current cache (once; concurrent callers share the attempt). */
  private attach(): Promise<ClusterWatchCache> {
    if (this.cache && !this.cache.stopped) return Promise.resolve(this.cache);
    this.attaching ??= this.deps
      .cacheFor(this.clusterId)
      .then((cache) => {
        for (const undo of this.detach.splice(0)) undo();
        this.cache = cache;
        this.detach.push(
          cache.subscribe((change) => this.onChange(change)),
          cache.onStop(() => this.reattach()),
        );
        return cache;
      })
      .finally(() => (this.attaching = null));
    return this.attaching;
  }

  private onChange({ type, pod }: PodChange) {
    const set = pod.metadata?.uid ? this.byUid.get(pod.metadata.uid) : undefined;
    if (!set) return;
    const reason = type === "DELETED" ? POD_DELETED : goneReason(pod);
    if (reason) for (const watched of [...set]) this.fire(watched, reason);
  }

  private fire(watched: Watched, reason: string) {
    this.remove(watched.pod.metadata!.uid!, watched);
    try {
      watched.onGone(reason);
    } catch (error) {
      this.deps.log?.(`pod watch: a session's end failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Looks at each session's pod once the cache has its list: changes before a subscription
   * (or during a cache's first list) are not reported as events. A pod the cache does not
   * hold may simply be newer than the cache's view, so the API decides that case.
   */
  private async check(cache: ClusterWatchCache, watched: Watched[]) {
    try {
      await cache.ready(RESYNC_WAIT_MS);
    } catch {
      return; // unreachable for now: the cache keeps retrying, and its events still come once it is back
    }
    for (const w of watched) {
      if (!this.byUid.get(w.pod.metadata!.uid!)?.has(w)) continue;
      const cached = cache.podByUid(w.pod.metadata!.uid!);
      if (cached) {
        const reason = goneReason(cached);
        if (reason) this.fire(w, reason);
        continue;
      }
      try {
        const current = await w.readPod();
        const reason = current && current.metadata?.uid === w.pod.metadata!.uid ? goneReason(current) : POD_DELETED;
        if (reason && this.byUid.get(w.pod.metadata!.uid!)?.has(w)) this.fire(w, reason);
      } catch {
        // unknown: leave it to the watch
      }
    }
  }

  /** The cache was stopped: move to its replacement, or end every session if the cluster is gone. */
  private reattach() {
    this.cache = null;
    if (this.byUid.size === 0) return;
    this.attach().then(
      (cache) => void this.check(cache, [...this.byUid.values()].flatMap((set) => [...set])),
      (error: unknown) => {
        if (error instanceof NotFoundError) {
          for (const set of [...this.byUid.values()]) for (const watched of [...set]) this.fire(watched, CLUSTER_REMOVED);
          return;
        }
        this.deps.log?.(`pod watch: cluster ${this.clusterId}: ${error instanceof Error ? error.message : String(error)}; retrying`);
        this.retry = setTimeout(() => this.reattach(), REATTACH_RETRY_MS);
        this.retry.unref();
      },
    );
  }
}

/** Supervises terminal pods per cluster; one per process in production (`watchPodGone`). */
export class PodGoneWatcher {
  private readonly clusters = new Map<string, ClusterPodWatch>();

  constructor(private readonly deps: PodWatchDeps) {}

  /**
   * Calls `onGone(message)` once when `pod` (by uid) of cluster `clusterId` is deleted or
   * starts being deleted. Resolves to the function that stops watching once the session is
   * subscribed; rejects when the cluster's cache cannot be had (e.g. the cluster was removed).
   */
  watch(clusterId: string, pod: V1Pod, readPod: () => Promise<V1Pod | null>, onGone: OnGone): Promise<() => void> {
    let cluster = this.clusters.get(clusterId);
    if (!cluster) {
      const created = new ClusterPodWatch(clusterId, this.deps, () => {
        if (this.clusters.get(clusterId) === created) this.clusters.delete(clusterId);
      });
      this.clusters.set(clusterId, (cluster = created));
    }
    return cluster.add({ pod, onGone, readPod });
  }

  /** How many pods are watched (monitoring, tests). */
  watchedPodCount(): number {
    let count = 0;
    for (const cluster of this.clusters.values()) count += cluster.size;
    return count;
  }
}

const globalForPodWatch = globalThis as typeof globalThis & { __minicloudPodGoneWatchers?: WeakMap<Db, PodGoneWatcher> };
const watchers = (globalForPodWatch.__minicloudPodGoneWatchers ??= new WeakMap<Db, PodGoneWatcher>());

/** The process's watcher over the clusters' shared watch caches (one per database handle). */
export function podGoneWatcher(db: Db): PodGoneWatcher {
  let watcher = watchers.get(db);
  if (!watcher) {
    watcher = new PodGoneWatcher({ cacheFor: (clusterId) => watchCacheFor(db, clusterId), log: (line) => moduleLogger("terminals").warn(line) });
    watchers.set(db, watcher);
  }
  return watcher;
}
