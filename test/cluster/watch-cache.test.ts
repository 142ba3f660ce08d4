// The pod watch cache against the real API server: pods created, changed and deleted in a
// labelled namespace arrive once each, across watches the server keeps closing; a stopped
// cache hears nothing and a new one starts from the current state without replaying it.
// (410 Gone is driven by the unit tests: this API server's watch cache still answers old
// resourceVersions from memory after etcd compacts, so a real one cannot be provoked here.)
import { randomUUID } from "node:crypto";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect } from "vitest";
import { getClusterConnection, type ClusterConnection } from "@/lib/kube/clients";
import { MANAGED_SELECTOR, TEAM_LABEL } from "@/lib/kube/labels";
import { workloadLabels } from "@/lib/workloads/labels";
import { podListWatch } from "@/lib/kube/pod-list-watch";
import type { ListWatch } from "@/lib/kube/reflector";
import { createPodWatchCache, stopAllWatchCaches, watchCacheFor, type ClusterWatchCache, type PodChange } from "@/lib/kube/watch-cache";
import { insertLocalCluster, isRunningWithIp, podSpec, test, useDatabase, waitForPod } from "./helpers";

/** A pod labelled as a workload of `teamId`. */
function labelledPod(name: string, teamId: string, workloadId = randomUUID()): V1Pod {
  const pod = podSpec(name);
  pod.metadata!.labels = { ...pod.metadata!.labels, ...workloadLabels({ clusterId: "test-cluster", teamId, ownerId: randomUUID(), kind: "ssh-pod", workloadId }) };
  return pod;
}

/** Collects a cache's changes and resolves waits when a matching one arrives. */
function recorder(cache: ClusterWatchCache) {
  const changes: PodChange[] = [];
  const waiters: Array<{ match: (c: PodChange) => boolean; resolve: (c: PodChange) => void }> = [];
  cache.subscribe((change) => {
    changes.push(change);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(change)) waiter.resolve(change);
      else waiters.push(waiter);
    }
  });
  return {
    changes,
    /** The first change (already seen or next) matching `match`. */
    until(match: (c: PodChange) => boolean, what: string, timeoutMs = 30_000): Promise<PodChange> {
      const seen = changes.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
        waiters.push({ match, resolve: (c) => (clearTimeout(timer), resolve(c)) });
      });
    },
    keys: () => changes.map((c) => `${c.type} ${c.pod.metadata?.uid} ${c.pod.metadata?.resourceVersion}`),
  };
}

