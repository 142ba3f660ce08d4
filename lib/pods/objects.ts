// Kubernetes work on one SSH pod's objects: create the Pod from the stored spec, find it,
// wait until it is gone, and delete everything the workload owns.
import type { V1PersistentVolumeClaim, V1Pod, V1Secret, V1Service } from "@kubernetes/client-node";
import { workloadSelector } from "@/lib/kube/labels";
import { kube, kubeDelete, kubeOrNull } from "@/lib/kube/transport";
import { waitForCluster } from "@/lib/kube/wait-for";
import { withRandomSuffix } from "@/lib/names";
import { workloadObjectsBase, type TeamClusterContext } from "@/lib/workloads/cluster-context";
import { ownedByService, sshPod, type PodObjectsContext } from "@/lib/pods/manifests";
import type { SshPodRow } from "@/lib/pods/rows";

/** What the manifests need, from a row and its cluster context. */
export function objectsContextOf(row: SshPodRow, ctx: TeamClusterContext): PodObjectsContext {
  return { ...workloadObjectsBase(row, ctx), expiresAt: row.expiresAt, spec: row.spec, storageClass: ctx.settings.storageClass };
}

/** The workload's pods (during a reset an old one may still be terminating). */
export async function listWorkloadPods(ctx: TeamClusterContext, workloadId: string): Promise<V1Pod[]> {
  const list = await kube(ctx.connection, `list the pods of workload ${workloadId}`, () =>
    ctx.core.listNamespacedPod({ namespace: ctx.namespace, labelSelector: workloadSelector(workloadId) }),
  );
  return list.items;
}

/** The pod that matters: the one not being deleted, else the newest. */
export function currentPod(pods: V1Pod[]): V1Pod | undefined {
  const alive = pods.filter((p) => !p.metadata?.deletionTimestamp);
  const pool = alive.length > 0 ? alive : pods;
  return [...pool].sort((a, b) => time(b) - time(a))[0];
}

const time = (pod: V1Pod) => new Date(pod.metadata?.creationTimestamp ?? 0).getTime();

/** The workload's Service (its anchor), or null when it is gone. */
export function readService(ctx: TeamClusterContext, name: string): Promise<V1Service | null> {
  return kubeOrNull(ctx.connection, `read service ${name}`, () => ctx.core.readNamespacedService({ name, namespace: ctx.namespace }));
}

/** A fresh name for a Pod of the workload named `workloadName` (a new one on every reset). */
export function newPodName(workloadName: string): string {
  return withRandomSuffix(workloadName);
}

/** Creates a fresh Pod (`podName`, by default a new name) for the workload, owned by its Service. */
export async function createWorkloadPod(ctx: TeamClusterContext, row: SshPodRow, service: V1Service, podName = newPodName(row.name)): Promise<V1Pod> {
  const body = sshPod(objectsContextOf(row, ctx), ownedByService(service), podName);
  return kube(ctx.connection, `create pod ${podName}`, () => ctx.core.createNamespacedPod({ namespace: ctx.namespace, body }));
}

/** Resolves once no pod of the workload is left (the grace period of a real one is 10 s). */
export async function waitUntilPodsGone(ctx: TeamClusterContext, workloadId: string, timeoutMs = 60_000): Promise<void> {
  const namespace = ctx.namespace;
  const labelSelector = workloadSelector(workloadId);
  await waitForCluster<V1Pod>(ctx.connection, ctx.kc, {
    what: `see the old pod of workload ${workloadId} stop`,
    path: `/api/v1/namespaces/${namespace}/pods`,
    labelSelector,
    list: () => ctx.core.listNamespacedPod({ namespace, labelSelector }),
    satisfied: (pods) => pods.length === 0,
    timeoutMs,
  });
}

/** Deletes the workload's Pods (now, without waiting for them to stop). */
export async function deleteWorkloadPods(ctx: TeamClusterContext, workloadId: string): Promise<void> {
  for (const pod of await listWorkloadPods(ctx, workloadId)) {
    const name = pod.metadata!.name!;
    await kubeDelete(ctx.connection, `delete pod ${name}`, () => ctx.core.deleteNamespacedPod({ name, namespace: ctx.namespace }));
  }
}

/**
 * Deletes everything of the workload: the Service with background propagation (the garbage
 * collector removes what it owns), then explicitly every labelled Pod, Secret and claim — so
 * objects whose ownerReference never got set (a half-made create) go too. Already-gone
 * objects count as deleted.
 */
export async function deleteWorkloadObjects(ctx: TeamClusterContext, workloadId: string, serviceName: string): Promise<void> {
  const { connection, core, namespace } = ctx;
  const labelSelector = workloadSelector(workloadId);
  await kubeDelete(connection, `delete service ${serviceName}`, () =>
    core.deleteNamespacedService({ name: serviceName, namespace, propagationPolicy: "Background" }),
  );
  await deleteWorkloadPods(ctx, workloadId);
  const secrets = await kube(connection, `list the secrets of workload ${workloadId}`, () => core.listNamespacedSecret({ namespace, labelSelector }));
  for (const secret of secrets.items as V1Secret[]) {
    const name = secret.metadata!.name!;
    await kubeDelete(connection, `delete secret ${name}`, () => core.deleteNamespacedSecret({ name, namespace }));
  }
  const claims = await kube(connection, `list the volume claims of workload ${workloadId}`, () =>
    core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }),
  );
  for (const claim of claims.items as V1PersistentVolumeClaim[]) {
    const name = claim.metadata!.name!;
    await kubeDelete(connection, `delete volume claim ${name}`, () => core.deleteNamespacedPersistentVolumeClaim({ name, namespace }));
  }
}
