// What the VM watch cache keeps of a VirtualMachine and a VirtualMachineInstance: identity and
// labels for the indexes, and what `vmRuntime()` and `vmConditions()` read. A full VM carries
// its whole template (disks, cloud-init references, annotations, managedFields); a VMI its
// spec, guest info and volume status. The cache holds one of each per minicloud VM in every
// cluster for the life of the process, so everything else is dropped on arrival.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { VirtualMachine, VirtualMachineInstance } from "@/lib/vms/kubevirt";

type Condition = NonNullable<NonNullable<VirtualMachine["status"]>["conditions"]>[number];

function metadataOf(object: KubernetesObject): KubernetesObject["metadata"] {
  const m = object.metadata ?? {};
  return {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    labels: m.labels,
    creationTimestamp: m.creationTimestamp,
    deletionTimestamp: m.deletionTimestamp,
  };
}

const conditionsOf = (conditions: Condition[] | undefined): Condition[] | undefined =>
  conditions?.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime }));

/** The lean copy of a VM the cache stores. */
export function trimVm(vm: VirtualMachine): VirtualMachine {
  const status = vm.status;
  return {
    apiVersion: vm.apiVersion,
    kind: vm.kind,
    metadata: metadataOf(vm),
    spec: { runStrategy: vm.spec?.runStrategy, running: vm.spec?.running },
    status: status && { printableStatus: status.printableStatus, ready: status.ready, created: status.created, conditions: conditionsOf(status.conditions) },
  };
}

/** The lean copy of a VMI the cache stores. */
export function trimVmi(vmi: VirtualMachineInstance): VirtualMachineInstance {
  const status = vmi.status;
  return {
    apiVersion: vmi.apiVersion,
    kind: vmi.kind,
    metadata: metadataOf(vmi),
    status: status && {
      phase: status.phase,
      nodeName: status.nodeName,
      interfaces: status.interfaces?.map((i) => ({ name: i.name, ipAddress: i.ipAddress })),
      conditions: conditionsOf(status.conditions),
      phaseTransitionTimestamps: status.phaseTransitionTimestamps?.map((t) => ({ phase: t.phase, phaseTransitionTimestamp: t.phaseTransitionTimestamp })),
    },
  };
}