/** Wraps a ListWatch to count calls and to await the n-th watch opening. */
function observed(inner: ListWatch<V1Pod>) {
  const state = { lists: 0, watches: 0 };
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const listWatch: ListWatch<V1Pod> = {
    list: () => {
      state.lists += 1;
      return inner.list();
    },
    watch: (rv, onEvent, onClose) => {
      state.watches += 1;
      for (const w of waiters.filter((w) => state.watches >= w.n)) w.resolve();
      return inner.watch(rv, onEvent, onClose);
    },
  };
  const watchesOpened = (n: number) => (state.watches >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
  return { listWatch, state, watchesOpened };
}

const isRunning = (c: PodChange) => c.pod.status?.phase === "Running";

describe("pod watch cache (real API server)", () => {
  const db = useDatabase();
  let connection: ClusterConnection;
  const caches: ClusterWatchCache[] = [];
  afterEach(() => {
    for (const cache of caches.splice(0)) cache.stop();
    stopAllWatchCaches();
  });

  async function teamCache(teamId: string, options: { watchTimeoutSeconds?: number } = {}) {
    connection ??= await getClusterConnection(db(), (await insertLocalCluster(db())).id);
    const real = podListWatch(connection, {
      labelSelector: `${MANAGED_SELECTOR},${TEAM_LABEL}=${teamId}`,
      ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: () => options.watchTimeoutSeconds! } : {}),
    });
    const probe = observed(real);
    const cache = createPodWatchCache(connection, probe.listWatch, { minHealthyWatchMs: 500, log: () => {} });
    caches.push(cache);
    return { cache, probe };
  }

  test("pods created, changed and deleted arrive once each, across watches the server keeps closing", async ({ kc, namespace }) => {
    const core = kc.makeApiClient(CoreV1Api);
    const teamId = randomUUID();
    await core.createNamespacedPod({ namespace, body: labelledPod("before", teamId) });
    await waitForPod(kc, namespace, "before", isRunningWithIp);
    const { cache, probe } = await teamCache(teamId, { watchTimeoutSeconds: 1 });
    const seen = recorder(cache);
    await cache.ready();
    expect(cache.podsOfTeam(teamId).map((p) => p.metadata?.name)).toEqual(["before"]);

    const workloadId = randomUUID();
    await core.createNamespacedPod({ namespace, body: labelledPod("web", teamId, workloadId) });
    await seen.until((c) => c.type === "ADDED" && c.pod.metadata?.name === "web", "web ADDED");
    await seen.until((c) => c.pod.metadata?.name === "web" && isRunning(c), "web Running");
    expect(cache.podForWorkload(workloadId)?.status?.phase).toBe("Running");

    // Let the server end the watch (timeoutSeconds=1) twice more, then change things again.
    await probe.watchesOpened(probe.state.watches + 2);
    await core.patchNamespacedPod({ name: "web", namespace, body: [{ op: "add", path: "/metadata/annotations", value: { "minicloud.io/note": "x" } }] });
    await seen.until((c) => c.pod.metadata?.annotations?.["minicloud.io/note"] === "x", "web annotated");
    await core.deleteNamespacedPod({ name: "web", namespace, gracePeriodSeconds: 0 });
    await seen.until((c) => c.type === "DELETED" && c.pod.metadata?.name === "web", "web DELETED");

    expect(cache.podForWorkload(workloadId)).toBeUndefined();
    expect(new Set(seen.keys()).size).toBe(seen.keys().length); // no event twice
    expect(seen.changes.some((c) => c.type === "ADDED" && c.pod.metadata?.name === "before")).toBe(false); // the first list is not news
    expect(probe.state.lists).toBe(1);
    expect(cache.stats()).toMatchObject({ relists: 0, objects: 1 });
    expect(cache.stats().watchRestarts).toBeGreaterThanOrEqual(2);
  });

  test("a stopped cache hears nothing; a new one starts from the current state without replaying it", async ({ kc, namespace }) => {
    const core = kc.makeApiClient(CoreV1Api);
    const teamId = randomUUID();
    const first = await teamCache(teamId);
    const firstSeen = recorder(first.cache);
    await first.cache.ready();
    await core.createNamespacedPod({ namespace, body: labelledPod("one", teamId) });
    await firstSeen.until((c) => c.pod.metadata?.name === "one" && isRunning(c), "one Running");
    first.cache.stop();
    const heardBeforeStop = firstSeen.changes.length;

    await core.createNamespacedPod({ namespace, body: labelledPod("two", teamId) });
    await waitForPod(kc, namespace, "two", isRunningWithIp);
    expect(firstSeen.changes).toHaveLength(heardBeforeStop);

    const second = await teamCache(teamId);
    const secondSeen = recorder(second.cache);
    await second.cache.ready();
    expect(second.cache.podsOfTeam(teamId).map((p) => p.metadata?.name).sort()).toEqual(["one", "two"]);
    await core.deleteNamespacedPod({ name: "one", namespace, gracePeriodSeconds: 0 });
    await secondSeen.until((c) => c.type === "DELETED" && c.pod.metadata?.name === "one", "one DELETED");
    expect(secondSeen.changes.every((c) => c.pod.metadata?.name === "one")).toBe(true);
  });

  test("watchCacheFor builds one cache per cluster and reuses it", async () => {
    const row = await insertLocalCluster(db());
    const cache = await watchCacheFor(db(), row.id);
    expect(await watchCacheFor(db(), row.id)).toBe(cache);
    await cache.ready();
    expect(cache.stats().synced).toBe(true);
    stopAllWatchCaches();
    expect(cache.stopped).toBe(true);
    expect(await watchCacheFor(db(), row.id)).not.toBe(cache);
  });
});
