// The objects that make a namespace a team's: its name, the ResourceQuota and LimitRange
// from the assignment's quota, the NetworkPolicy that fences it in, and (with impersonation)
// the Role and RoleBinding that let the team's group do exactly what team workloads need.
// Pure builders, so their shape is tested without a cluster.
import { createHash } from "node:crypto";
import type { V1LimitRange, V1Namespace, V1NetworkPolicy, V1PolicyRule, V1ResourceQuota, V1Role, V1RoleBinding } from "@kubernetes/client-node";
import { teamIdentity } from "@/lib/kube/clients";
import { MAX_LABEL_LENGTH } from "@/lib/names";

export const QUOTA_NAME = "minicloud-quota";
export const LIMIT_RANGE_NAME = "minicloud-limits";
export const NETWORK_POLICY_NAME = "minicloud-same-namespace";
export const TEAM_ROLE_NAME = "minicloud-team";

/** A team's quota in one cluster; null = unlimited. */
export interface TeamQuota {
  cpuMillicores: number | null;
  memoryMib: number | null;
  maxPods: number | null;
  maxVms: number | null;
  storageGib: number | null;
}

/** The quota key KubeVirt VMs are counted under. */
export const VM_COUNT_KEY = "count/virtualmachines.kubevirt.io";

/**
 * `mc-<org>-<team>`; when that exceeds 63 characters it is cut and given a stable 6-hex-digit
 * hash of the full name, so two long names sharing a prefix still get different namespaces.
 */
export function teamNamespaceName(orgSlug: string, teamSlug: string): string {
  const full = `mc-${orgSlug}-${teamSlug}`;
  if (full.length <= MAX_LABEL_LENGTH) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
  const head = full.slice(0, MAX_LABEL_LENGTH - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}

/** The ResourceQuota `hard` map of a quota (only the limited resources). */
export function quotaHard(quota: TeamQuota): Record<string, string> {
  const hard: Record<string, string> = {};
  if (quota.cpuMillicores !== null) hard["requests.cpu"] = `${quota.cpuMillicores}m`;
  if (quota.memoryMib !== null) hard["requests.memory"] = `${quota.memoryMib}Mi`;
  if (quota.maxPods !== null) hard.pods = String(quota.maxPods);
  if (quota.maxVms !== null) hard[VM_COUNT_KEY] = String(quota.maxVms);
  if (quota.storageGib !== null) hard["requests.storage"] = `${quota.storageGib}Gi`;
  return hard;
}

/** The team namespace itself. */
export function namespaceManifest(name: string, labels: Record<string, string>): V1Namespace {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

/**
 * Only requests are quota'd (what the scheduler reserves), not limits: a limits quota would
 * make every pod state limits, and CPU limits only throttle.
 */
export function quotaManifest(namespace: string, labels: Record<string, string>, quota: TeamQuota): V1ResourceQuota {
  return { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: QUOTA_NAME, namespace, labels }, spec: { hard: quotaHard(quota) } };
}

/** Container defaults, so a pod without requests is still admitted under a requests quota and cannot take a whole node. */
export const CONTAINER_DEFAULTS = {
  defaultRequest: { cpu: "100m", memory: "128Mi" },
  default: { cpu: "1", memory: "1Gi" },
} as const;

/** The LimitRange giving containers default requests and limits. */
export function limitRangeManifest(namespace: string, labels: Record<string, string>): V1LimitRange {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: LIMIT_RANGE_NAME, namespace, labels },
    spec: { limits: [{ type: "Container", defaultRequest: { ...CONTAINER_DEFAULTS.defaultRequest }, _default: { ...CONTAINER_DEFAULTS.default } }] },
  };
}

/** Admits ingress only from pods of the same namespace (the panel reaches pods through the API server, not the pod network). */
export function networkPolicyManifest(namespace: string, labels: Record<string, string>): V1NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: NETWORK_POLICY_NAME, namespace, labels },
    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ _from: [{ podSelector: {} }] }] },
  };
}

/**
 * What a team's workloads need in its namespace and nothing more. KubeVirt and CDI rules are
 * included only where those APIs exist, since granting a rule requires holding it.
 */
export function teamRoleRules(apis: { kubevirt: boolean; cdi: boolean }): V1PolicyRule[] {
  const rules: V1PolicyRule[] = [
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "create", "delete"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    // Websocket exec and port-forward need both get and create.
    { apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: ["get", "create"] },
    { apiGroups: [""], resources: ["services", "persistentvolumeclaims"], verbs: ["get", "list", "watch", "create", "delete"] },
    { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "create", "update", "delete"] },
    { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
  ];
  if (apis.kubevirt) {
    rules.push(
      { apiGroups: ["kubevirt.io"], resources: ["virtualmachines"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
      { apiGroups: ["kubevirt.io"], resources: ["virtualmachineinstances"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart"], verbs: ["update"] },
      { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachineinstances/pause", "virtualmachineinstances/unpause"], verbs: ["update"] },
      { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachineinstances/console", "virtualmachineinstances/vnc", "virtualmachineinstances/portforward"], verbs: ["get"] },
    );
  }
  if (apis.cdi) {
    rules.push(
      { apiGroups: ["cdi.kubevirt.io"], resources: ["datavolumes"], verbs: ["get", "list", "watch", "create", "patch", "delete"] },
      { apiGroups: ["upload.cdi.kubevirt.io"], resources: ["uploadtokenrequests"], verbs: ["create"] },
    );
  }
  return rules;
}

/** The team's Role in its namespace. */
export function teamRoleManifest(namespace: string, labels: Record<string, string>, apis: { kubevirt: boolean; cdi: boolean }): V1Role {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: TEAM_ROLE_NAME, namespace, labels }, rules: teamRoleRules(apis) };
}

/** Binds the team's impersonated group to its Role. */
export function teamRoleBindingManifest(namespace: string, labels: Record<string, string>, teamId: string): V1RoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: TEAM_ROLE_NAME, namespace, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TEAM_ROLE_NAME },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: teamIdentity(teamId).group }],
  };
}
