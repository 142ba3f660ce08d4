// Kubernetes work on a VM's DataVolumes: make (or find) it, list, delete, or keep it when the
// VM goes (relabelled so it is nobody's workload object and never counts as drift).
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { KIND_LABEL, WORKLOAD_LABEL, workloadSelector } from "@/lib/kube/labels";
import { kube, kubeCreateOrFind, kubeDelete, kubeOrNull } from "@/lib/kube/transport";
import type { TeamClusterContext } from "@/lib/workloads/cluster-context";
import { CDI, type DataVolume } from "@/lib/vms/disks/cdi";
import { dataVolume, type DiskObjectsContext } from "@/lib/vms/disks/manifests";
import type { VmDisk } from "@/lib/vms/disks/types";

/** Label on a disk kept after its VM was deleted (it no longer carries the workload's labels). */
export const KEPT_DISK_LABEL = "minicloud.io/kept-disk";
/** Annotation on a kept disk: the VM it was made for. */
export const KEPT_FROM_ANNOTATION = "minicloud.io/kept-from-vm";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const custom = (ctx: Pick<TeamClusterContext, "kc">) => ctx.kc.makeApiClient(CustomObjectsApi);
const api = (namespace: string) => ({ group: CDI.group, version: CDI.version, namespace, plural: CDI.dataVolumes });

/** Makes the disk's DataVolume, or finds it when an earlier attempt made it. */
export function ensureDataVolume(ctx: TeamClusterContext, objects: DiskObjectsContext, disk: VmDisk): Promise<DataVolume> {
  return kubeCreateOrFind<DataVolume>(
    ctx.connection,
    `DataVolume ${disk.dataVolumeName}`,
    () => custom(ctx).createNamespacedCustomObject({ ...api(ctx.namespace), body: dataVolume(objects, disk) }),
    () => custom(ctx).getNamespacedCustomObject({ ...api(ctx.namespace), name: disk.dataVolumeName }),
  );
}

/** The DataVolume `name` in the context's namespace, or null when it is gone. */
export function readDataVolume(ctx: Pick<TeamClusterContext, "connection" | "kc" | "namespace">, name: string): Promise<DataVolume | null> {
  return kubeOrNull(ctx.connection, `read DataVolume ${name}`, () => custom(ctx).getNamespacedCustomObject({ ...api(ctx.namespace), name }));
}

/** The DataVolumes labelled with the workload. */
export async function listWorkloadDataVolumes(ctx: Pick<TeamClusterContext, "connection" | "kc" | "namespace">, workloadId: string): Promise<DataVolume[]> {
  const list = (await kube(ctx.connection, `list the DataVolumes of workload ${workloadId}`, () =>
    custom(ctx).listNamespacedCustomObject({ ...api(ctx.namespace), labelSelector: workloadSelector(workloadId) }),
  )) as { items: DataVolume[] };
  return list.items;
}

/** Deletes one DataVolume (CDI's claim goes with it); gone already counts as deleted. */
export function deleteDataVolume(ctx: Pick<TeamClusterContext, "connection" | "kc" | "namespace">, name: string): Promise<void> {
  return kubeDelete(ctx.connection, `delete DataVolume ${name}`, () => custom(ctx).deleteNamespacedCustomObject({ ...api(ctx.namespace), name, propagationPolicy: "Background" }));
}

/** Deletes every DataVolume labelled with the workload. */
export async function deleteWorkloadDataVolumes(ctx: Pick<TeamClusterContext, "connection" | "kc" | "namespace">, workloadId: string): Promise<void> {
  for (const dv of await listWorkloadDataVolumes(ctx, workloadId)) await deleteDataVolume(ctx, dv.metadata!.name!);
}

/**
 * Keeps the workload's DataVolumes when the VM goes: the workload and kind labels come off (so
 * neither the VM's delete nor drift finds them again), `minicloud.io/kept-disk=true` and the
 * VM's name go on; team, owner and registration labels stay. Returns the names kept.
 */
export async function keepWorkloadDataVolumes(ctx: Pick<TeamClusterContext, "connection" | "kc" | "namespace">, workloadId: string, vmName: string): Promise<string[]> {
  const kept: string[] = [];
  for (const dv of await listWorkloadDataVolumes(ctx, workloadId)) {
    const name = dv.metadata!.name!;
    const body = { metadata: { labels: { [WORKLOAD_LABEL]: null, [KIND_LABEL]: null, [KEPT_DISK_LABEL]: "true" }, annotations: { [KEPT_FROM_ANNOTATION]: vmName }, ownerReferences: null } };
    await kube(ctx.connection, `keep DataVolume ${name}`, () => custom(ctx).patchNamespacedCustomObject({ ...api(ctx.namespace), name, body }, mergePatch));
    kept.push(name);
  }
  return kept;
}
