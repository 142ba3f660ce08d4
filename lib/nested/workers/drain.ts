// Taking a node out of a nested cluster as `kubectl drain` then `kubectl delete node` do:
// cordon it, evict its pods through the Eviction API (DaemonSet pods and mirror pods stay, as
// drain leaves them), wait until the evicted pods are gone, then delete the Node.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { ConflictError } from "@/lib/errors";
import { kube, kubeDelete, kubeOrNull, type ClusterRef } from "@/lib/kube/transport";
import { workerTimings } from "@/lib/nested/workers/types";

const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

const isDaemonSetPod = (pod: V1Pod) => pod.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet") ?? false;
const isMirrorPod = (pod: V1Pod) => Boolean(pod.metadata?.annotations?.["kubernetes.io/config.mirror"]);

/** Marks `node` unschedulable (when it exists), so nothing evicted elsewhere lands on it. */
export async function cordonNode(cluster: ClusterRef, kc: KubeConfig, node: string): Promise<boolean> {
  const core = kc.makeApiClient(CoreV1Api);
  const existing = await kubeOrNull(cluster, `read node ${node}`, () => core.readNode({ name: node }));
  if (!existing) return false;
  if (!existing.spec?.unschedulable) await kube(cluster, `cordon node ${node}`, () => core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, MERGE_PATCH));
  return true;
}

/** Cordons and drains `node`, then deletes it; answers the pods it evicted. A node that is already gone is fine. */
export async function drainAndDeleteNode(cluster: ClusterRef, kc: KubeConfig, node: string): Promise<{ evicted: string[] }> {
  const core = kc.makeApiClient(CoreV1Api);
  if (!(await cordonNode(cluster, kc, node))) return { evicted: [] };
  const onNode = async () =>
    (await kube(cluster, `list the pods on ${node}`, () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }))).items.filter((p) => !isDaemonSetPod(p) && !isMirrorPod(p));
  const pods = await onNode();
  for (const pod of pods) {
    const { name, namespace } = pod.metadata as { name: string; namespace: string };
    await kubeDelete(cluster, `evict pod ${namespace}/${name}`, () =>
      core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } } }),
    );
  }
  const deadline = Date.now() + workerTimings.drainTimeoutMs;
  for (;;) {
    const left = await onNode();
    if (left.length === 0) break;
    if (Date.now() > deadline) {
      throw new ConflictError(`Draining ${node} did not finish within ${Math.round(workerTimings.drainTimeoutMs / 1000)} s: ${left.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).join(", ")} still there.`);
    }
    await new Promise((r) => setTimeout(r, workerTimings.pollMs));
  }
  await kubeDelete(cluster, `delete node ${node}`, () => core.deleteNode({ name: node }));
  return { evicted: pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`) };
}
