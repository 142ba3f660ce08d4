// One in-memory cache per cluster of the Pods minicloud manages (label
// app.kubernetes.io/managed-by=minicloud, all namespaces), kept current by one list+watch
// loop (lib/kube/reflector.ts) and indexed by workload and by team, so a team's pods list
// reads memory instead of the API server and live status reaches browsers as it changes.
// Built once per cluster and reused; the registry lives on globalThis so Next.js dev-mode
// module reloads do not start a second watch per cluster.
import type { V1Pod } from "@kubernetes/client-node";
import type { Db } from "@/lib/db";
import { UnavailableError } from "@/lib/errors";
import { perCluster } from "@/lib/kube/per-cluster";
import { MANAGED_SELECTOR, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { labelOf, preferred, TeamWorkloadIndex, uidOf } from "@/lib/kube/team-workload-index";
import { podListWatch } from "@/lib/kube/pod-list-watch";
import { Reflector, type ChangeType, type ListWatch, type ReflectorOptions, type ReflectorStats, type StoreChange } from "@/lib/kube/reflector";
import { toClusterError, type ClusterRef } from "@/lib/kube/transport";
import { moduleLogger } from "@/lib/observe/log";

const logger = moduleLogger("watch-cache");

/** One change to a cached pod, as subscribers receive it. */
export interface PodChange {
  type: ChangeType;
  pod: V1Pod;
}

export type PodChangeListener = (change: PodChange) => void;

/** The watch cache of one cluster's minicloud pods. */
export interface ClusterWatchCache {
  readonly clusterId: string;
  /** Resolves once the first list is in; rejects with an UnavailableError naming the cluster's problem after `timeoutMs` (default 10 s). */
  ready(timeoutMs?: number): Promise<void>;
  /** The current pod of each workload (by `minicloud.io/workload`), live view: do not modify. */
  podsByWorkload(): ReadonlyMap<string, V1Pod>;
  /** The current pod of one workload. */
  podForWorkload(workloadId: string): V1Pod | undefined;
  /** Every cached pod labelled with team `teamId`. */
  podsOfTeam(teamId: string): V1Pod[];
  /** The cached pod with this uid. */
  podByUid(uid: string): V1Pod | undefined;
  /** Whether the first list is in (the cache then mirrors the cluster). */
  readonly synced: boolean;
  /** Calls `listener` for every change after the first list (relists report only the diff); returns the unsubscribe. */
  subscribe(listener: PodChangeListener): () => void;
  stats(): ReflectorStats;
  /** Calls `listener` once when the cache is stopped (the cluster was removed, or its credentials changed and a new cache replaces this one); returns the unsubscribe. */
  onStop(listener: () => void): () => void;
  /** Stops the watch; the cache then keeps its last contents and reports nothing more. */
  stop(): void;
  readonly stopped: boolean;
}

/** Options for tests and tuning; production uses the defaults. */
export interface WatchCacheOptions extends Pick<ReflectorOptions<V1Pod>, "backoff" | "minHealthyWatchMs" | "resetBackoffAfterMs"> {
  log?: (line: string) => void;
}

/** A watch cache over `listWatch` (the real one, or a fake in tests); started at once. */
export function createPodWatchCache(cluster: ClusterRef, listWatch: ListWatch<V1Pod>, options: WatchCacheOptions = {}): ClusterWatchCache {
  const listeners = new Set<PodChangeListener>();
  const stopListeners = new Set<() => void>();
  const index = new TeamWorkloadIndex();
  const byWorkload = new Map<string, V1Pod>();
  let stopped = false;
  let loggedError: string | undefined;

  const refreshWorkload = (workloadId: string | undefined) => {
    if (!workloadId) return;
    let best: V1Pod | undefined;
    for (const uid of index.ofWorkload(workloadId)) {
      const pod = reflector.get(uid);
      if (pod) best = best ? preferred(best, pod) : pod;
    }
    if (best) byWorkload.set(workloadId, best);
    else byWorkload.delete(workloadId);
  };

  const onChange = ({ type, object, previous, initial }: StoreChange<V1Pod>) => {
    index.follow({ type, object, previous });
    refreshWorkload(previous && labelOf(previous, WORKLOAD_LABEL));
    refreshWorkload(labelOf(object, WORKLOAD_LABEL));
    if (initial) return;
    for (const listener of listeners) {
      try {
        listener({ type, pod: object });
      } catch (error) {
        logger.error({ err: error }, "a pod change listener failed");
      }
    }
  };

  const log = options.log ?? ((line: string) => logger.warn({ cluster: cluster.id }, line));
  const reflector: Reflector<V1Pod> = new Reflector<V1Pod>({
    listWatch,
    resource: "pods",
    onChange,
    keyOf: uidOf,
    backoff: options.backoff,
    minHealthyWatchMs: options.minHealthyWatchMs,
    resetBackoffAfterMs: options.resetBackoffAfterMs,
    onError: (error) => {
      // One line per distinct problem, not one per retry.
      const message = toClusterError(cluster, "watch pods", error).message;
      if (message !== loggedError) log(`watch cache: ${message}`);
      loggedError = message;
    },
  });
  const startedAt = Date.now();
  reflector.start();

  return {
    clusterId: cluster.id,
    async ready(timeoutMs = 10_000) {
      if (reflector.hasSynced) return;
      if (stopped) throw new UnavailableError(`The watch on cluster “${cluster.name}” was stopped.`);
      // Failing for longer than the bound already: answer with the reason at once rather than
      // making every reader of an unreachable cluster wait the whole bound again.
      if (reflector.lastError !== undefined && Date.now() - startedAt >= timeoutMs) throw toClusterError(cluster, "list pods", reflector.lastError);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
      try {
        const result = await Promise.race([reflector.whenSynced(), timedOut]);
        if (result !== "timeout" && reflector.hasSynced) return;
      } finally {
        clearTimeout(timer);
      }
      if (reflector.lastError !== undefined) throw toClusterError(cluster, "list pods", reflector.lastError);
      throw new UnavailableError(`The cluster “${cluster.name}” did not answer within ${Math.round(timeoutMs / 1000)} s (while trying to list pods).`);
    },
    podsByWorkload: () => byWorkload,
    podForWorkload: (workloadId) => byWorkload.get(workloadId),
    podsOfTeam(teamId) {
      const pods: V1Pod[] = [];
      for (const uid of index.ofTeam(teamId)) {
        const pod = reflector.get(uid);
        if (pod) pods.push(pod);
      }
      return pods;
    },
    podByUid: (uid) => reflector.get(uid),
    get synced() {
      return reflector.hasSynced;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stats: () => reflector.stats(),
    onStop(listener) {
      if (stopped) {
        queueMicrotask(listener);
        return () => {};
      }
      stopListeners.add(listener);
      return () => stopListeners.delete(listener);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      listeners.clear();
      reflector.stop();
      const stopping = [...stopListeners];
      stopListeners.clear();
      for (const listener of stopping) {
        try {
          listener();
        } catch (error) {
          logger.error({ err: error }, "a watch cache stop listener failed");
        }
      }
    },
    get stopped() {
      return stopped;
    },
  };
}

const caches = perCluster<ClusterWatchCache>("__minicloudWatchCaches");

/**
 * The watch cache of cluster `clusterId`, started on first use and reused; rebuilt when the
 * cluster's connection changes (new credentials). Call `ready()` before reading it.
 */
export function watchCacheFor(db: Db, clusterId: string): Promise<ClusterWatchCache> {
  return caches.get(db, clusterId, (connection) => createPodWatchCache(connection, podListWatch(connection, { labelSelector: MANAGED_SELECTOR })));
}

/** The running cache of `clusterId`, if one was started (no database or network call). */
export function runningWatchCache(clusterId: string): ClusterWatchCache | undefined {
  return caches.running(clusterId);
}

/** The clusters that have a watch cache. */
export function watchedClusterIds(): string[] {
  return caches.clusterIds();
}

/** Stops and forgets the cache of `clusterId` (the cluster was removed). */
export function stopWatchCache(clusterId: string): void {
  caches.stop(clusterId);
}

/** Stops every watch cache (shutdown, tests). */
export function stopAllWatchCaches(): void {
  caches.stopAll();
}
