// What a cluster holds of one workload kind, for the reconciler and the drift page: the objects
// labelled with the kind and the registration, grouped by workload, with the oldest object's
// age, whether the anchor is there and which deletions finalizers hold. Each kind's driver says
// which object kinds it makes and how to list them.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Db } from "@/lib/db/client";
import { getClusterConnection, type ClusterConnection } from "@/lib/kube/clients";
import { CLUSTER_LABEL, KIND_LABEL, MANAGED_SELECTOR, WORKLOAD_LABEL } from "@/lib/kube/labels";
import type { WorkloadKind } from "@/lib/workloads/kinds";
import type { FoundWorkload } from "@/lib/workloads/lifecycle";

/** One kind of object a workload kind makes, and how to list them across namespaces by label selector. */
export interface InventoriedKind {
  kind: string;
  list(connection: ClusterConnection, labelSelector: string): Promise<KubernetesObject[]>;
}

/**
 * Every workload of `kind` with objects in the cluster of registration `clusterId`; `anchor` is
 * the object kind whose presence means the workload is there. Objects made before they carried
 * the registration's label are found too (a row's objects are looked for by its id), but only
 * workloads whose every object carries this registration's label count as `madeHere` — the only
 * ones that may be removed as drift.
 */
export async function inventoryOf(db: Db, clusterId: string, kind: WorkloadKind, anchor: string, kinds: readonly InventoriedKind[]): Promise<FoundWorkload[]> {
  const connection = await getClusterConnection(db, clusterId);
  const labelSelector = `${MANAGED_SELECTOR},${KIND_LABEL}=${kind}`;
  const found = new Map<string, FoundWorkload>();
  for (const { kind: objectKind, list } of kinds) {
    for (const item of await list(connection, labelSelector)) {
      const workloadId = item.metadata?.labels?.[WORKLOAD_LABEL];
      if (!workloadId) continue;
      const createdAt = new Date(item.metadata?.creationTimestamp ?? Date.now());
      const entry = found.get(workloadId) ?? { workloadId, kind, namespace: item.metadata!.namespace!, createdAt, anchored: false, madeHere: true, objects: [] };
      if (createdAt < entry.createdAt) entry.createdAt = createdAt;
      if (item.metadata?.labels?.[CLUSTER_LABEL] !== clusterId) entry.madeHere = false;
      if (objectKind === anchor) entry.anchored = true;
      const heldBy = item.metadata?.deletionTimestamp && item.metadata.finalizers?.length ? item.metadata.finalizers : undefined;
      entry.objects.push({ kind: objectKind, name: item.metadata!.name!, ...(heldBy && { heldBy }) });
      found.set(workloadId, entry);
    }
  }
  return [...found.values()];
}
