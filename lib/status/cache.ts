// What the status view reads, kept in memory per cluster by list+watch (client-node informers
// for Nodes, Pods, PersistentVolumes and claims): started when a viewer asks, shared by every
// viewer, stopped a while after the last one leaves. Changes are announced to subscribers so
// the view is sent again as the cluster changes, not on a timer.
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache, type V1Node, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1Pod } from "@kubernetes/client-node";
import { outsideRequest } from "@/lib/observe/request-context";

type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface StatusCache {
  nodes(): readonly V1Node[];
  pods(): readonly V1Pod[];
  persistentVolumes(): readonly V1PersistentVolume[];
  claims(): readonly V1PersistentVolumeClaim[];
  /** Resolves once each informer has listed. */
  ready: Promise<void>;
  /** Calls `listener` on every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  stop(): Promise<void>;
}

/** Starts the four informers against `kc`. */
export function startStatusCache(kc: KubeConfig): StatusCache {
  const core = kc.makeApiClient(CoreV1Api);
  const listeners = new Set<() => void>();
  const announce = () => {
    for (const listener of listeners) listener();
  };
  const informers: Cached<KubernetesObject>[] = [];
  const informer = <T extends KubernetesObject>(path: string, list: () => Promise<{ items: T[] }>): Cached<T> => {
    const made = makeInformer<T>(kc, path, list as never);
    for (const verb of ["add", "update", "delete"] as const) made.on(verb, announce);
    // A broken watch is started again (the informer relists).
    made.on("error", () => setTimeout(() => void made.start().catch(() => {}), 2000));
    informers.push(made as unknown as Cached<KubernetesObject>);
    return made;
  };
  const nodes = informer<V1Node>("/api/v1/nodes", () => core.listNode());
  const pods = informer<V1Pod>("/api/v1/pods", () => core.listPodForAllNamespaces());
  const pvs = informer<V1PersistentVolume>("/api/v1/persistentvolumes", () => core.listPersistentVolume());
  const pvcs = informer<V1PersistentVolumeClaim>("/api/v1/persistentvolumeclaims", () => core.listPersistentVolumeClaimForAllNamespaces());
  // Outside the request that first asked: the informers serve every viewer.
  const ready = outsideRequest(() => Promise.all(informers.map((i) => i.start()))).then(() => undefined);
  ready.catch(() => {});
  return {
    nodes: () => nodes.list(),
    pods: () => pods.list(),
    persistentVolumes: () => pvs.list(),
    claims: () => pvcs.list(),
    ready,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      listeners.clear();
      await Promise.all(informers.map((i) => i.stop().catch(() => {})));
    },
  };
}
