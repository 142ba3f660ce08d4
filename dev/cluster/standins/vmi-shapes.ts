// The VirtualMachineInstance objects and status steps the VM lifecycle stand-in writes.
import type { Condition, VirtualMachine, VirtualMachineInstance, VmiPhase } from "./kubevirt";
import { kubevirtGroup, kubevirtVersion, kubeTimeNow } from "./kubevirt";

const now = kubeTimeNow;

const condition = (type: string, status: Condition["status"], reason?: string, message?: string): Condition => ({
  type,
  status,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
  lastProbeTime: null,
  lastTransitionTime: now(),
});

const transition = (phase: VmiPhase) => ({ phase, phaseTransitionTimestamp: now() });

/** The VMI a VM's controller creates: template metadata and spec, owned by the VM, starting Pending. */
export function newVmiFor(vm: VirtualMachine): VirtualMachineInstance {
  const template = vm.spec?.template ?? {};
  return {
    apiVersion: `${kubevirtGroup}/${kubevirtVersion}`,
    kind: "VirtualMachineInstance",
    metadata: {
      name: vm.metadata!.name,
      namespace: vm.metadata!.namespace,
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations, "kubevirt.io/latest-observed-api-version": kubevirtVersion },
      ownerReferences: [
        {
          apiVersion: `${kubevirtGroup}/${kubevirtVersion}`,
          kind: "VirtualMachine",
          name: vm.metadata!.name!,
          uid: vm.metadata!.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...template.spec },
    status: {
      phase: "Pending",
      conditions: [condition("Ready", "False", "GuestNotRunning", "Guest VM is not reported as running")],
      phaseTransitionTimestamps: [transition("Pending")],
    },
  };
}

/** Merge patch: a VMI created without status (not by a VM) enters Pending. */
export function pendingPatch(vmi: VirtualMachineInstance): object {
  return {
    metadata: { resourceVersion: vmi.metadata?.resourceVersion },
    status: {
      phase: "Pending",
      conditions: [condition("Ready", "False", "GuestNotRunning", "Guest VM is not reported as running")],
      phaseTransitionTimestamps: [transition("Pending")],
    },
  };
}

/** Merge patch: the VMI landed on `nodeName` (the launcher pod is scheduled). */
export function scheduledPatch(vmi: VirtualMachineInstance, nodeName: string): object {
  return {
    metadata: { resourceVersion: vmi.metadata?.resourceVersion, labels: { "kubevirt.io/nodeName": nodeName } },
    status: {
      phase: "Scheduled",
      nodeName,
      conditions: [condition("Ready", "False", "GuestNotRunning", "Guest VM is not reported as running")],
      phaseTransitionTimestamps: [...(vmi.status?.phaseTransitionTimestamps ?? []), transition("Scheduled")],
    },
  };
}

/** Merge patch: it cannot start yet (no node fits, a volume is being provisioned, the guest limit is reached). */
export function unschedulablePatch(vmi: VirtualMachineInstance, message: string, reason = "Unschedulable"): object {
  return {
    metadata: { resourceVersion: vmi.metadata?.resourceVersion },
    status: {
      conditions: [
        condition("Ready", "False", "GuestNotRunning", "Guest VM is not reported as running"),
        condition("PodScheduled", "False", reason, message),
      ],
    },
  };
}

/** Merge patch: the guest is gone — it powered off (Succeeded) or failed. */
export function finishedPatch(vmi: VirtualMachineInstance, phase: "Succeeded" | "Failed", message: string): object {
  return {
    metadata: { resourceVersion: vmi.metadata?.resourceVersion },
    status: {
      phase,
      conditions: [condition("Ready", "False", phase === "Succeeded" ? "GuestNotRunning" : "GuestFailed", message.slice(0, 500))],
      phaseTransitionTimestamps: [...(vmi.status?.phaseTransitionTimestamps ?? []), transition(phase)],
    },
  };
}

/** Merge patch: the guest's CPUs were stopped (`paused`) or resumed, as KubeVirt's Paused condition shows. */
export function pausedPatch(vmi: VirtualMachineInstance, paused: boolean): object {
  const others = (vmi.status?.conditions ?? []).filter((c) => c.type !== "Paused");
  return {
    metadata: { resourceVersion: vmi.metadata?.resourceVersion },
    status: { conditions: paused ? [...others, condition("Paused", "True", "PausedByUser", "VMI was paused by user")] : others },
  };
}

/** Merge patch: the guest booted with one interface holding `ipAddress`. */
export function runningPatch(vmi: VirtualMachineInstance, ipAddress: string, mac: string): object {
  return {
    metadata: { resourceVersion: vmi.metadata?.resourceVersion },
    status: {
      phase: "Running",
      interfaces: [
        { name: "default", interfaceName: "eth0", ipAddress, ipAddresses: [ipAddress], mac, infoSource: "domain, guest-agent" },
      ],
      conditions: [condition("Ready", "True"), condition("LiveMigratable", "False", "DisksNotLiveMigratable")],
      phaseTransitionTimestamps: [...(vmi.status?.phaseTransitionTimestamps ?? []), transition("Running")],
    },
  };
}
