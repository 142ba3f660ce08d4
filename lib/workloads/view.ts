// What every kind's list shows of a workload, from its row: ids, names, cluster, owner, age and
// where it is in its life. Each kind's view adds its own spec and what the cluster says.
import type { ListedWorkload } from "@/lib/workloads/rows";

/** The fields every workload list row has (SSH pods, VMs). */
export interface WorkloadView {
  /** The workload row's id. */
  id: string;
  teamId: string;
  /** Kubernetes name of the workload. */
  name: string;
  /** What the user typed as the name. */
  displayName: string;
  clusterId: string;
  clusterName: string;
  namespace: string;
  owner: { id: string; name: string; email: string };
  /** RFC 3339. */
  createdAt: string;
  /** Set when the cluster could not be asked; what the cluster says is then unknown (Missing). */
  clusterError: string | null;
  /** Where the workload is in its life (being created or deleted, lost, …) and why, from its row. */
  lifecycle: { state: "creating" | "ready" | "failed" | "deleting" | "lost"; reason: string | null };
}

/** The common fields of a listed row (its spec stores the name as typed). */
export function workloadView({ row, clusterName, owner }: Omit<ListedWorkload, "row"> & { row: Omit<ListedWorkload["row"], "spec"> & { spec: { displayName: string } } }, clusterError: string | null): WorkloadView {
  return {
    id: row.id,
    teamId: row.teamId,
    name: row.name,
    displayName: row.spec.displayName,
    clusterId: row.clusterId,
    clusterName,
    namespace: row.namespace,
    owner,
    createdAt: row.createdAt.toISOString(),
    clusterError,
    lifecycle: { state: row.state, reason: row.stateReason },
  };
}
