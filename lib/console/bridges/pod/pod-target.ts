// The pod target locator: the running pod of an SSH-pod workload, found by its workload label
// (a reset recreates the pod under a new name), and the end of a session when that pod goes
// away, supervised through the cluster's shared watch cache (pod-watch.ts).
import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { NotFoundError, UnavailableError } from "@/lib/errors";
import { workloadSelector } from "@/lib/kube/labels";
import { kube, kubeOrNull, type ClusterRef } from "@/lib/kube/transport";
import { watchCacheFor, type ClusterWatchCache } from "@/lib/kube/watch-cache";
import type { Locate, TargetLocator } from "@/lib/console/bridges/bridge";
import { podGoneWatcher } from "@/lib/console/bridges/pod/pod-watch";
import type { TerminalTarget } from "@/lib/console/targets";

const isUsable = (pod: V1Pod) => pod.status?.phase === "Running" && !pod.metadata?.deletionTimestamp;

/**
 * The running pod of an SSH-pod workload, found by its workload label. A pod being deleted
 * does not count: a terminal opened on it would die within seconds. The cluster's watch cache
 * answers when it holds a usable pod (no API call); otherwise the API does, since a pod created
 * a moment ago may not have reached the cache yet.
 */
export async function findTargetPod(cluster: ClusterRef, kc: KubeConfig, target: TerminalTarget, cache?: ClusterWatchCache): Promise<V1Pod> {
  const cached = cache?.synced ? cache.podForWorkload(target.workloadId) : undefined;
  if (cached && cached.metadata?.namespace === target.namespace && isUsable(cached)) return cached;
  const core = kc.makeApiClient(CoreV1Api);
  const list = await kube(cluster, "find the pod", () =>
    core.listNamespacedPod({ namespace: target.namespace, labelSelector: workloadSelector(target.workloadId) }),
  );
  const pod = list.items.find(isUsable);
  if (!pod) {
    if (list.items.length === 0) throw new NotFoundError(`The pod ${target.label} does not exist in the cluster.`);
    throw new UnavailableError(`The pod ${target.label} is not running.`);
  }
  return pod;
}

/** The locator of a running pod: its exec and port-forward go to the pod, exec into its first container. */
export function podLocator(target: Pick<TerminalTarget, "kind">, pod: V1Pod): TargetLocator {
  return {
    kind: target.kind,
    namespace: pod.metadata!.namespace!,
    name: pod.metadata!.name!,
    reach: { resource: "pod", container: pod.spec?.containers[0]?.name },
    address: pod.status?.podIP ?? null,
  };
}

/** Locates an SSH pod's running pod; the session ends ("pod-gone") when that pod goes away. */
export const locatePodTarget: Locate = async ({ db, target, cluster, kc }) => {
  const pod = await findTargetPod(cluster, kc, target, await watchCacheFor(db, target.clusterId));
  return {
    locator: podLocator(target, pod),
    watchGone(onGone) {
      // Asked only when the cache cannot tell, so the API client is made then, not per session.
      const readPod = () =>
        kubeOrNull(cluster, "read the pod", () => kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: pod.metadata!.namespace!, name: pod.metadata!.name! }));
      return podGoneWatcher(db).watch(target.clusterId, pod, readPod, (message) => onGone({ reason: "pod-gone", message }));
    },
  };
};
