// A cluster's live health: reachable, version, nodes Ready/total, and per node the pods it
// runs and CPU / memory requested against allocatable.
import { DataTable } from "@/components/ui/data-table";
import type { ClusterHealth } from "@/lib/clusters/health";
import type { LiveRead } from "@/lib/clusters/read-live";
import { formatBytes, formatCpu } from "@/lib/kube/quantity";

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : "—");

/** The health figures, or why the cluster could not be read. */
export function ClusterHealthCards({ health }: { health: LiveRead<ClusterHealth> }) {
  const value = health.ok ? health.value : { reachable: false as const, error: health.error };
  if (!value.reachable) {
    return (
      <p className="alert error" data-testid="cluster-health">
        Unreachable: {value.error}
      </p>
    );
  }
  const { totals } = value;
  return (
    <div data-testid="cluster-health">
      <dl className="facts">
        <dt>Reachable</dt>
        <dd>
          <span className="badge ok">yes</span>
        </dd>
        <dt>Version</dt>
        <dd>{value.version}</dd>
        <dt>Nodes ready</dt>
        <dd>
          {value.nodes.ready} of {value.nodes.total}
        </dd>
        <dt>Pods</dt>
        <dd>
          {totals.pods} running or pending on nodes{value.unscheduledPods > 0 ? `, ${value.unscheduledPods} waiting for a node` : ""}
        </dd>
        <dt>CPU requested</dt>
        <dd>
          {formatCpu(totals.requested.cpuMillicores)} of {formatCpu(totals.allocatable.cpuMillicores)} ({percent(totals.requested.cpuMillicores, totals.allocatable.cpuMillicores)})
        </dd>
        <dt>Memory requested</dt>
        <dd>
          {formatBytes(totals.requested.memoryBytes)} of {formatBytes(totals.allocatable.memoryBytes)} ({percent(totals.requested.memoryBytes, totals.allocatable.memoryBytes)})
        </dd>
      </dl>
      <DataTable
        label="Nodes"
        rows={value.perNode}
        rowKey={(n) => n.name}
        columns={[
          { text: "Node", className: "mono", cell: (n) => n.name },
          {
            text: "Status",
            cell: (n) => (
              <>
                {n.ready ? <span className="badge ok">Ready</span> : <span className="badge danger">Not ready</span>}
                {n.unschedulable && <span className="badge warn">cordoned</span>}
              </>
            ),
          },
          { text: "Pods", cell: (n) => `${n.pods} / ${n.allocatable.pods}` },
          { text: "CPU requested", cell: (n) => `${formatCpu(n.requested.cpuMillicores)} of ${formatCpu(n.allocatable.cpuMillicores)}` },
          { text: "Memory requested", cell: (n) => `${formatBytes(n.requested.memoryBytes)} of ${formatBytes(n.allocatable.memoryBytes)}` },
        ]}
      />
    </div>
  );
}
