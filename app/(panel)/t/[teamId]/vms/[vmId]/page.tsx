import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { VmConsoleLinks } from "@/components/console/vm-console-frame";
import { LiveIndicator } from "@/components/live/live-indicator";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { DiskProgress } from "@/components/vms/disk-progress";
import { VmLiveDetails } from "@/components/vms/vm-live-details";
import { LifecycleNote } from "@/components/workloads/lifecycle-badge";
import { loadTeamForPage } from "@/lib/access/page-access";
import { NotFoundError } from "@/lib/errors";
import { getVmDiskProgress } from "@/lib/vms/disks/progress";
import { getVm } from "@/lib/vms/queries";
import { deleteVmAction, operateVmAction } from "../actions";

export const metadata: Metadata = { title: "VM" };

// One VM: its console links (while it runs), facts, power buttons and conditions, kept current
// by the live-events stream (components/vms/vm-live-details.tsx); its disk's import or upload
// progress; delete. A VM of another team is not found (the read is scoped by the team the
// viewer may see).
export default async function VmPage({ params }: { params: Promise<{ teamId: string; vmId: string }> }) {
  const { teamId, vmId } = await params;
  const { db, team, allowed } = await loadTeamForPage(teamId);
  const vm = await getVm(db, team.id, vmId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const disk = await getVmDiskProgress(db, team.id, vm.id);
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
        bootDisk={disk ? `${vm.image} (${disk.sizeGib} GiB disk)` : undefined}
        disk={
          disk && (
            <section className="card" aria-labelledby="disk-title">
              <h2 id="disk-title">Disk</h2>
              <DiskProgress progress={disk.progress} workloadId={vm.id} canUpload={allowed("workloads:create")} diskGib={disk.sizeGib} />
            </section>
          )
        }
      />

      {allowed("workloads:delete") && (
        <section className="card danger-zone" aria-labelledby="delete-title">
          <h2 id="delete-title">Delete</h2>
          <p>Delete removes the VM, its running instance, its cloud-init Secret and its Service{disk ? ", and its disk unless you keep it" : ""}.</p>
          <ConfirmDelete
            action={deleteVmAction}
            id={vm.id}
            name={vm.displayName}
            what="VM"
            consequence="The VM and everything made for it are deleted. This cannot be undone."
            options={
              disk && (
                <label className="check">
                  <input type="checkbox" name="keepDisk" data-testid="keep-disk" /> Keep the disk: its DataVolume stays in the team&apos;s namespace (labelled <span className="mono">minicloud.io/kept-disk</span>) and
                  still counts against the storage quota
                </label>
              )
            }
          />
        </section>
      )}
    </>
  );
}
