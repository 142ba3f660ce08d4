// start / stop / restart of `subresources.kubevirt.io`, with virt-api's rules for each run strategy:
// start turns Halted into Always, stop turns Always (and RerunOnFailure, Once) into Halted, Manual VMs are
// never rewritten but get a state change request, and restart asks virt-controller to stop then start the VMI.
import { isConflict, isNotFound, mergePatch, orNotFound, type Kube } from "./kube";
import {
  isVmiActive,
  kubevirtGroup,
  kubevirtVersion,
  runStrategyOf,
  stateChangeRequestsOf,
  vmiPlural,
  vmPlural,
  type RunStrategy,
  type StateChangeRequest,
  type VirtualMachine,
  type VirtualMachineInstance,
} from "./kubevirt";
import { ApiError } from "./http-replies";

export type VmAction = "start" | "stop" | "restart";

/** What an action does to a VM: rewrite its run strategy, queue state change requests, or refuse. */
type Decision = { runStrategy: RunStrategy } | { requests: StateChangeRequest[] } | { conflict: string };

/** Decides what `action` does to `vm` given its current VMI (virt-api's table). */
export function decideVmAction(action: VmAction, vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): Decision {
  const strategy = runStrategyOf(vm);
  const running = isVmiActive(vmi);
  switch (action) {
    case "start":
      if (running) return { conflict: "VM is already running" };
      if (strategy === "Halted") return { runStrategy: "Always" };
      if (strategy === "Manual" || strategy === "RerunOnFailure") return { requests: [{ action: "Start" }] };
      return { conflict: `${strategy} does not support manual start requests` };
    case "stop":
      if (strategy === "Halted" || strategy === "Manual") {
        if (!running) return { conflict: "VM is not running" };
        return { requests: [{ action: "Stop", uid: vmi?.metadata?.uid }] };
      }
      return { runStrategy: "Halted" };
    case "restart":
      if (strategy === "Halted") return { conflict: "Halted does not support manual restart requests" };
      if (!running) return { conflict: "VM is not running" };
      return { requests: [{ action: "Stop", uid: vmi?.metadata?.uid }, { action: "Start" }] };
  }
}

const attempts = 3;

/** Carries out `action` on the VM `namespace/name`; throws ApiError for 404 and 409. */
export async function runVmAction(kube: Kube, action: VmAction, namespace: string, name: string, options: { gracePeriod?: number } = {}): Promise<void> {
  const api = { group: kubevirtGroup, version: kubevirtVersion, namespace };
  for (let attempt = 1; ; attempt++) {
    const vm = (await orNotFound(kube.custom.getNamespacedCustomObject({ ...api, plural: vmPlural, name }))) as VirtualMachine | undefined;
    if (!vm) throw ApiError.notFound(vmPlural, kubevirtGroup, name);
    const vmi = (await orNotFound(kube.custom.getNamespacedCustomObject({ ...api, plural: vmiPlural, name }))) as
      | VirtualMachineInstance
      | undefined;
    const decision = decideVmAction(action, vm, vmi);
    if ("conflict" in decision) throw ApiError.conflict("virtualmachine", kubevirtGroup, name, decision.conflict);
    if (action === "stop" && options.gracePeriod !== undefined && vmi && isVmiActive(vmi)) {
      // As virt-api does: the VMI's grace period is overridden before it is stopped (0 = force).
      const body = { spec: { terminationGracePeriodSeconds: options.gracePeriod } };
      await kube.custom.patchNamespacedCustomObject({ ...api, plural: vmiPlural, name, body }, mergePatch);
    }
    // Conditional on the resourceVersion read above, so a concurrent change is retried, not overwritten.
    const resourceVersion = vm.metadata?.resourceVersion;
    try {
      if ("runStrategy" in decision) {
        // `running: null` drops the deprecated field: KubeVirt refuses VMs that set both.
        const body = { metadata: { resourceVersion }, spec: { runStrategy: decision.runStrategy, running: null } };
        await kube.custom.patchNamespacedCustomObject({ ...api, plural: vmPlural, name, body }, mergePatch);
      } else {
        const stateChangeRequests = [...stateChangeRequestsOf(vm), ...decision.requests];
        const body = { metadata: { resourceVersion }, status: { stateChangeRequests } };
        await kube.custom.patchNamespacedCustomObjectStatus({ ...api, plural: vmPlural, name, body }, mergePatch);
      }
      return;
    } catch (error) {
      if (isNotFound(error)) throw ApiError.notFound(vmPlural, kubevirtGroup, name);
      if (!isConflict(error) || attempt >= attempts) throw error;
    }
  }
}
