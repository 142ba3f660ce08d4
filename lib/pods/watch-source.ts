// The pods list's pod source backed by the watch cache: the team's pods come from memory
// (indexed by team) instead of one API call per namespace per page view, so the list stays
// fast with thousands of pods in the cluster and agrees with what the live stream pushes.
import type { V1Pod } from "@kubernetes/client-node";
import type { Db } from "@/lib/db";
import { KIND_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { watchCacheFor, type ClusterWatchCache } from "@/lib/kube/watch-cache";
import { currentPod } from "@/lib/pods/objects";
import type { PodSource } from "@/lib/pods/queries";

/**
 * A PodSource reading cluster watch caches: the team's SSH pods in `namespaces`, keyed by
 * workload id (the current pod of each, as `currentPod` picks it). Waits for a new cache's
 * first list; a cluster that cannot be listed fails with its reason (UnavailableError).
 */
export function watchPodSource(db: Db, cacheFor: (db: Db, clusterId: string) => Promise<ClusterWatchCache> = watchCacheFor): PodSource {
  return async (clusterId, namespaces, teamId) => {
    const cache = await cacheFor(db, clusterId);
    await cache.ready();
    const wanted = new Set(namespaces);
    const byWorkload = new Map<string, V1Pod[]>();
    for (const pod of cache.podsOfTeam(teamId)) {
      const labels = pod.metadata?.labels;
      const workloadId = labels?.[WORKLOAD_LABEL];
      if (!workloadId || labels[KIND_LABEL] !== "ssh-pod" || !wanted.has(pod.metadata?.namespace ?? "")) continue;
      const pods = byWorkload.get(workloadId);
      if (pods) pods.push(pod);
      else byWorkload.set(workloadId, [pod]);
    }
    const out = new Map<string, V1Pod>();
    for (const [workloadId, pods] of byWorkload) out.set(workloadId, currentPod(pods)!);
    return out;
  };
}
