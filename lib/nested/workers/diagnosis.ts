// Why a worker's join cannot succeed, read from the panel's side (which works on any host,
// where the worker's own console is not at hand): its join command as the cloud-init Secret
// holds it, checked against the nested cluster the way kubeadm join checks it — the CA pin
// against the cluster's CA, the token against the bootstrap token Secrets (present and not
// expired), the bindings that let bootstrappers discover and bootstrap. Each reason uses
// kubeadm's own words; null when nothing stops the join.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig, type V1Secret } from "@kubernetes/client-node";
import { kubeOrNull, type ClusterRef } from "@/lib/kube/transport";
import { caCertHash, caMatchesPins } from "@/lib/nested/bootstrap/ca-hash";
import { joinFromUserData } from "@/lib/nested/bootstrap/join-command";
import { bootstrapTokenSecretName, tokenSecretExpiry } from "@/lib/nested/bootstrap/token";
import { USER_DATA_KEY } from "@/lib/vms/manifests";

/** What stops the join in `userData` against a cluster whose CA is `caPem`, judged from what the cluster holds. */
export async function joinRefusal(cluster: ClusterRef, kc: KubeConfig, caPem: string, cloudInit: V1Secret | null, now = new Date()): Promise<string | null> {
  const raw = cloudInit?.data?.[USER_DATA_KEY];
  if (!raw) return "its cloud-init Secret is missing";
  const join = joinFromUserData(Buffer.from(raw, "base64").toString("utf8"));
  if (!join) return "its cloud-init has no kubeadm join";
  if ("problem" in join) return join.problem;
  if (!caMatchesPins(caPem, join.caCertHashes)) {
    return `cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caCertHash(caPem)}" are pinned`;
  }
  const core = kc.makeApiClient(CoreV1Api);
  const tokenSecret = await kubeOrNull(cluster, "read the join token", () => core.readNamespacedSecret({ name: bootstrapTokenSecretName(join.token.id), namespace: "kube-system" }), { timeoutMs: 5000 });
  const expiry = tokenSecret ? tokenSecretExpiry(tokenSecret) : null;
  if (!tokenSecret || (expiry && expiry <= now)) {
    return `token id "${join.token.id}" is invalid for this cluster or it has expired`;
  }
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  for (const [name, what] of [
    ["kubeadm:kubelet-bootstrap", "bootstrappers may not create certificate signing requests"],
    ["kubeadm:node-autoapprove-bootstrap", "bootstrappers' certificate signing requests are not approved"],
  ] as const) {
    const binding = await kubeOrNull(cluster, `read ClusterRoleBinding ${name}`, () => rbac.readClusterRoleBinding({ name }), { timeoutMs: 5000 });
    if (!binding) return `the ClusterRoleBinding ${name} is missing: ${what}`;
  }
  const clusterInfo = await kubeOrNull(cluster, "read the cluster-info binding", () => rbac.readNamespacedRoleBinding({ name: "kubeadm:bootstrap-signer-clusterinfo", namespace: "kube-public" }), { timeoutMs: 5000 });
  if (!clusterInfo) return "the RoleBinding kube-public/kubeadm:bootstrap-signer-clusterinfo is missing: cluster-info cannot be discovered";
  return null;
}
