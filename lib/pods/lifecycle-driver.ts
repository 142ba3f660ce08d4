// SSH pods in the durable workload machine (lib/workloads/lifecycle.ts): how to make their
// objects idempotently (deterministic names: an object that exists is found, not duplicated),
// remove them, and find them in a cluster for the reconciler.
import type { KubernetesObject, V1Pod, V1Service } from "@kubernetes/client-node";
import { CoreV1Api } from "@kubernetes/client-node";
import { createHash } from "node:crypto";
import type { Db } from "@/lib/db/client";
import { getClusterConnection } from "@/lib/kube/clients";
import { CLUSTER_LABEL, workloadSelector } from "@/lib/kube/labels";
import { kube, kubeCreateOrFind, kubeDelete } from "@/lib/kube/transport";
import { MAX_LABEL_LENGTH } from "@/lib/names";
import { workloadClusterContext } from "@/lib/workloads/cluster-context";
import { homeClaim, ownedByService, sshPod, sshSecret, sshService } from "@/lib/pods/manifests";
import { deleteWorkloadObjects, listWorkloadPods, objectsContextOf } from "@/lib/pods/objects";
import { asSshPodRow, type SshPodRow } from "@/lib/pods/rows";
import { listSshKeys } from "@/lib/ssh-keys/service";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { inventoryOf, type InventoriedKind } from "@/lib/workloads/inventory";
import { registerKind, workloadAuditTarget, type FoundWorkload, type KindDriver } from "@/lib/workloads/lifecycle";

/** The first Pod's name: derived from the workload id, so a repeated create finds it. */
export function firstPodName(row: { id: string; name: string }): string {
  const suffix = createHash("sha256").update(row.id).digest("hex").slice(0, 5);
  return `${row.name.slice(0, MAX_LABEL_LENGTH - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

async function ensureObjects(db: Db, row: SshPodRow): Promise<{ podName: string }> {
  const ctx = await workloadClusterContext(db, row);
  const objects = objectsContextOf(row, ctx);
  const { core, namespace, spec } = { ...ctx, spec: row.spec };
  const service = await kubeCreateOrFind<V1Service>(
    ctx.connection,
    `service ${spec.serviceName}`,
    () => core.createNamespacedService({ namespace, body: sshService(objects) }),
    () => core.readNamespacedService({ name: spec.serviceName, namespace }),
  );
  const owner = ownedByService(service);
  const [ownerKeys, panelKey] = await Promise.all([listSshKeys(db, row.createdBy), getPanelTerminalKey(db)]);
  const keys = [...ownerKeys.map((k) => k.publicKey), panelKey.publicKey];
  await kubeCreateOrFind(
    ctx.connection,
    `secret ${spec.secretName}`,
    () => core.createNamespacedSecret({ namespace, body: sshSecret(objects, owner, keys) }),
    () => core.readNamespacedSecret({ name: spec.secretName, namespace }),
  );
  if (spec.pvcName) {
    const claim = homeClaim(objects, owner);
    await kubeCreateOrFind(
      ctx.connection,
      `volume claim ${spec.pvcName}`,
      () => core.createNamespacedPersistentVolumeClaim({ namespace, body: claim }),
      () => core.readNamespacedPersistentVolumeClaim({ name: spec.pvcName!, namespace }),
    );
  }
  // A pod of the workload may exist already (an earlier attempt, or a reset): keep it.
  const existing = (await listWorkloadPods(ctx, row.id)).find((p) => !p.metadata?.deletionTimestamp);
  if (existing) return { podName: existing.metadata!.name! };
  const podName = firstPodName(row);
  const pod = await kubeCreateOrFind<V1Pod>(
    ctx.connection,
    `pod ${podName}`,
    () => core.createNamespacedPod({ namespace, body: sshPod(objects, owner, podName) }),
    () => core.readNamespacedPod({ name: podName, namespace }),
  );
  return { podName: pod.metadata!.name! };
}

// What an SSH pod is made of, listed across namespaces; the Service is the anchor.
const coreLister =
  (kind: string, list: (core: CoreV1Api, labelSelector: string) => Promise<{ items: KubernetesObject[] }>): InventoriedKind["list"] =>
  async (connection, labelSelector) =>
    (await kube(connection, `list minicloud ${kind} objects`, () => list(connection.kc.makeApiClient(CoreV1Api), labelSelector))).items;

const KINDS_OF_OBJECTS: InventoriedKind[] = [
  { kind: "Service", list: coreLister("Service", (core, labelSelector) => core.listServiceForAllNamespaces({ labelSelector })) },
  { kind: "Pod", list: coreLister("Pod", (core, labelSelector) => core.listPodForAllNamespaces({ labelSelector })) },
  { kind: "Secret", list: coreLister("Secret", (core, labelSelector) => core.listSecretForAllNamespaces({ labelSelector })) },
  { kind: "PersistentVolumeClaim", list: coreLister("PersistentVolumeClaim", (core, labelSelector) => core.listPersistentVolumeClaimForAllNamespaces({ labelSelector })) },
];

async function removeOrphan(db: Db, clusterId: string, orphan: FoundWorkload): Promise<void> {
  const connection = await getClusterConnection(db, clusterId);
  const core = connection.kc.makeApiClient(CoreV1Api);
  const namespace = orphan.namespace;
  const labelSelector = `${workloadSelector(orphan.workloadId)},${CLUSTER_LABEL}=${clusterId}`;
  const what = `objects of workload ${orphan.workloadId}`;
  await kubeDelete(connection, `delete the services of ${what}`, () => core.deleteCollectionNamespacedService({ namespace, labelSelector }));
  await kubeDelete(connection, `delete the pods of ${what}`, () => core.deleteCollectionNamespacedPod({ namespace, labelSelector }));
  await kubeDelete(connection, `delete the secrets of ${what}`, () => core.deleteCollectionNamespacedSecret({ namespace, labelSelector }));
  await kubeDelete(connection, `delete the volume claims of ${what}`, () => core.deleteCollectionNamespacedPersistentVolumeClaim({ namespace, labelSelector }));
}

/** The SSH pods' driver. */
export const sshPodDriver: KindDriver = {
  kind: "ssh-pod",
  actions: { create: "pod.create", delete: "pod.delete" },
  auditTarget: (db, row) => workloadAuditTarget(db, row, "ssh_pod"),
  ensure: (db, row) => ensureObjects(db, asSshPodRow(row)),
  async remove(db, row) {
    const pod = asSshPodRow(row);
    await deleteWorkloadObjects(await workloadClusterContext(db, pod), pod.id, pod.spec.serviceName);
  },
  inventory: (db, clusterId) => inventoryOf(db, clusterId, "ssh-pod", "Service", KINDS_OF_OBJECTS),
  removeOrphan,
};

registerKind(sshPodDriver);
