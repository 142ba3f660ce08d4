"use client";
// The buttons of a VM, following its state: start, stop, force stop, restart, pause, unpause.
// Stopping and restarting interrupt the guest, so they are confirmed first.
import { ActionForm } from "@/components/ui/action-form";
import { ConfirmAction } from "@/components/ui/confirm-action";
import type { ActionResult } from "@/lib/actions/define-action";
import { CONFIRMED_OPERATIONS, VM_OPERATION_LABELS, operationsFor, type VmOperation } from "@/lib/vms/choices";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

// What a confirmed operation does to the guest, in a sentence.
const CONSEQUENCE: Partial<Record<VmOperation, string>> = {
  stop: "The guest is asked to shut down; KubeVirt powers it off if it does not within its grace period. The disk image is fresh on the next start.",
  forceStop: "The VM is powered off at once, like pulling the plug: unsaved work in the guest is lost.",
  restart: "The guest is stopped and started again on a fresh instance (its address may change).",
};

export function VmOperations({ action, workloadId, displayName, printableStatus }: { action: ServerAction; workloadId: string; displayName: string; printableStatus: string }) {
  const operations = operationsFor(printableStatus);
  if (operations.length === 0) return <p className="muted small">Nothing can be done to the VM in its present state.</p>;
  return (
    <div className="toolbar" data-testid="vm-operations">
      {operations.map((operation) =>
        CONFIRMED_OPERATIONS.includes(operation) ? (
          <ConfirmAction
            key={operation}
            action={action}
            fields={{ workloadId, operation }}
            buttonLabel={VM_OPERATION_LABELS[operation]}
            title={`${VM_OPERATION_LABELS[operation]} VM “${displayName}”?`}
            danger={operation === "forceStop"}
          >
            <p>{CONSEQUENCE[operation]}</p>
          </ConfirmAction>
        ) : (
          <ActionForm key={operation} action={action} submitLabel={VM_OPERATION_LABELS[operation]} className="inline" resetOnSuccess={false}>
            <input type="hidden" name="workloadId" value={workloadId} />
            <input type="hidden" name="operation" value={operation} />
          </ActionForm>
        ),
      )}
    </div>
  );
}
