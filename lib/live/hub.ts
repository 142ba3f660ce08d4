// Fans pod changes from every cluster's watch cache out to the connected browsers, each
// receiving only what it may see: a pod counts for the team named by its `minicloud.io/team`
// label only if it sits in that team's namespace in that cluster (so a label alone cannot
// place a pod in another team's list), and a subscriber receives it only with
// `workloads:read` on that team. Principals are reloaded every 30 s, so revoked access or a
// disabled user stops the flow without waiting for the browser to reconnect.
//
// Clusters are watched lazily: on the first subscriber, every registered cluster; later ones
// through `ensureClusterWatched()` (called after registration) or the 30 s rescan of the
// clusters table, which also stops the watches of clusters that are gone. Changes are
// batched for a moment (100 ms) so a burst — a relist's diff, a team creating many pods —
// becomes one message per workload and one `pods-changed` per team.
import type { V1Pod } from "@kubernetes/client-node";
import { can, type Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { clusters } from "@/lib/db/schema";
import { TEAM_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { stopWatchCache, watchCacheFor, type ClusterWatchCache, type PodChange } from "@/lib/kube/watch-cache";
import type { LiveMessage } from "@/lib/live/messages";
import { TeamPlacements } from "@/lib/live/team-scopes";
import { podRuntime } from "@/lib/pods/runtime";
import { moduleLogger } from "@/lib/observe/log";

/** One connected browser (an SSE connection). */
export interface LiveSubscriber {
  principal: Principal;
  /** Queues a message on the connection; must not throw or block. */
  send(message: LiveMessage): void;
  /** The principal as of now; null when the session is no longer valid (user disabled, …). */
  refresh(): Promise<Principal | null>;
  /** Ends the connection (its session stopped being valid). */
  close(): void;
}

export interface LiveHubOptions {
  /** The watch cache of a cluster (default: the process-wide registry). */
  cacheFor?: (db: Db, clusterId: string) => Promise<ClusterWatchCache>;
  /** Stops a removed cluster's cache (default: the registry's). */
  stopCache?: (clusterId: string) => void;
  /** The registered clusters' ids (default: the clusters table). */
  listClusterIds?: (db: Db) => Promise<string[]>;
  rescanMs?: number;
  refreshMs?: number;
  /** How long a team's placement (org, namespace) is reused from memory (default 30 s). */
  placementTtlMs?: number;
  /** Where a team lives in a cluster (default: the database, cached for `placementTtlMs`). */
  placements?: Pick<TeamPlacements, "get">;
  batchMs?: number;
  log?: (line: string) => void;
}

interface WatchedCluster {
  cache: ClusterWatchCache;
  unsubscribe: () => void;
}

interface PendingPod {
  clusterId: string;
  cache: ClusterWatchCache;
  teamId: string;
  workloadId: string;
}

const labelOf = (pod: V1Pod, label: string) => pod.metadata?.labels?.[label];

/** The fan-out; one per process in production (`getLiveHub`), one per test otherwise. */
export class LiveHub {
  private readonly subscribers = new Set<LiveSubscriber>();
  private readonly watched = new Map<string, WatchedCluster>();
  private readonly ensuring = new Map<string, Promise<void>>();
  private readonly placements: Pick<TeamPlacements, "get">;
  private readonly pendingPods = new Map<string, PendingPod>();
  private readonly pendingTeams = new Map<string, { clusterId: string; teamId: string; namespaces: Set<string> }>();
  private readonly failures = new Map<string, string>();
  private readonly cacheFor: NonNullable<LiveHubOptions["cacheFor"]>;
  private readonly stopCache: NonNullable<LiveHubOptions["stopCache"]>;
  private readonly listClusterIds: NonNullable<LiveHubOptions["listClusterIds"]>;
  private readonly log: (line: string) => void;
  private started = false;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly options: LiveHubOptions = {},
  ) {
    this.cacheFor = options.cacheFor ?? watchCacheFor;
    this.stopCache = options.stopCache ?? stopWatchCache;
    this.listClusterIds = options.listClusterIds ?? (async (d) => (await d.select({ id: clusters.id }).from(clusters)).map((r) => r.id));
    this.log = options.log ?? ((line) => moduleLogger("live").warn(line));
    this.placements = options.placements ?? new TeamPlacements(db, options.placementTtlMs ?? 30_000);
  }

  /** Adds a connection; the first one starts watching every cluster. Returns the unsubscribe. */
  subscribe(subscriber: LiveSubscriber): () => void {
    if (this.stopped) throw new Error("the live hub was stopped");
    this.subscribers.add(subscriber);
    this.start();
    return () => void this.subscribers.delete(subscriber);
  }

  /** How many connections are subscribed. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The clusters being watched. */
  watchedClusterIds(): string[] {
    return [...this.watched.keys()];
  }

  /**
   * Makes sure cluster `clusterId` is watched (after registering it, or when its credentials
   * changed). A no-op until someone subscribes; never throws (failures are logged and retried
   * by the next rescan).
   */
  ensureClusterWatched(clusterId: string): Promise<void> {
    if (!this.started || this.stopped) return Promise.resolve();
    const running = this.ensuring.get(clusterId);
    if (running) return running;
    const attempt = this.watch(clusterId).finally(() => this.ensuring.delete(clusterId));
    this.ensuring.set(clusterId, attempt);
    return attempt;
  }

  /** Re-reads the clusters table: watches new clusters, stops the watches of removed ones. */
  async rescan(): Promise<void> {
    if (this.stopped) return;
    let ids: string[];
    try {
      ids = await this.listClusterIds(this.db);
    } catch (error) {
      this.log(`could not list clusters: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const present = new Set(ids);
    for (const clusterId of [...this.watched.keys()]) {
      if (present.has(clusterId)) continue;
      this.watched.get(clusterId)?.unsubscribe();
      this.watched.delete(clusterId);
      this.stopCache(clusterId);
    }
    await Promise.all(ids.map((id) => this.ensureClusterWatched(id)));
  }

  /** Reloads every subscriber's principal; closes those whose session is no longer valid. */
  async refreshPrincipals(): Promise<void> {
    await Promise.all(
      [...this.subscribers].map(async (subscriber) => {
        let principal: Principal | null;
        try {
          principal = await subscriber.refresh();
        } catch (error) {
          this.log(`could not reload a subscriber's access: ${error instanceof Error ? error.message : String(error)}`);
          return; // keep the last known access; the next round retries
        }
        if (principal) {
          subscriber.principal = principal;
          return;
        }
        this.subscribers.delete(subscriber);
        try {
          subscriber.close();
        } catch {
          // already closed
        }
      }),
    );
  }

  /**
   * Sends what is batched, after any delivery still in progress (so messages keep their order);
   * tests call it instead of waiting for the batch window.
   */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const run = this.flushing.then(() => this.sendPending());
    this.flushing = run.catch(() => {});
    return run;
  }

  private async sendPending(): Promise<void> {
    const pods = [...this.pendingPods.values()];
    const teams = [...this.pendingTeams.values()];
    this.pendingPods.clear();
    this.pendingTeams.clear();
    for (const { clusterId, cache, teamId, workloadId } of pods) {
      const pod = cache.podForWorkload(workloadId);
      // Gone (or moved to another team): the team's `pods-changed` covers it.
      if (!pod || labelOf(pod, TEAM_LABEL) !== teamId) continue;
      await this.deliver(clusterId, teamId, [pod.metadata?.namespace], { type: "pod", teamId, workloadId, runtime: podRuntime(pod) });
    }
    for (const { clusterId, teamId, namespaces } of teams) {
      await this.deliver(clusterId, teamId, [...namespaces], { type: "pods-changed", teamId });
    }
  }

  /**
   * Ends every connection (so a shutting-down server is not held open by streams), stops the
   * timers and unsubscribes from the caches (which keep running for other readers).
   */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.flushTimer);
    for (const watched of this.watched.values()) watched.unsubscribe();
    this.watched.clear();
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const subscriber of subscribers) {
      try {
        subscriber.close();
      } catch {
        // already closed
      }
    }
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    void this.rescan();
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => void task(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.rescanMs ?? 30_000, () => this.rescan());
    every(this.options.refreshMs ?? 30_000, () => this.refreshPrincipals());
  }

  private async watch(clusterId: string): Promise<void> {
    let cache: ClusterWatchCache;
    try {
      cache = await this.cacheFor(this.db, clusterId);
      this.failures.delete(clusterId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.failures.get(clusterId) !== message) this.log(`cannot watch cluster ${clusterId}: ${message}`);
      this.failures.set(clusterId, message);
      return;
    }
    if (this.stopped) return;
    const current = this.watched.get(clusterId);
    if (current?.cache === cache) return;
    current?.unsubscribe();
    const unsubscribe = cache.subscribe((change) => this.onChange(clusterId, cache, change));
    this.watched.set(clusterId, { cache, unsubscribe });
  }

  private onChange(clusterId: string, cache: ClusterWatchCache, { type, pod }: PodChange): void {
    const teamId = labelOf(pod, TEAM_LABEL);
    if (!teamId) return;
    const workloadId = labelOf(pod, WORKLOAD_LABEL);
    if (workloadId) this.pendingPods.set(`${clusterId}/${workloadId}`, { clusterId, cache, teamId, workloadId });
    if (type !== "MODIFIED") {
      const key = `${clusterId}/${teamId}`;
      const entry = this.pendingTeams.get(key) ?? { clusterId, teamId, namespaces: new Set<string>() };
      entry.namespaces.add(pod.metadata?.namespace ?? "");
      this.pendingTeams.set(key, entry);
    }
    this.flushTimer ??= setTimeout(() => void this.flush().catch((error: unknown) => this.log(`delivery failed: ${String(error)}`)), this.options.batchMs ?? 100);
  }

  /**
   * Sends `message` about `teamId` to every subscriber allowed to read the team's workloads,
   * if the pods it is about (in `namespaces`) are in the team's namespace in that cluster.
   */
  private async deliver(clusterId: string, teamId: string, namespaces: Array<string | undefined>, message: LiveMessage): Promise<void> {
    if (this.subscribers.size === 0) return;
    const placement = await this.placements.get(clusterId, teamId);
    if (!placement || !namespaces.includes(placement.namespace)) return;
    const scope = { kind: "team", orgId: placement.orgId, teamId } as const;
    for (const subscriber of this.subscribers) {
      if (!can(subscriber.principal, "workloads:read", scope)) continue;
      try {
        subscriber.send(message);
      } catch (error) {
        this.log(`send failed: ${String(error)}`);
      }
    }
  }
}

const globalForHub = globalThis as typeof globalThis & { __minicloudLiveHub?: LiveHub };

/** The process's hub (created on first use; kept on globalThis across dev-mode reloads). */
export function getLiveHub(db: Db): LiveHub {
  return (globalForHub.__minicloudLiveHub ??= new LiveHub(db));
}

/**
 * Starts watching a cluster that was just registered (or whose credentials changed), if
 * anyone is listening; otherwise the first subscriber will. Never throws.
 */
export function ensureClusterWatched(clusterId: string): Promise<void> {
  return globalForHub.__minicloudLiveHub?.ensureClusterWatched(clusterId) ?? Promise.resolve();
}

/** Stops the process's hub (shutdown, tests). */
export function stopLiveHub(): void {
  globalForHub.__minicloudLiveHub?.stop();
  globalForHub.__minicloudLiveHub = undefined;
}
