// A VM's disk in the durable workload machine (lib/vms/lifecycle-driver.ts calls these): made
// before the VM (deterministic name, our labels), listed for the reconciler and the drift page,
// removed with the VM — or kept, when the user asked, relabelled so that it is nobody's
// workload object any more.
import { CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import type { ClusterConnection } from "@/lib/kube/clients";
import { OWNER_EMAIL_ANNOTATION } from "@/lib/kube/labels";
import { httpStatusOf, kube, kubeDelete } from "@/lib/kube/transport";
import type { TeamClusterContext } from "@/lib/workloads/cluster-context";
import type { InventoriedKind } from "@/lib/workloads/inventory";
import { workloadLabels } from "@/lib/workloads/labels";
import { CDI } from "@/lib/vms/disks/cdi";
import { deleteWorkloadDataVolumes, ensureDataVolume, keepWorkloadDataVolumes } from "@/lib/vms/disks/objects";
import type { VmRow } from "@/lib/vms/rows";

/** Makes the VM's DataVolume (when it boots from one) before anything else of it. */
export async function ensureVmDisk(ctx: TeamClusterContext, row: VmRow): Promise<void> {
  const disk = row.spec.disk;
  if (!disk) return;
  const labels = workloadLabels({ clusterId: ctx.connection.id, teamId: row.teamId, ownerId: row.createdBy, kind: "vm", workloadId: row.id });
  await ensureDataVolume(ctx, { namespace: row.namespace, labels, annotations: { [OWNER_EMAIL_ANNOTATION]: row.spec.ownerEmail }, storageClass: ctx.settings.storageClass }, disk);
}

/** Removes the VM's DataVolumes, or keeps them (relabelled) when the delete was asked to; returns the names kept. */
export async function removeVmDisks(ctx: TeamClusterContext, row: VmRow): Promise<string[]> {
  if (row.spec.keepDisk) return keepWorkloadDataVolumes(ctx, row.id, row.spec.vmName);
  await deleteWorkloadDataVolumes(ctx, row.id);
  return [];
}

/** DataVolumes in the inventory of VM objects (none where CDI is not installed). */
export const dataVolumeInventory: InventoriedKind = {
  kind: "DataVolume",
  async list(connection, labelSelector) {
    try {
      const list = (await kube(connection, "list minicloud DataVolumes", () =>
        connection.kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: CDI.group, version: CDI.version, plural: CDI.dataVolumes, labelSelector }),
      )) as { items: KubernetesObject[] };
      return list.items;
    } catch (error) {
      if (httpStatusOf(error) === 404) return [];
      throw error;
    }
  },
};

/** Deletes the DataVolumes of a VM that has no row (drift), by label; none where CDI is not installed. */
export async function removeOrphanDisks(connection: ClusterConnection, namespace: string, labelSelector: string): Promise<void> {
  try {
    await kubeDelete(connection, `delete the DataVolumes matching ${labelSelector}`, () =>
      connection.kc.makeApiClient(CustomObjectsApi).deleteCollectionNamespacedCustomObject({ group: CDI.group, version: CDI.version, namespace, plural: CDI.dataVolumes, labelSelector }),
    );
  } catch (error) {
    if (httpStatusOf(error) !== 404) throw error;
  }
}
