import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { VmConsoleLinks } from "@/components/console/vm-console-frame";
import { LiveIndicator } from "@/components/live/live-indicator";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { VmLiveDetails } from "@/components/vms/vm-live-details";
import { LifecycleNote } from "@/components/workloads/lifecycle-badge";
import { loadTeamForPage } from "@/lib/access/page-access";
import { NotFoundError } from "@/lib/errors";
import { getVm } from "@/lib/vms/queries";
import { deleteVmAction, operateVmAction } from "../actions";

export const metadata: Metadata = { title: "VM" };

// One VM: its console links (while it runs), facts, power buttons and conditions, kept current
// by the live-events stream (components/vms/vm-live-details.tsx); its disks; delete. A VM of another team is not found
// (the read is scoped by the team the viewer may see).
export default async function VmPage({ params }: { params: Promise<{ teamId: string; vmId: string }> }) {
  const { teamId, vmId } = await params;
  const { db, team, allowed } = await loadTeamForPage(teamId);
  const vm = await getVm(db, team.id, vmId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <>
      <div className="page-head">
        <h1>{vm.displayName}</h1>
        <LiveIndicator />
        <Link href={`/t/${team.id}/vms`}>Back to VMs</Link>
      </div>
      {vm.clusterError && (
        <div className="alert error" role="alert">
          {vm.clusterError}
        </div>
      )}
      <LifecycleNote lifecycle={vm.lifecycle} />

      <VmLiveDetails
        teamId={team.id}
        initial={vm}
        renderedAt={Date.now()}
        operateAction={allowed("workloads:operate") ? operateVmAction : null}
        consoles={allowed("terminals:open") ? <VmConsoleLinks teamId={team.id} vmId={vm.id} /> : null}
      />

      {/* Disks: the import / upload progress of the VM's DataVolumes (components/vms/disk-progress.tsx) belongs here, between the power buttons and delete. */}

      {allowed("workloads:delete") && (
        <section className="card danger-zone" aria-labelledby="delete-title">
          <h2 id="delete-title">Delete</h2>
          <p>Delete removes the VM, its running instance, its cloud-init Secret and its Service.</p>
          <ConfirmDelete action={deleteVmAction} id={vm.id} name={vm.displayName} what="VM" consequence="The VM and everything made for it are deleted. This cannot be undone." />
        </section>
      )}
    </>
  );
}
