// VM lifecycle stand-in: does what virt-controller and virt-handler do for a VM's state, with a real guest
// (a QEMU process, see vm-guests.ts) behind each running VMI.
// VirtualMachine + run strategy → a VirtualMachineInstance that goes Pending → Scheduled → Running (once
// QEMU is up), and the VM's status to match; Halted or a Stop request removes the VMI and stops its guest;
// a guest that powers off ends its VMI (Succeeded, or Failed when QEMU dies), and the run strategy decides
// what follows.
import type { KubernetesListObject } from "@kubernetes/client-node";
import { startInformer } from "./informer";
import { describeError, isConflict, isNotFound, mergePatch, type Kube } from "./kube";
import {
  controllingVmUid,
  isVmiActive,
  isVmiFinal,
  kubevirtGroup,
  kubevirtVersion,
  runStrategyOf,
  stateChangeRequestsOf,
  vmiPlural,
  vmPlural,
  type VirtualMachine,
  type VirtualMachineInstance,
  type VmiPhase,
} from "./kubevirt";
import { PhaseClock } from "./phase-clock";
import { Placement } from "./placement";
import type { VmiGuests } from "./vm-guests";
import { finishedPatch, newVmiFor, pendingPatch, runningPatch, scheduledPatch, unschedulablePatch } from "./vmi-shapes";
import { vmStatusFor, vmStatusMatches, vmStatusPatch } from "./vm-status";
import { objectKey, splitKey, WorkQueue } from "./work-queue";

/** How long a stand-in VMI stays in each phase before moving on (short, but visible in a UI). */
export const vmiPhaseDelaysMs: Partial<Record<VmiPhase, number>> = { Pending: 300, Scheduled: 200 };
const unschedulableRetryMs = 2_000;
/** How long a finished VMI of an `Always` (or failed `RerunOnFailure`) VM stays before it is replaced. */
const restartDelayMs: Partial<Record<VmiPhase, number>> = { Succeeded: 1_000, Failed: 5_000 };
const orphanSweepMs = 5_000;

/** The running controller. */
export interface VmLifecycle {
  stop(): Promise<void>;
}

