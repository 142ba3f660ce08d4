// Kubernetes work on one VM's objects: read the VM and its VMI, delete everything the workload
// owns, and the subresource verbs (start, stop, restart, pause, unpause) of KubeVirt's API.
import { CustomObjectsApi, type V1Secret, type V1Service } from "@kubernetes/client-node";
import { workloadSelector } from "@/lib/kube/labels";
import { kubeRawRequest } from "@/lib/kube/raw-request";
import { kube, kubeDelete, kubeOrNull } from "@/lib/kube/transport";
import type { TeamClusterContext } from "@/lib/workloads/cluster-context";
import { KUBEVIRT, type ObjectList, type VirtualMachine, type VirtualMachineInstance } from "@/lib/vms/kubevirt";

const custom = (ctx: TeamClusterContext) => ctx.kc.makeApiClient(CustomObjectsApi);

/** The VM `name` in the context's namespace, or null when it is gone. */
export function readVm(ctx: TeamClusterContext, name: string): Promise<VirtualMachine | null> {
  return kubeOrNull(ctx.connection, `read VM ${name}`, () =>
    custom(ctx).getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: ctx.namespace, plural: KUBEVIRT.vms, name }),
  );
}

/** The VMI of VM `name` (it carries the VM's name), or null when the VM is not running. */
export function readVmi(ctx: TeamClusterContext, name: string): Promise<VirtualMachineInstance | null> {
  return kubeOrNull(ctx.connection, `read the instance of VM ${name}`, () =>
    custom(ctx).getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: ctx.namespace, plural: KUBEVIRT.vmis, name }),
  );
}

/** Lists the VMs or VMIs matching `labelSelector` in `namespace` of the context's cluster. */
export async function listKubevirt<T>(ctx: Pick<TeamClusterContext, "connection" | "kc">, plural: "virtualmachines" | "virtualmachineinstances", namespace: string, labelSelector: string): Promise<T[]> {
  const list = (await kube(ctx.connection, `list the ${plural === KUBEVIRT.vms ? "VMs" : "VM instances"} in namespace ${namespace}`, () =>
    ctx.kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace, plural, labelSelector }),
  )) as ObjectList<T>;
  return list.items;
}

/**
 * Deletes everything of the workload: the VM (its VMI goes with it, and the garbage collector
 * removes what it owns), then explicitly every labelled Secret and Service — so objects whose
 * ownerReference never got set (a half-made create) go too. Already-gone objects count as deleted.
 */
export async function deleteVmObjects(ctx: TeamClusterContext, workloadId: string, vmName: string): Promise<void> {
  const { connection, core, namespace } = ctx;
  const labelSelector = workloadSelector(workloadId);
  await kubeDelete(connection, `delete VM ${vmName}`, () =>
    custom(ctx).deleteNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace, plural: KUBEVIRT.vms, name: vmName, propagationPolicy: "Background" }),
  );
  const [secrets, services] = await Promise.all([
    kube(connection, `list the secrets of workload ${workloadId}`, () => core.listNamespacedSecret({ namespace, labelSelector })),
    kube(connection, `list the services of workload ${workloadId}`, () => core.listNamespacedService({ namespace, labelSelector })),
  ]);
  for (const secret of secrets.items as V1Secret[]) {
    const name = secret.metadata!.name!;
    await kubeDelete(connection, `delete secret ${name}`, () => core.deleteNamespacedSecret({ name, namespace }));
  }
  for (const service of services.items as V1Service[]) {
    const name = service.metadata!.name!;
    await kubeDelete(connection, `delete service ${name}`, () => core.deleteNamespacedService({ name, namespace }));
  }
}

/** A KubeVirt subresource verb: on the VM (start, stop, restart) or on its instance (pause, unpause). */
export type SubresourceVerb = { on: "virtualmachines"; verb: "start" | "stop" | "restart" } | { on: "virtualmachineinstances"; verb: "pause" | "unpause" };

/** `PUT /apis/subresources.kubevirt.io/v1/namespaces/<ns>/<on>/<name>/<verb>` with `body` (e.g. `{ gracePeriod: 0 }` for a forced stop). */
export async function putSubresource(ctx: TeamClusterContext, name: string, target: SubresourceVerb, body: Record<string, unknown> = {}): Promise<void> {
  const path = `/apis/subresources.kubevirt.io/${KUBEVIRT.version}/namespaces/${encodeURIComponent(ctx.namespace)}/${target.on}/${encodeURIComponent(name)}/${target.verb}`;
  await kube(ctx.connection, `${target.verb} VM ${name}`, () => kubeRawRequest(ctx.kc, "PUT", path, body));
}
