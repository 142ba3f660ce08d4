// What a VirtualMachine's status says, derived from its run strategy and its VMI (as virt-controller does).
import type { Condition, VirtualMachine, VirtualMachineInstance } from "./kubevirt";
import { isVmiActive, isVmiReady, kubeTimeNow, vmiPhase } from "./kubevirt";

/** The status fields the stand-in owns on a VM. */
export interface VmStatusFields {
  printableStatus: string;
  ready: boolean;
  created: boolean;
  readyCondition: Condition["status"];
}

/** Derives the VM's status from whether it should run and the VMI it has. */
export function vmStatusFor(shouldRun: boolean, vmi: VirtualMachineInstance | undefined): VmStatusFields {
  if (!vmi) {
    const printableStatus = shouldRun ? "Starting" : "Stopped";
    return { printableStatus, ready: false, created: false, readyCondition: "False" };
  }
  if (vmi.metadata?.deletionTimestamp || (isVmiActive(vmi) && !shouldRun)) {
    return { printableStatus: "Stopping", ready: false, created: true, readyCondition: "False" };
  }
  if (!isVmiActive(vmi)) return { printableStatus: "Stopped", ready: false, created: true, readyCondition: "False" };
  const waiting = vmi.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  if (vmiPhase(vmi) !== "Running") {
    const printableStatus = !waiting ? "Starting" : waiting.reason === "Provisioning" ? "Provisioning" : "ErrorUnschedulable";
    return { printableStatus, ready: false, created: true, readyCondition: "False" };
  }
  const ready = isVmiReady(vmi);
  const paused = vmi.status?.conditions?.some((c) => c.type === "Paused" && c.status === "True");
  return { printableStatus: paused ? "Paused" : "Running", ready, created: true, readyCondition: ready ? "True" : "False" };
}

/** True when the VM's stored status already shows `fields`. */
export function vmStatusMatches(vm: VirtualMachine, fields: VmStatusFields): boolean {
  const status = vm.status ?? {};
  const ready = status.conditions?.find((c) => c.type === "Ready")?.status;
  return (
    status.printableStatus === fields.printableStatus &&
    status.ready === fields.ready &&
    status.created === fields.created &&
    ready === fields.readyCondition &&
    status.observedGeneration === vm.metadata?.generation
  );
}

/** Merge patch for the VM's status subresource; conditional on the cached resourceVersion. */
export function vmStatusPatch(vm: VirtualMachine, fields: VmStatusFields): object {
  return {
    metadata: { resourceVersion: vm.metadata?.resourceVersion },
    status: {
      printableStatus: fields.printableStatus,
      ready: fields.ready,
      created: fields.created,
      observedGeneration: vm.metadata?.generation,
      conditions: [
        {
          type: "Ready",
          status: fields.readyCondition,
          lastProbeTime: null,
          lastTransitionTime: kubeTimeNow(),
          ...(fields.readyCondition === "True" ? {} : { reason: fields.created ? "GuestNotRunning" : "VMINotExists" }),
        },
      ],
    },
  };
}
