// The VM target locator: the running VMI of a VM workload (KubeVirt names it like the VM), reached
// through its `subresources.kubevirt.io` streams — `console`, `vnc` and `portforward` — by way of
// the apiserver. A VM has no pod-like watch here: its streams end when the VMI goes (KubeVirt
// closes them), and the bridges then read the VMI once to tell "the VM stopped" from a dropped
// connection (vmi-stream.ts).
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { UnavailableError } from "@/lib/errors";
import { kubeOrNull, type ClusterRef } from "@/lib/kube/transport";
import type { Locate, TargetLocator } from "@/lib/console/bridges/bridge";
import { KUBEVIRT, vmiPhaseOf, type VirtualMachineInstance } from "@/lib/vms/kubevirt";

/** The VMI `name` in `namespace`, or null when there is none (the VM is stopped). */
export function readTargetVmi(cluster: ClusterRef, kc: KubeConfig, namespace: string, name: string): Promise<VirtualMachineInstance | null> {
  return kubeOrNull(cluster, `read the instance of VM ${name}`, () =>
    kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace, plural: KUBEVIRT.vmis, name }),
  );
}

/** Whether the VMI runs (consoles and port-forward answer only then). */
export const isVmiRunning = (vmi: VirtualMachineInstance | null): boolean => vmiPhaseOf(vmi ?? undefined) === "Running" && !vmi?.metadata?.deletionTimestamp;

/** Locates a VM's running instance; refuses with a sentence when the VM is not running. */
export const locateVmTarget: Locate = async ({ target, cluster, kc }) => {
  const vmi = await readTargetVmi(cluster, kc, target.namespace, target.name);
  if (!vmi) throw new UnavailableError(`The VM ${target.label} is not running; start it first.`);
  if (!isVmiRunning(vmi)) throw new UnavailableError(`The VM ${target.label} is ${vmiPhaseOf(vmi) ?? "starting"}; a console can be opened once it is Running.`);
  const address = vmi.status?.interfaces?.find((i) => i.ipAddress)?.ipAddress ?? null;
  const locator: TargetLocator = { kind: target.kind, namespace: target.namespace, name: target.name, reach: { resource: "vmi" }, address };
  return {
    locator,
    // The VMI's streams close when it goes; the bridge says why (vmi-stream.ts). Nothing to watch per session.
    watchGone: async () => () => {},
  };
};
