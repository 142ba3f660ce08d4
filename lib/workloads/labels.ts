// The labels a workload's Kubernetes objects carry (Pod, Service, Secret, PVC, VM, …): the
// label names are lib/kube/labels.ts's; which values a workload puts there is decided here.
import { CLUSTER_LABEL, KIND_LABEL, MANAGED_BY, MANAGED_BY_VALUE, OWNER_LABEL, TEAM_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import type { WorkloadKind } from "@/lib/workloads/kinds";

/** Labels of every object belonging to one workload (Pod, Service, Secret, PVC, VM, …), the registration it was made through included. */
export function workloadLabels(workload: { clusterId: string; teamId: string; ownerId: string; kind: WorkloadKind; workloadId: string }): Record<string, string> {
  return {
    [MANAGED_BY]: MANAGED_BY_VALUE,
    [CLUSTER_LABEL]: workload.clusterId,
    [TEAM_LABEL]: workload.teamId,
    [OWNER_LABEL]: workload.ownerId,
    [KIND_LABEL]: workload.kind,
    [WORKLOAD_LABEL]: workload.workloadId,
  };
}
