"use client";
// The live part of a VM's page: its console links (while its instance runs), its facts (status, phase, node and IP, running since and boot
// time, run strategy, address, boot disk, size, …), the power buttons (which follow its state)
// and the conditions of the VM and its instance. Starts from the server's render; the
// live-events stream then patches runtime and conditions as KubeVirt reports them.
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import { describeVmSize } from "@/components/vms/size";
import { VmOperations } from "@/components/vms/vm-operations";
import { VmStatus } from "@/components/vms/vm-status";
import { useVm } from "@/components/vms/vms-query";
import type { ReactNode } from "react";
import type { ActionResult } from "@/lib/actions/define-action";
import type { VmDetail } from "@/lib/vms/types";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

// KubeVirt records phase changes to the second, so a boot time is whole seconds (±1).
const bootTime = (ms: number) => (ms < 1000 ? "within a second" : `in about ${Math.round(ms / 1000)} s`);

export function VmLiveDetails({
  teamId,
  initial,
  renderedAt,
  operateAction,
  consoles,
  bootDisk,
  disk,
}: {
  teamId: string;
  initial: VmDetail;
  renderedAt: number;
  /** The power action, when the viewer may operate the VM (the action checks again). */
  operateAction: ServerAction | null;
  /** Links to the VM's consoles, when the viewer may open them: shown while its instance runs. */
  consoles?: ReactNode;
  /** How the boot disk reads when it is not the container disk (a DataVolume of its own). */
  bootDisk?: string;
  /** The disk's import or upload progress (components/vms/disk-progress.tsx), between the facts and the power buttons. */
  disk?: ReactNode;
}) {
  const { data: vm } = useVm(teamId, initial, renderedAt);
  const { runtime } = vm;
  return (
    <>
      {consoles && runtime.phase === "Running" && <p>{consoles}</p>}
      <section className="card" data-testid="vm-facts">
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <VmStatus runtime={runtime} />
          </dd>
          <dt>Phase</dt>
          <dd data-testid="vm-phase">{runtime.phase ?? "No instance (not running)"}</dd>
          <dt>Node / IP</dt>
          <dd className="mono" data-testid="vm-node-ip">
            {runtime.node ?? "—"} / {runtime.ip ?? "—"}
          </dd>
          <dt>Running since</dt>
          <dd data-testid="vm-started">
            {runtime.startedAt ? (
              <>
                <Time value={new Date(runtime.startedAt)} />
                {runtime.bootMs !== null && <span className="muted small"> (booted {bootTime(runtime.bootMs)})</span>}
              </>
            ) : (
              "—"
            )}
          </dd>
          <dt>Run strategy</dt>
          <dd>{runtime.runStrategy ?? "—"}</dd>
          <dt>Address in the cluster</dt>
          <dd className="mono">{vm.service ? `${vm.service.name}.${vm.namespace}.svc:22 (${vm.service.clusterIP ?? "no cluster IP"})` : "The Service is missing."}</dd>
          <dt>Cluster / namespace</dt>
          <dd>
            {vm.clusterName} / <span className="mono">{vm.namespace}</span>
          </dd>
          <dt>Boot disk</dt>
          <dd className="mono">{bootDisk ?? `${vm.image} (container disk)`}</dd>
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

      {disk}

      {operateAction && vm.lifecycle.state === "ready" && (
        <section className="card" aria-labelledby="power-title">
          <h2 id="power-title">Power</h2>
          <VmOperations action={operateAction} workloadId={vm.id} displayName={vm.displayName} printableStatus={runtime.printableStatus} />
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
    </>
  );
}
