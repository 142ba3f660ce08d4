// The connection check of a host cluster: can the panel reach it, what runs there (version,
// nodes, KubeVirt / CDI / metrics APIs), and may the panel's credentials do what it needs
// (one SelfSubjectAccessReview per verb of lib/clusters/required-access.ts).
import { ApisApi, AuthorizationV1Api, CoreV1Api, VersionApi, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { applicableAccess, describeAccess, type RequiredAccess } from "@/lib/clusters/required-access";
import { httpStatusOf, kube, type ClusterRef } from "@/lib/kube/transport";

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
 * Checks a cluster with the panel's credentials `kc`. Throws the transport's AppError when
 * the cluster cannot be reached at all (or refuses the credentials); a reachable cluster
 * always yields a check, listing whatever the credentials may not do.
 */
export async function probeCluster(cluster: ClusterRef, kc: KubeConfig, options: { impersonation: boolean; timeoutMs?: number }): Promise<ClusterCheck> {
  const timing = { timeoutMs: options.timeoutMs ?? 10_000 };
  const info = await kube(cluster, "read the server version", () => kc.makeApiClient(VersionApi).getCode(), timing);
  const groups = await kube(cluster, "list API groups", () => kc.makeApiClient(ApisApi).getAPIVersions(), timing);
  const names = new Set(groups.groups.map((g) => g.name));
  const apis = { kubevirt: names.has("kubevirt.io"), cdi: names.has("cdi.kubevirt.io"), metrics: names.has("metrics.k8s.io") };

  const [nodes, missing] = await Promise.all([
    countNodes(cluster, kc, timing),
    missingAccess(cluster, kc, applicableAccess({ impersonation: options.impersonation, apis }), timing),
  ]);
  return { reachable: true, version: info.gitVersion, nodes, apis, missing, checkedAt: new Date().toISOString() };
}

// Ready/total, or null when the credentials may not list nodes (reported among the missing).
async function countNodes(cluster: ClusterRef, kc: KubeConfig, timing: { timeoutMs: number }) {
  try {
    const list = await kube(cluster, "list nodes", () => kc.makeApiClient(CoreV1Api).listNode(), timing);
    return { ready: list.items.filter(isNodeReady).length, total: list.items.length };
  } catch (error) {
    if (httpStatusOf(error) === 403) return null;
    throw error;
  }
}

/** The verbs of `entries` the credentials of `kc` may not use cluster-wide. */
export async function missingAccess(cluster: ClusterRef, kc: KubeConfig, entries: readonly RequiredAccess[], timing: { timeoutMs: number } = { timeoutMs: 10_000 }) {
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const checks = entries.flatMap((entry) => entry.verbs.map((verb) => ({ entry, verb })));
  const allowed = await Promise.all(
    checks.map(({ entry, verb }) =>
      kube(
        cluster,
        `check whether the panel may ${describeAccess(entry, verb)}`,
        () =>
          authz.createSelfSubjectAccessReview({
            body: { spec: { resourceAttributes: { verb, group: entry.group, resource: entry.resource, subresource: entry.subresource } } },
          }),
        timing,
      ).then((review) => review.status?.allowed === true),
    ),
  );
  return checks.filter((_, i) => !allowed[i]).map(({ entry, verb }) => ({ what: describeAccess(entry, verb), why: entry.why }));
}
