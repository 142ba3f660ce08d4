import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { VmConsoleLinks } from "@/components/console/vm-console-frame";
import { ConfirmDelete } from "@/components/ui/confirm-delete";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import { DiskProgress } from "@/components/vms/disk-progress";
import { describeVmSize } from "@/components/vms/size";
import { VmOperations } from "@/components/vms/vm-operations";
import { VmStatus } from "@/components/vms/vm-status";
import { LifecycleNote } from "@/components/workloads/lifecycle-badge";
import { loadTeamForPage } from "@/lib/access/page-access";
import { NotFoundError } from "@/lib/errors";
import { getVmDiskProgress } from "@/lib/vms/disks/progress";
import { getVm } from "@/lib/vms/queries";
import { deleteVmAction, operateVmAction } from "../actions";

export const metadata: Metadata = { title: "VM" };

// One VM: status, phase, address, node, run strategy, boot source, size, conditions; its
// operations (following its state) and delete. A VM of another team is not found (the read is
// scoped by the team the viewer may see).
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
        <Link href={`/t/${team.id}/vms`}>Back to VMs</Link>
      </div>
      {vm.clusterError && (
        <div className="alert error" role="alert">
          {vm.clusterError}
        </div>
      )}
      <LifecycleNote lifecycle={vm.lifecycle} />
      {allowed("terminals:open") && vm.runtime.phase === "Running" && (
        <p>
          <VmConsoleLinks teamId={team.id} vmId={vm.id} />
        </p>
      )}

      <section className="card">
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <VmStatus runtime={vm.runtime} />
          </dd>
          <dt>Phase</dt>
          <dd>{vm.runtime.phase ?? "No instance (not running)"}</dd>
          <dt>Node / IP</dt>
          <dd className="mono">
            {vm.runtime.node ?? "—"} / {vm.runtime.ip ?? "—"}
          </dd>
          <dt>Running since</dt>
          <dd>{vm.runtime.startedAt ? <Time value={new Date(vm.runtime.startedAt)} /> : "—"}</dd>
          <dt>Run strategy</dt>
          <dd>{vm.runtime.runStrategy ?? "—"}</dd>
          <dt>Address in the cluster</dt>
          <dd className="mono">{vm.service ? `${vm.service.name}.${vm.namespace}.svc:22 (${vm.service.clusterIP ?? "no cluster IP"})` : "The Service is missing."}</dd>
          <dt>Cluster / namespace</dt>
          <dd>
            {vm.clusterName} / <span className="mono">{vm.namespace}</span>
          </dd>
          <dt>Boot disk</dt>
          <dd className="mono">{disk ? `${vm.image} (${disk.sizeGib} GiB disk)` : `${vm.image} (container disk)`}</dd>
          <dt>Size</dt>
          <dd>{describeVmSize(vm)}</dd>
          <dt>cloud-init</dt>
          <dd>Host name {vm.name}, your SSH keys and the panel&apos;s{vm.hasCloudConfig ? ", plus your own user data" : ""}</dd>
          <dt>Mesh sidecar</dt>
          <dd>{vm.meshSidecar ? "Injected" : "No"}</dd>
          <dt>Owner</dt>
          <dd>
            {vm.owner.name} ({vm.owner.email})
          </dd>
          <dt>Created</dt>
          <dd>
            <Time value={new Date(vm.createdAt)} />
          </dd>
        </dl>
      </section>

      {disk && (
        <section className="card" aria-labelledby="disk-title">
          <h2 id="disk-title">Disk</h2>
          <DiskProgress progress={disk.progress} workloadId={vm.id} canUpload={allowed("workloads:create")} diskGib={disk.sizeGib} />
        </section>
      )}

      {allowed("workloads:operate") && vm.lifecycle.state === "ready" && (
        <section className="card" aria-labelledby="power-title">
          <h2 id="power-title">Power</h2>
          <VmOperations action={operateVmAction} workloadId={vm.id} displayName={vm.displayName} printableStatus={vm.runtime.printableStatus} />
        </section>
      )}

      <section className="card" aria-labelledby="conditions-title">
        <h2 id="conditions-title">Conditions</h2>
        {vm.conditions.length === 0 ? (
          <p className="muted">No conditions reported yet.</p>
        ) : (
          <DataTable
            rows={vm.conditions}
            rowKey={(c) => `${c.object}-${c.type}`}
            columns={[
              { text: "Of", cell: (c) => c.object },
              { text: "Type", cell: (c) => c.type },
              { text: "Status", cell: (c) => c.status },
              { text: "Reason", className: "detail", cell: (c) => [c.reason, c.message].filter(Boolean).join(": ") || "—" },
              { text: "Since", cell: (c) => <Time value={c.lastTransitionTime ? new Date(c.lastTransitionTime) : null} /> },
            ]}
          />
        )}
      </section>

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
