// Prepares a nested cluster for `kubeadm join` (server-side apply, so the bootstrapsigner's
// signatures on cluster-info stay) and mints the short-lived tokens workers join with.
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { ClusterRef } from "@/lib/kube/transport";
import { kube, kubeDelete } from "@/lib/kube/transport";
import { joinPreparationObjects, type JoinPreparation } from "@/lib/nested/bootstrap/objects";
import { bootstrapTokenSecret, bootstrapTokenSecretName, generateBootstrapToken, type BootstrapToken } from "@/lib/nested/bootstrap/token";

const FIELD_MANAGER = "minicloud";

const describe = (o: KubernetesObject) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;

/** Applies everything join needs to the nested cluster (idempotent). */
export async function prepareForJoin(cluster: ClusterRef, kc: KubeConfig, preparation: JoinPreparation): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const object of joinPreparationObjects(preparation)) {
    await kube(cluster, `apply ${describe(object)}`, () => objects.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }
}

/** Mints a fresh token valid for `ttlMs` (its Secret in kube-system; the token itself goes only to the caller). */
export async function mintJoinToken(cluster: ClusterRef, kc: KubeConfig, options: { ttlMs: number; description: string; labels: Record<string, string>; now?: Date }): Promise<{ token: BootstrapToken; expiresAt: Date }> {
  const token = generateBootstrapToken();
  const expiresAt = new Date((options.now ?? new Date()).getTime() + options.ttlMs);
  const body = bootstrapTokenSecret(token, { expiresAt, description: options.description, labels: options.labels });
  const core = kc.makeApiClient(CoreV1Api);
  await kube(cluster, "create a bootstrap token", () => core.createNamespacedSecret({ namespace: "kube-system", body }));
  return { token, expiresAt };
}

/** Deletes token `id` (its workers have joined, or were removed). */
export async function revokeJoinToken(cluster: ClusterRef, kc: KubeConfig, id: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await kubeDelete(cluster, "delete a bootstrap token", () => core.deleteNamespacedSecret({ name: bootstrapTokenSecretName(id), namespace: "kube-system" }));
}
