"use client";
// The team's VMs: name, status and reason, node, IP, size, age and owner, with an All / Mine
// switch. The first list comes from the server; React Query then keeps it, patched live by
// the events stream (status, IP and node change as KubeVirt reports them, no reload).
import Link from "next/link";
import { age } from "@/components/pods/durations";
import { useNow } from "@/components/pods/use-now";
import { DataTable } from "@/components/ui/data-table";
import { LifecycleBadge } from "@/components/workloads/lifecycle-badge";
import { TeamWorkloadList } from "@/components/workloads/team-workload-list";
import { describeVmSize } from "@/components/vms/size";
import { VmStatus } from "@/components/vms/vm-status";
import { useTeamVms } from "@/components/vms/vms-query";
import type { VmView } from "@/lib/vms/types";

// The row's test id: the name as typed, lower-cased with dashes for spaces.
const rowId = (displayName: string) => `vm-row-${displayName.trim().toLowerCase().replace(/\s+/g, "-")}`;

export function VmsTable({ teamId, initialVms, renderedAt, currentUserId }: { teamId: string; initialVms: VmView[]; renderedAt: number; currentUserId: string }) {
  const { data: vms, error, isFetching } = useTeamVms(teamId, initialVms, renderedAt);
  const now = useNow(renderedAt);
  return (
    <TeamWorkloadList
      label="VMs"
      rows={vms}
      currentUserId={currentUserId}
      error={error}
      isFetching={isFetching}
      emptyAll="No VMs in this team yet. A VM boots a disk image with your SSH keys installed."
      emptyMine="You have no VMs in this team."
    >
      {(shown) => (
        <DataTable
          label="VMs"
          rows={shown}
          rowKey={(vm) => vm.id}
          rowAttributes={(vm) => ({ "data-testid": rowId(vm.displayName), "data-vm-name": vm.name })}
          columns={[
            {
              text: "Name",
              cell: (vm) => (
                <>
                  <Link href={`/t/${teamId}/vms/${vm.id}`}>{vm.displayName}</Link>
                  <div className="muted small mono">
                    {vm.name} · {vm.clusterName}
                  </div>
                </>
              ),
            },
            {
              text: "Status",
              cell: (vm) => (
                <>
                  <VmStatus runtime={vm.runtime} /> <LifecycleBadge lifecycle={vm.lifecycle} />
                </>
              ),
            },
            { text: "Phase", cell: (vm) => vm.runtime.phase ?? "—" },
            { text: "Node", className: "mono", cell: (vm) => vm.runtime.node ?? "—" },
            { text: "IP", className: "mono", cell: (vm) => vm.runtime.ip ?? "—" },
            { text: "Size", cell: (vm) => describeVmSize(vm) },
            { text: "Age", className: "nowrap", title: (vm) => vm.createdAt, cell: (vm) => age(vm.createdAt, now) },
            { text: "Owner", title: (vm) => vm.owner.email, cell: (vm) => vm.owner.name },
          ]}
        />
      )}
    </TeamWorkloadList>
  );
}
