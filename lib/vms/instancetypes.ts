// The sizes a cluster offers VMs: KubeVirt instancetypes (`instancetype.kubevirt.io/v1beta1`),
// cluster-wide and in the team's namespace, with their guest CPUs and memory. A cluster without
// those APIs offers none, and says so. Read with the panel's own credentials (a team's Role
// does not reach cluster-wide objects).
import { CustomObjectsApi } from "@kubernetes/client-node";
import { ValidationError } from "@/lib/errors";
import type { ClusterConnection } from "@/lib/kube/clients";
import { mibOf } from "@/lib/kube/quantity";
import { httpStatusOf, kube, kubeOrNull } from "@/lib/kube/transport";
import { INSTANCETYPES, type Instancetype, type ObjectList } from "@/lib/vms/kubevirt";
import type { InstancetypeRef } from "@/lib/vms/types";

/** An instancetype as the form lists it. */
export interface InstancetypeChoice extends InstancetypeRef {
  cpuCores: number;
  memoryMib: number;
}

/** What a cluster offers: the instancetypes, or why there are none. */
export type InstancetypeOffer = { available: true; items: InstancetypeChoice[] } | { available: false; reason: string };

const NOT_INSTALLED = "This cluster has no KubeVirt instancetypes (instancetype.kubevirt.io is not installed); give the size explicitly.";

// The size an instancetype gives a VM, or null when it does not say both.
function sizeOf(item: Instancetype): { cpuCores: number; memoryMib: number } | null {
  const cpuCores = item.spec?.cpu?.guest;
  const memoryMib = item.spec?.memory?.guest ? mibOf(item.spec.memory.guest) : null;
  return typeof cpuCores === "number" && Number.isInteger(cpuCores) && cpuCores > 0 && memoryMib ? { cpuCores, memoryMib } : null;
}

const choiceOf = (kind: InstancetypeRef["kind"]) => (item: Instancetype): InstancetypeChoice | null => {
  const size = sizeOf(item);
  return size && item.metadata?.name ? { kind, name: item.metadata.name, ...size } : null;
};

// An API server answers 429 ("storage is (re)initializing") while it builds the watch cache of a
// resource nobody has asked for yet, as instancetypes often are: asked again shortly, it answers.
async function patiently<T>(call: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (httpStatusOf(error) !== 429 || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/** The instancetypes usable in `namespace`: cluster-wide ones first, each group by name. */
export async function listInstancetypes(connection: ClusterConnection, namespace: string): Promise<InstancetypeOffer> {
  const custom = connection.kc.makeApiClient(CustomObjectsApi);
  const api = { group: INSTANCETYPES.group, version: INSTANCETYPES.version };
  try {
    const [cluster, namespaced] = await Promise.all([
      patiently(() => kube(connection, "list the cluster's VM instancetypes", () => custom.listClusterCustomObject({ ...api, plural: INSTANCETYPES.cluster }))) as Promise<ObjectList<Instancetype>>,
      patiently(() => kube(connection, `list the VM instancetypes of namespace ${namespace}`, () => custom.listNamespacedCustomObject({ ...api, namespace, plural: INSTANCETYPES.namespaced }))) as Promise<ObjectList<Instancetype>>,
    ]);
    const byName = (a: InstancetypeChoice, b: InstancetypeChoice) => a.name.localeCompare(b.name);
    const items = [
      ...cluster.items.map(choiceOf("VirtualMachineClusterInstancetype")).filter((c): c is InstancetypeChoice => c !== null).sort(byName),
      ...namespaced.items.map(choiceOf("VirtualMachineInstancetype")).filter((c): c is InstancetypeChoice => c !== null).sort(byName),
    ];
    return { available: true, items };
  } catch (error) {
    if (httpStatusOf(error) === 404) return { available: false, reason: NOT_INSTALLED };
    throw error;
  }
}

/** Reads the instancetype `ref` for a create: its size, or a refusal naming it. */
export async function readInstancetype(connection: ClusterConnection, namespace: string, ref: InstancetypeRef): Promise<InstancetypeChoice> {
  const custom = connection.kc.makeApiClient(CustomObjectsApi);
  const api = { group: INSTANCETYPES.group, version: INSTANCETYPES.version, name: ref.name };
  const found = (await kubeOrNull(connection, `read VM instancetype ${ref.name}`, () =>
    ref.kind === "VirtualMachineClusterInstancetype"
      ? custom.getClusterCustomObject({ ...api, plural: INSTANCETYPES.cluster })
      : custom.getNamespacedCustomObject({ ...api, namespace, plural: INSTANCETYPES.namespaced }),
  )) as Instancetype | null;
  const choice = found ? choiceOf(ref.kind)(found) : null;
  if (!choice) {
    const message = found ? `The instancetype “${ref.name}” does not say its CPUs and memory; choose another size.` : `This cluster has no instancetype “${ref.name}”; choose another size.`;
    throw new ValidationError(message, { size: message });
  }
  return choice;
}
