// VMs in the durable workload machine (lib/workloads/lifecycle.ts): how to make their objects
// idempotently (deterministic names: an object that exists is found, not duplicated), remove
// them, and find them in a cluster for the reconciler. The VirtualMachine is the anchor: it is
// made first and owns the cloud-init Secret and the Service.
import { CoreV1Api, CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import type { Db } from "@/lib/db/client";
import { getClusterConnection } from "@/lib/kube/clients";
import { CLUSTER_LABEL, workloadSelector } from "@/lib/kube/labels";
import { httpStatusOf, kube, kubeCreateOrFind, kubeDelete } from "@/lib/kube/transport";
import { listSshKeys } from "@/lib/ssh-keys/service";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { workloadClusterContext, workloadObjectsBase, type TeamClusterContext } from "@/lib/workloads/cluster-context";
import { inventoryOf, type InventoriedKind } from "@/lib/workloads/inventory";
import { registerKind, workloadAuditTarget, type FoundWorkload, type KindDriver } from "@/lib/workloads/lifecycle";
import { buildUserData, vetCloudConfig } from "@/lib/vms/cloud-init";
import { dataVolumeInventory, ensureVmDisk, removeOrphanDisks, removeVmDisks } from "@/lib/vms/disks/lifecycle";
import { KUBEVIRT, type VirtualMachine } from "@/lib/vms/kubevirt";
import { cloudInitSecret, ownedByVm, virtualMachine, vmService, type VmObjectsContext } from "@/lib/vms/manifests";
import { deleteVmObjects } from "@/lib/vms/objects";
import { asVmRow, type VmRow } from "@/lib/vms/rows";

/** What the manifests need, from a row and its cluster context. */
export function vmObjectsContextOf(row: VmRow, ctx: TeamClusterContext): VmObjectsContext {
  return { ...workloadObjectsBase(row, ctx), spec: row.spec };
}

/** The user data of the VM: the owner's keys and the panel's terminal key (as they are now), its host name, the user's own cloud-config. */
export async function userDataOf(db: Db, row: VmRow): Promise<string> {
  const [ownerKeys, panelKey] = await Promise.all([listSshKeys(db, row.createdBy), getPanelTerminalKey(db)]);
  const sshKeys = [...ownerKeys.map((k) => k.publicKey), panelKey.publicKey];
  return buildUserData({ hostname: row.spec.vmName, sshKeys }, row.spec.cloudConfig ? vetCloudConfig(row.spec.cloudConfig) : null);
}

async function ensureObjects(db: Db, row: VmRow): Promise<{ vmName: string }> {
  const ctx = await workloadClusterContext(db, row);
  const objects = vmObjectsContextOf(row, ctx);
  const { core, namespace, spec } = { ...ctx, spec: row.spec };
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  const api = { group: KUBEVIRT.group, version: KUBEVIRT.version, namespace, plural: KUBEVIRT.vms };
  // Its disk first (an upload can start while the rest is made); the VM waits for it.
  await ensureVmDisk(ctx, row);
  // The user data is read while the VM is made, so its Secret follows the VM at once: KubeVirt
  // starts the instance within a second and needs the Secret by then.
  const [vm, userData] = await Promise.all([
    kubeCreateOrFind<VirtualMachine>(
      ctx.connection,
      `VM ${spec.vmName}`,
      () => custom.createNamespacedCustomObject({ ...api, body: virtualMachine(objects) }),
      () => custom.getNamespacedCustomObject({ ...api, name: spec.vmName }),
    ),
    userDataOf(db, row),
  ]);
  const owner = ownedByVm(vm);
  await kubeCreateOrFind(
    ctx.connection,
    `secret ${spec.secretName}`,
    () => core.createNamespacedSecret({ namespace, body: cloudInitSecret(objects, owner, userData) }),
    () => core.readNamespacedSecret({ name: spec.secretName, namespace }),
  );
  await kubeCreateOrFind(
    ctx.connection,
    `service ${spec.serviceName}`,
    () => core.createNamespacedService({ namespace, body: vmService(objects, owner) }),
    () => core.readNamespacedService({ name: spec.serviceName, namespace }),
  );
  return { vmName: spec.vmName };
}

// What a VM is made of, listed across namespaces; the VirtualMachine is the anchor. A KubeVirt
// API that is not installed (404) has none.
const customLister =
  (plural: string): InventoriedKind["list"] =>
  async (connection, labelSelector) => {
    try {
      const list = (await kube(connection, `list minicloud ${plural}`, () =>
        connection.kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, plural, labelSelector }),
      )) as { items: KubernetesObject[] };
      return list.items;
    } catch (error) {
      if (httpStatusOf(error) === 404) return [];
      throw error;
    }
  };

const KINDS_OF_OBJECTS: InventoriedKind[] = [
  { kind: "VirtualMachine", list: customLister(KUBEVIRT.vms) },
  { kind: "VirtualMachineInstance", list: customLister(KUBEVIRT.vmis) },
  { kind: "Secret", list: async (c, labelSelector) => (await kube(c, "list minicloud Secret objects", () => c.kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces({ labelSelector }))).items },
  { kind: "Service", list: async (c, labelSelector) => (await kube(c, "list minicloud Service objects", () => c.kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces({ labelSelector }))).items },
  dataVolumeInventory,
];

// The objects of a VM that has no row: the VMs (their instances go with them), Secrets, Services and DataVolumes, by label.
async function removeOrphan(db: Db, clusterId: string, orphan: FoundWorkload): Promise<void> {
  const connection = await getClusterConnection(db, clusterId);
  const core = connection.kc.makeApiClient(CoreV1Api);
  const custom = connection.kc.makeApiClient(CustomObjectsApi);
  const namespace = orphan.namespace;
  const labelSelector = `${workloadSelector(orphan.workloadId)},${CLUSTER_LABEL}=${clusterId}`;
  const what = `objects of workload ${orphan.workloadId}`;
  await kubeDelete(connection, `delete the VMs of ${what}`, () =>
    custom.deleteCollectionNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace, plural: KUBEVIRT.vms, labelSelector, propagationPolicy: "Background" }),
  );
  await kubeDelete(connection, `delete the secrets of ${what}`, () => core.deleteCollectionNamespacedSecret({ namespace, labelSelector }));
  await kubeDelete(connection, `delete the services of ${what}`, () => core.deleteCollectionNamespacedService({ namespace, labelSelector }));
  await removeOrphanDisks(connection, namespace, labelSelector);
}

/** The VMs' driver. */
export const vmDriver: KindDriver = {
  kind: "vm",
  actions: { create: "vm.create", delete: "vm.delete" },
  auditTarget: (db, row) => workloadAuditTarget(db, row, "vm"),
  ensure: (db, row) => ensureObjects(db, asVmRow(row)),
  async remove(db, row) {
    const vm = asVmRow(row);
    const ctx = await workloadClusterContext(db, vm);
    await deleteVmObjects(ctx, vm.id, vm.spec.vmName);
    await removeVmDisks(ctx, vm);
  },
  inventory: (db, clusterId) => inventoryOf(db, clusterId, "vm", "VirtualMachine", KINDS_OF_OBJECTS),
  removeOrphan,
};

registerKind(vmDriver);
