// The connection check of a host cluster: can the panel reach it, is it Kubernetes at all,
// what runs there (version, nodes, KubeVirt / CDI / metrics APIs), which cluster it is (the
// kube-system namespace's UID), and may the panel's credentials do what it needs (one
// SelfSubjectAccessReview per verb of lib/clusters/required-access.ts). Every request is
// bounded and answered in our own words (lib/clusters/probe-request.ts): the check runs
// against addresses that admins paste, before anything about the server is trusted.
import type { KubeConfig, V1Node } from "@kubernetes/client-node";
import { expectSuccess, notKubernetes, probeRequest, type ProbeCall } from "@/lib/clusters/probe-request";
import { applicableAccess, describeAccess, type RequiredAccess } from "@/lib/clusters/required-access";
import type { ClusterRef } from "@/lib/kube/transport";

/** What the last check found (stored as `clusters.last_check`). */
export interface ClusterCheck {
  reachable: boolean;
  /** Why the cluster could not be checked (unreachable, credentials refused), in plain words. */
  error?: string;
  version: string | null;
  nodes: { ready: number; total: number } | null;
  apis: { kubevirt: boolean; cdi: boolean; metrics: boolean };
  /** Permissions the panel lacks: what, and what stops working without it. */
  missing: { what: string; why: string }[];
  /** The UID of the cluster's kube-system namespace: which cluster this is, whatever its address (null when unreadable). */
  identity?: string | null;
  checkedAt: string;
}

const NO_APIS = { kubevirt: false, cdi: false, metrics: false };

/** Whether a node reports the Ready condition as True. */
export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** A check that could not reach the cluster. */
export function unreachableCheck(error: string): ClusterCheck {
  return { reachable: false, error, version: null, nodes: null, apis: NO_APIS, missing: [], checkedAt: new Date().toISOString() };
}

/** Reads a stored check back (null when the cluster was never checked or the shape is old). */
export function readStoredCheck(value: Record<string, unknown> | null | undefined): ClusterCheck | null {
  if (!value || typeof value.reachable !== "boolean" || !Array.isArray(value.missing)) return null;
  return value as unknown as ClusterCheck;
}

/**
 * Checks a cluster with the panel's credentials `kc`. Throws an AppError in our words when the
 * cluster cannot be reached, refuses the credentials or does not answer as Kubernetes does; a
 * reachable cluster always yields a check, listing whatever the credentials may not do.
 */
export async function probeCluster(cluster: ClusterRef, kc: KubeConfig, options: { impersonation: boolean; timeoutMs?: number }): Promise<ClusterCheck> {
  const timing = { timeoutMs: options.timeoutMs ?? 10_000 };
  const version = await ask(cluster, kc, { what: "read the server version", method: "GET", path: "/version", ...timing });
  const gitVersion = (version as { gitVersion?: unknown } | null)?.gitVersion;
  if (typeof gitVersion !== "string" || !/^v\d+\.\d+\.\d+[-+.\w]{0,60}$/.test(gitVersion)) throw notKubernetes(cluster, "its /version answer is not a Kubernetes version");
  const groupList = (await ask(cluster, kc, { what: "list API groups", method: "GET", path: "/apis", ...timing })) as { kind?: unknown; groups?: unknown } | null;
  if (groupList?.kind !== "APIGroupList" || !Array.isArray(groupList.groups)) throw notKubernetes(cluster, "its /apis answer is not a list of API groups");
  const names = new Set(groupList.groups.map((g) => (g as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === "string"));
  const apis = { kubevirt: names.has("kubevirt.io"), cdi: names.has("cdi.kubevirt.io"), metrics: names.has("metrics.k8s.io") };

  const [nodes, missing, identity] = await Promise.all([
    countNodes(cluster, kc, timing),
    missingAccess(cluster, kc, applicableAccess({ impersonation: options.impersonation, apis }), timing),
    clusterIdentity(cluster, kc, timing),
  ]);
  return { reachable: true, version: gitVersion, nodes, apis, missing, identity, checkedAt: new Date().toISOString() };
}

async function ask(cluster: ClusterRef, kc: KubeConfig, call: ProbeCall): Promise<unknown> {
  return expectSuccess(cluster, call, await probeRequest(cluster, kc, call));
}

// What a check may read, or null when the credentials may not (403) or it is not there (404).
async function askOrNull(cluster: ClusterRef, kc: KubeConfig, call: ProbeCall): Promise<unknown> {
  const answer = await probeRequest(cluster, kc, call);
  if (answer.status === 403 || answer.status === 404) return null;
  return expectSuccess(cluster, call, answer);
}

// Ready/total, or null when the credentials may not list nodes (reported among the missing).
async function countNodes(cluster: ClusterRef, kc: KubeConfig, timing: { timeoutMs: number }) {
  // The largest answer a check reads: room for thousands of nodes, still bounded.
  const list = (await askOrNull(cluster, kc, { what: "list nodes", method: "GET", path: "/api/v1/nodes", maxBytes: 64 * 1024 * 1024, ...timing })) as { items?: unknown } | null;
  if (list === null) return null;
  if (!Array.isArray(list.items)) throw notKubernetes(cluster, "its node list is not a list");
  const items = list.items as V1Node[];
  return { ready: items.filter(isNodeReady).length, total: items.length };
}

// The kube-system namespace's UID: the same for every address and credential of one cluster.
async function clusterIdentity(cluster: ClusterRef, kc: KubeConfig, timing: { timeoutMs: number }): Promise<string | null> {
  const namespace = (await askOrNull(cluster, kc, { what: "read the kube-system namespace", method: "GET", path: "/api/v1/namespaces/kube-system", ...timing })) as {
    metadata?: { uid?: unknown };
  } | null;
  const uid = namespace?.metadata?.uid;
  return typeof uid === "string" && /^[0-9a-f-]{36}$/.test(uid) ? uid : null;
}

/** The verbs of `entries` the credentials of `kc` may not use cluster-wide. */
export async function missingAccess(cluster: ClusterRef, kc: KubeConfig, entries: readonly RequiredAccess[], timing: { timeoutMs: number } = { timeoutMs: 10_000 }) {
  const checks = entries.flatMap((entry) => entry.verbs.map((verb) => ({ entry, verb })));
  const allowed = await Promise.all(
    checks.map(async ({ entry, verb }) => {
      const review = (await ask(cluster, kc, {
        what: `check whether the panel may ${describeAccess(entry, verb)}`,
        method: "POST",
        path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: { resourceAttributes: { verb, group: entry.group, resource: entry.resource, subresource: entry.subresource } },
        },
        ...timing,
      })) as { status?: { allowed?: unknown } } | null;
      return review?.status?.allowed === true;
    }),
  );
  return checks.filter((_, i) => !allowed[i]).map(({ entry, verb }) => ({ what: describeAccess(entry, verb), why: entry.why }));
}
