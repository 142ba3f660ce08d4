// The team's VMs: name, status and reason, node, IP, size, age and owner. Rendered on the
// server from a list read from the cluster (live updates by watch are a later step).
import Link from "next/link";
import { age } from "@/components/pods/durations";
import { DataTable } from "@/components/ui/data-table";
import { LifecycleBadge } from "@/components/workloads/lifecycle-badge";
import { describeVmSize } from "@/components/vms/size";
import { VmStatus } from "@/components/vms/vm-status";
import type { VmView } from "@/lib/vms/types";

// The row's test id: the name as typed, lower-cased with dashes for spaces.
const rowId = (displayName: string) => `vm-row-${displayName.trim().toLowerCase().replace(/\s+/g, "-")}`;

export function VmsTable({ teamId, vms, now }: { teamId: string; vms: VmView[]; now: number }) {
  if (vms.length === 0) return <p className="empty">No VMs in this team yet. A VM boots a disk image with your SSH keys installed.</p>;
  return (
    <DataTable
      label="VMs"
      rows={vms}
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
        { text: "Node", className: "mono", cell: (vm) => vm.runtime.node ?? "—" },
        { text: "IP", className: "mono", cell: (vm) => vm.runtime.ip ?? "—" },
        { text: "Size", cell: (vm) => describeVmSize(vm) },
        { text: "Age", className: "nowrap", title: (vm) => vm.createdAt, cell: (vm) => age(vm.createdAt, now) },
        { text: "Owner", title: (vm) => vm.owner.email, cell: (vm) => vm.owner.name },
      ]}
    />
  );
}