/** Starts the VM lifecycle stand-in. */
export async function startVmLifecycle(kube: Kube, log: (line: string) => void, guests: VmiGuests): Promise<VmLifecycle> {
  const placement = new Placement(kube.core);
  const clock = new PhaseClock();
  // The resourceVersion each VMI had when this controller last moved it a phase on. Until the
  // watch brings that write back, a reconcile (woken by the VM's own events: they share the key)
  // would see the old phase and try the step again — a write bound to conflict, which holds the
  // real next step behind it.
  const movedFrom = new Map<string, string>();
  const queue = new WorkQueue(
    (key) => reconcile(key),
    (key, error) => log(`vm stand-in: reconcile ${key} failed: ${describeError(error)}`),
  );
  const enqueue = (obj: { metadata?: { namespace?: string; name?: string } }) =>
    queue.add(objectKey(obj.metadata?.namespace, obj.metadata?.name));

  const listAll = (plural: string) => () =>
    kube.custom.listClusterCustomObject({ group: kubevirtGroup, version: kubevirtVersion, plural }) as Promise<
      KubernetesListObject<never>
    >;
  const vms = await startInformer<VirtualMachine>(kube.config, {
    path: `/apis/${kubevirtGroup}/${kubevirtVersion}/${vmPlural}`,
    list: listAll(vmPlural),
    onChange: enqueue,
    onDelete: enqueue,
    log,
  });
  const vmis = await startInformer<VirtualMachineInstance>(kube.config, {
    path: `/apis/${kubevirtGroup}/${kubevirtVersion}/${vmiPlural}`,
    list: listAll(vmiPlural),
    onChange: enqueue,
    onDelete: (vmi) => {
      clock.forget(vmi.metadata?.uid ?? "");
      movedFrom.delete(vmi.metadata?.uid ?? "");
      stopGuest(vmi);
      enqueue(vmi);
    },
    log,
  });

  /** No guest outlives its VMI. */
  function stopGuest(vmi: VirtualMachineInstance): void {
    const grace = (vmi.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
    void guests.stop(vmi.metadata?.uid ?? "", grace).catch((error: unknown) => log(`vm stand-in: stopping the guest of ${vmi.metadata?.name}: ${String(error)}`));
  }
  // A delete event missed while the watch was down would leave a guest behind: sweep now and then.
  const sweep = setInterval(() => {
    const live = new Set(vmis.cache.list().map((vmi) => vmi.metadata?.uid));
    for (const uid of guests.ids()) if (!live.has(uid)) void guests.stop(uid, 0);
  }, orphanSweepMs);
  sweep.unref();

  // A guest that ended by itself (powered off, or QEMU died) ends its VMI, as virt-handler reports it.
  guests.onEnd = (uid, end) => {
    if (end.kind === "stopped") return;
    const vmi = vmis.cache.list().find((candidate) => candidate.metadata?.uid === uid);
    if (!vmi || !isVmiActive(vmi)) return;
    const patch = end.kind === "shutdown" ? finishedPatch(vmi, "Succeeded", "the guest powered off") : finishedPatch(vmi, "Failed", end.detail);
    void patchVmi(vmi, patch).catch((error: unknown) => log(`vm stand-in: marking ${vmi.metadata?.name} finished: ${describeError(error)}`));
  };

  // A freed guest slot wakes the VMIs held for one at once, as a scheduler retries its unschedulable
  // pods when one is deleted: the next VM starts when the last guest is gone, not at the next retry.
  guests.onSlotFreed = () => {
    for (const vmi of vmis.cache.list()) {
      if (vmi.status?.phase === "Pending" && !vmi.metadata?.deletionTimestamp) enqueue(vmi);
    }
  };

  const vmiApi = (namespace: string) => ({ group: kubevirtGroup, version: kubevirtVersion, namespace, plural: vmiPlural });

  async function reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const vm = vms.cache.get(name, namespace);
    const vmi = vmis.cache.get(name, namespace);
    if (!vm || vm.metadata?.deletionTimestamp) {
      // The VM is gone: its VMI goes too (garbage collection would get there, only slower).
      if (vmi && controllingVmUid(vmi)) await deleteVmi(vmi);
      else if (vmi) await advanceVmi(key, vmi);
      return;
    }
    if (vmi && controllingVmUid(vmi) !== vm.metadata?.uid) {
      await deleteVmi(vmi); // left over from an earlier VM of the same name
      return;
    }
    if (await handleStateChangeRequest(vm, vmi)) return;
    const shouldRun = shouldRunNow(vm, vmi);
    if (shouldRun && !vmi) {
      await createVmi(vm);
    } else if (shouldRun && vmi && isVmiFinal(vmi) && !vmi.metadata?.deletionTimestamp) {
      // Its guest ended but the run strategy wants one running: replace the VMI (after a short pause).
      const waitMs = clock.remainingMs(vmi.metadata!.uid!, vmi.status?.phase, restartDelayMs[vmi.status!.phase!] ?? 1_000);
      if (waitMs > 0) queue.add(key, waitMs);
      else await deleteVmi(vmi);
    } else if (!shouldRun && vmi && isVmiActive(vmi)) {
      await deleteVmi(vmi);
    } else if (vmi && shouldRun) {
      await advanceVmi(key, vmi);
    }
    await writeVmStatus(vm, shouldRun, vmi);
  }

  /** Acts on the first pending start/stop request (how start/stop/restart reach a Manual VM, and restart any VM). */
  async function handleStateChangeRequest(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): Promise<boolean> {
    const [request, ...rest] = stateChangeRequestsOf(vm);
    if (!request) return false;
    if (request.action === "Stop" && vmi && isVmiActive(vmi) && (!request.uid || request.uid === vmi.metadata?.uid)) {
      await deleteVmi(vmi);
      return true; // the VMI's DELETED event brings us back here to drop the request
    }
    if (request.action === "Start" && !vmi) await createVmi(vm);
    if (request.action === "Start" && vmi && !isVmiActive(vmi)) {
      // A finished VMI is removed first; its DELETED event brings us back to create the new one.
      if (!vmi.metadata?.deletionTimestamp) await deleteVmi(vmi);
      return true;
    }
    await patchVmStatus(vm, { stateChangeRequests: rest.length > 0 ? rest : null });
    return true;
  }

  async function createVmi(vm: VirtualMachine): Promise<void> {
    const body = newVmiFor(vm);
    try {
      await kube.custom.createNamespacedCustomObject({ ...vmiApi(vm.metadata!.namespace!), body });
      log(`vm stand-in: created VMI ${vm.metadata!.namespace}/${vm.metadata!.name}`);
    } catch (error) {
      if (!isConflict(error)) throw error; // already exists: the cache is behind
    }
  }

  async function deleteVmi(vmi: VirtualMachineInstance): Promise<void> {
    try {
      await kube.custom.deleteNamespacedCustomObject({
        ...vmiApi(vmi.metadata!.namespace!),
        name: vmi.metadata!.name!,
        body: { preconditions: { uid: vmi.metadata!.uid } },
      });
      log(`vm stand-in: deleted VMI ${vmi.metadata!.namespace}/${vmi.metadata!.name}`);
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }

  /** Moves a VMI one phase on once it has spent its delay in the current one. */
  async function advanceVmi(key: string, vmi: VirtualMachineInstance): Promise<void> {
    if (!isVmiActive(vmi)) return;
    if (movedFrom.get(vmi.metadata!.uid!) === vmi.metadata?.resourceVersion) return; // its event re-queues it
    const phase = vmi.status?.phase;
    if (!phase) {
      await patchVmi(vmi, pendingPatch(vmi));
      return;
    }
    const delay = vmiPhaseDelaysMs[phase];
    if (delay === undefined) return; // Running (or a phase the stand-in does not move)
    const waitMs = clock.remainingMs(vmi.metadata!.uid!, phase, delay);
    if (waitMs > 0) {
      queue.add(key, waitMs);
      return;
    }
    const patch = await nextPhasePatch(vmi);
    if (!patch) {
      queue.add(key, unschedulableRetryMs);
      return;
    }
    if (await patchVmi(vmi, patch)) movedFrom.set(vmi.metadata!.uid!, vmi.metadata!.resourceVersion!);
  }

  /** Whether the patch was applied (false: the VMI changed meanwhile or is gone; its event re-queues it). */
  async function patchVmi(vmi: VirtualMachineInstance, patch: object): Promise<boolean> {
    try {
      await kube.custom.patchNamespacedCustomObject(
        { ...vmiApi(vmi.metadata!.namespace!), name: vmi.metadata!.name!, body: patch },
        mergePatch,
      );
      return true;
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
      return false;
    }
  }

  /**
   * The patch for the next phase, or undefined (after noting why on the VMI) while it must wait: no node
   * fits, a volume is still being provisioned, or the machine already runs as many guests as allowed.
   */
  async function nextPhasePatch(vmi: VirtualMachineInstance): Promise<object | undefined> {
    if (vmi.status?.phase === "Pending") {
      const hold = async (reason: string, message: string) => {
        const marked = vmi.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
        if (marked?.message !== message) await patchVmi(vmi, unschedulablePatch(vmi, message, reason));
        return undefined;
      };
      const volumes = await guests.waitingFor(vmi);
      if (volumes) return hold("Provisioning", volumes);
      const node = await placement.pickNode(vmi.spec?.nodeSelector);
      if (!node) return hold("Unschedulable", "0 nodes are available");
      if (!guests.reserve(vmi)) {
        return hold("Unschedulable", `guest limit reached: ${guests.manager.limit} QEMU guests already run on this machine (MINICLOUD_MAX_GUESTS)`);
      }
      return scheduledPatch(vmi, node);
    }
    try {
      await guests.start(vmi);
    } catch (error) {
      log(`vm stand-in: the guest of ${vmi.metadata?.namespace}/${vmi.metadata?.name} did not start: ${String(error)}`);
      return finishedPatch(vmi, "Failed", `the guest did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { ipAddress, mac } = placement.nextGuestAddress();
    return runningPatch(vmi, ipAddress, mac);
  }

  async function writeVmStatus(vm: VirtualMachine, shouldRun: boolean, vmi: VirtualMachineInstance | undefined) {
    const fields = vmStatusFor(shouldRun, vmi);
    if (vmStatusMatches(vm, fields)) return;
    const patch = vmStatusPatch(vm, fields);
    try {
      await kube.custom.patchNamespacedCustomObjectStatus(
        { group: kubevirtGroup, version: kubevirtVersion, namespace: vm.metadata!.namespace!, plural: vmPlural, name: vm.metadata!.name!, body: patch },
        mergePatch,
      );
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }

  async function patchVmStatus(vm: VirtualMachine, status: object): Promise<void> {
    try {
      await kube.custom.patchNamespacedCustomObjectStatus(
        {
          group: kubevirtGroup,
          version: kubevirtVersion,
          namespace: vm.metadata!.namespace!,
          plural: vmPlural,
          name: vm.metadata!.name!,
          body: { metadata: { resourceVersion: vm.metadata?.resourceVersion }, status },
        },
        mergePatch,
      );
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }

  return {
    stop: async () => {
      clearInterval(sweep);
      queue.stop();
      await Promise.all([vms.stop(), vmis.stop()]);
    },
  };
}

/** Whether the VM's run strategy wants a VMI now (Manual is driven only by state change requests). */
function shouldRunNow(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): boolean {
  switch (runStrategyOf(vm)) {
    case "Always":
      return true;
    case "RerunOnFailure":
      return !(vmi && vmi.status?.phase === "Succeeded");
    case "Once":
      return !(vmi && isVmiFinal(vmi));
    case "Manual":
      return isVmiActive(vmi);
    case "Halted":
      return false;
  }
}
