// Clusters assigned to teams. An assignment is a row (cluster, team, namespace, quota) and,
// in the cluster, the team's namespace with its ResourceQuota, LimitRange, NetworkPolicy and
// (with impersonation) Role + RoleBinding. Kubernetes work happens first and the row is
// written last, in one transaction with its audit row; a namespace this call created is
// deleted again when anything after it fails, so a half-done assignment leaves nothing.
import { randomUUID } from "node:crypto";
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
  type V1Namespace,
  type V1ResourceQuota,
} from "@kubernetes/client-node";
import { and, asc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { readStoredCheck } from "@/lib/clusters/probe";
import {
  LIMIT_RANGE_NAME,
  NETWORK_POLICY_NAME,
  QUOTA_NAME,
  TEAM_ROLE_NAME,
  VM_COUNT_KEY,
  limitRangeManifest,
  namespaceManifest,
  networkPolicyManifest,
  quotaManifest,
  teamNamespaceName,
  teamRoleBindingManifest,
  teamRoleManifest,
  type TeamQuota,
} from "@/lib/clusters/team-namespace";
import { quantityValue } from "@/lib/kube/quantity";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { isUuid } from "@/lib/db/ids";
import { clusterAssignments, clusters, organizations, teams, workloads } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getClusterConnection, type ClusterConnection } from "@/lib/kube/clients";
import { MANAGED_BY, MANAGED_BY_VALUE, TEAM_LABEL, teamLabels } from "@/lib/kube/labels";
import { httpStatusOf, kube, kubeDelete, kubeOrNull, type ClusterRef } from "@/lib/kube/transport";
import { waitForCluster } from "@/lib/kube/wait-for";
import { parseInput } from "@/lib/parse-input";
import { moduleLogger } from "@/lib/observe/log";

export type { TeamQuota } from "@/lib/clusters/team-namespace";

/** An assignment as services and pages use it. */
export interface TeamAssignment {
  id: string;
  clusterId: string;
  clusterName: string;
  teamId: string;
  namespace: string;
  quota: TeamQuota;
  createdAt: Date;
  updatedAt: Date;
}

/** An assignment with its team and organization, as the cluster page lists them. */
export interface ClusterAssignmentItem extends TeamAssignment {
  teamName: string;
  orgId: string;
  orgName: string;
}

/** The quota's upper bounds: beyond any real cluster, and within the integer columns. */
export const QUOTA_LIMITS = {
  cpuMillicores: 10_000_000,
  memoryMib: 1024 * 1024 * 1024,
  maxPods: 1_000_000,
  maxVms: 100_000,
  storageGib: 100_000_000,
} as const;

// `noneStarts`: a limit of 0 would let no pod start (CPU, memory), so it is refused with that message.
const limitField = (what: string, max: number, noneStarts?: string) =>
  z
    .number({ error: `Enter ${what} as a whole number, or leave it empty for no limit.` })
    .int({ error: `Enter ${what} as a whole number.` })
    .min(0, { error: `${what[0]!.toUpperCase()}${what.slice(1)} cannot be negative.` })
    .refine((n) => !noneStarts || n > 0, { error: noneStarts })
    .max(max, { error: `At most ${max.toLocaleString("en")}.` })
    .nullable()
    .default(null);

/** A quota; every field optional (null = no limit). A CPU or memory limit of 0 is refused. */
export const teamQuotaSchema = z.object({
  cpuMillicores: limitField("CPU (millicores)", QUOTA_LIMITS.cpuMillicores, "A CPU quota of 0 lets no pod start; leave it empty for no limit."),
  memoryMib: limitField("memory (MiB)", QUOTA_LIMITS.memoryMib, "A memory quota of 0 lets no pod start; leave it empty for no limit."),
  maxPods: limitField("the pod count", QUOTA_LIMITS.maxPods),
  maxVms: limitField("the VM count", QUOTA_LIMITS.maxVms),
  storageGib: limitField("storage (GiB)", QUOTA_LIMITS.storageGib),
});

const idsSchema = z.object({ clusterId: z.uuid({ error: "No such cluster." }), teamId: z.uuid({ error: "No such team." }) });

/** Assign a cluster to a team, or change the quota of an existing assignment. */
export interface AssignClusterInput {
  clusterId: string;
  teamId: string;
  quota: z.input<typeof teamQuotaSchema>;
}

/** Remove an assignment: typed namespace name to confirm. */
export const unassignClusterInputSchema = idsSchema.extend({ confirmName: z.string({ error: "Type the namespace name to confirm." }) });
export type UnassignClusterInput = z.input<typeof unassignClusterInputSchema>;

const assignmentColumns = {
  id: clusterAssignments.id,
  clusterId: clusterAssignments.clusterId,
  clusterName: clusters.name,
  teamId: clusterAssignments.teamId,
  namespace: clusterAssignments.namespace,
  cpuMillicores: clusterAssignments.cpuMillicores,
  memoryMib: clusterAssignments.memoryMib,
  maxPods: clusterAssignments.maxPods,
  maxVms: clusterAssignments.maxVms,
  storageGib: clusterAssignments.storageGib,
  createdAt: clusterAssignments.createdAt,
  updatedAt: clusterAssignments.updatedAt,
};

interface AssignmentRow extends Omit<TeamAssignment, "quota">, TeamQuota {}

function toAssignment({ cpuMillicores, memoryMib, maxPods, maxVms, storageGib, ...rest }: AssignmentRow): TeamAssignment {
  return { ...rest, quota: { cpuMillicores, memoryMib, maxPods, maxVms, storageGib } };
}

/** The assignment of `clusterId` to `teamId`, or null. */
export async function getTeamAssignment(db: Db, clusterId: string, teamId: string): Promise<TeamAssignment | null> {
  if (!isUuid(clusterId) || !isUuid(teamId)) return null;
  const [row] = await db
    .select(assignmentColumns)
    .from(clusterAssignments)
    .innerJoin(clusters, eq(clusters.id, clusterAssignments.clusterId))
    .where(and(eq(clusterAssignments.clusterId, clusterId), eq(clusterAssignments.teamId, teamId)));
  return row ? toAssignment(row) : null;
}

/** The clusters assigned to a team, by cluster name. */
export async function listTeamAssignments(db: Db, teamId: string): Promise<TeamAssignment[]> {
  if (!isUuid(teamId)) return [];
  const rows = await db
    .select(assignmentColumns)
    .from(clusterAssignments)
    .innerJoin(clusters, eq(clusters.id, clusterAssignments.clusterId))
    .where(eq(clusterAssignments.teamId, teamId))
    .orderBy(asc(clusters.name));
  return rows.map(toAssignment);
}

/** The teams a cluster is assigned to (optionally only one organization's), by org and team name. */
export async function listClusterAssignments(db: Db, clusterId: string, options: { orgId?: string } = {}): Promise<ClusterAssignmentItem[]> {
  if (!isUuid(clusterId)) return [];
  const rows = await db
    .select({ ...assignmentColumns, teamName: teams.name, orgId: organizations.id, orgName: organizations.name })
    .from(clusterAssignments)
    .innerJoin(clusters, eq(clusters.id, clusterAssignments.clusterId))
    .innerJoin(teams, eq(teams.id, clusterAssignments.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(and(eq(clusterAssignments.clusterId, clusterId), options.orgId ? eq(teams.orgId, options.orgId) : undefined))
    .orderBy(asc(organizations.name), asc(teams.name));
  return rows.map(({ teamName, orgId, orgName, ...row }) => ({ ...toAssignment(row), teamName, orgId, orgName }));
}

/** The cluster assignments of an organization's teams, by cluster and team name. */
export async function listOrgAssignments(db: Db, orgId: string): Promise<ClusterAssignmentItem[]> {
  if (!isUuid(orgId)) return [];
  const rows = await db
    .select({ ...assignmentColumns, teamName: teams.name, orgId: organizations.id, orgName: organizations.name })
    .from(clusterAssignments)
    .innerJoin(clusters, eq(clusters.id, clusterAssignments.clusterId))
    .innerJoin(teams, eq(teams.id, clusterAssignments.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(eq(teams.orgId, orgId))
    .orderBy(asc(clusters.name), asc(teams.name));
  return rows.map(({ teamName, orgId: owner, orgName, ...row }) => ({ ...toAssignment(row), teamName, orgId: owner, orgName }));
}

async function loadTeam(db: Db, teamId: string) {
  const [team] = await db
    .select({ id: teams.id, name: teams.name, slug: teams.slug, orgId: teams.orgId, orgSlug: organizations.slug })
    .from(teams)
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(eq(teams.id, teamId));
  if (!team) throw new NotFoundError("No such team.");
  return team;
}

async function loadCluster(db: Db, clusterId: string) {
  const [cluster] = await db.select().from(clusters).where(eq(clusters.id, clusterId));
  if (!cluster) throw new NotFoundError("No such cluster.");
  return cluster;
}

// Whether a namespace was made by the panel for this team.
function belongsToTeam(namespace: V1Namespace, teamId: string): boolean {
  const labels = namespace.metadata?.labels ?? {};
  return labels[MANAGED_BY] === MANAGED_BY_VALUE && labels[TEAM_LABEL] === teamId;
}

/** Creates `manifest`, or replaces what is there (keeping fields Kubernetes owns, such as status). */
async function upsert<T extends KubernetesObject>(cluster: ClusterRef, objects: KubernetesObjectApi, manifest: T): Promise<T> {
  const what = `${manifest.kind} ${manifest.metadata?.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata?.name}`;
  const current = await kubeOrNull(cluster, `read ${what}`, () => objects.read(manifest as T & { metadata: { name: string } }));
  if (!current) return kube(cluster, `create ${what}`, () => objects.create(manifest));
  const body = { ...manifest, metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...manifest.metadata?.labels }, resourceVersion: current.metadata?.resourceVersion } };
  return kube(cluster, `update ${what}`, () => objects.replace(body as T));
}

/**
 * Quota keys whose new limit is below what the namespace already uses, as field messages
 * (lowering a quota under its use would only block the team, so it is refused instead).
 */
function belowUsage(quota: V1ResourceQuota | null, next: TeamQuota): Record<string, string> {
  const used = quota?.status?.used ?? {};
  const problems: Record<string, string> = {};
  const checks: [keyof TeamQuota, string, (n: number) => number, (v: number) => string][] = [
    ["cpuMillicores", "requests.cpu", (n) => n / 1000, (v) => `${Math.ceil(v * 1000)} millicores of CPU`],
    ["memoryMib", "requests.memory", (n) => n * 2 ** 20, (v) => `${Math.ceil(v / 2 ** 20)} MiB of memory`],
    ["maxPods", "pods", (n) => n, (v) => `${v} ${v === 1 ? "pod" : "pods"}`],
    ["maxVms", VM_COUNT_KEY, (n) => n, (v) => `${v} ${v === 1 ? "VM" : "VMs"}`],
    ["storageGib", "requests.storage", (n) => n * 2 ** 30, (v) => `${Math.ceil(v / 2 ** 30)} GiB of storage`],
  ];
  for (const [field, key, toBase, say] of checks) {
    const limit = next[field];
    if (limit === null || used[key] === undefined) continue;
    const inUse = quantityValue(used[key]);
    if (toBase(limit) < inUse) problems[field] = `The team already uses ${say(inUse)} here; set at least that much, or free some first.`;
  }
  return problems;
}

// Waits until the quota controller has counted the namespace (status.hard mirrors spec.hard):
// until then, admission refuses every pod the quota covers.
async function waitForQuotaCounted(cluster: ClusterConnection, namespace: string, applied: V1ResourceQuota): Promise<void> {
  const hard = applied.spec?.hard ?? {};
  if (Object.keys(hard).length === 0) return;
  const core = cluster.kc.makeApiClient(CoreV1Api);
  const fieldSelector = `metadata.name=${QUOTA_NAME}`;
  await waitForCluster<V1ResourceQuota>(cluster, cluster.kc, {
    what: `see the quota of ${namespace} counted`,
    path: `/api/v1/namespaces/${namespace}/resourcequotas`,
    fieldSelector,
    list: () => core.listNamespacedResourceQuota({ namespace, fieldSelector }),
    satisfied: ([quota]) => {
      const status = quota?.status?.hard ?? {};
      const specHard = quota?.spec?.hard ?? {};
      return Object.keys(specHard).length === Object.keys(status).length && Object.entries(specHard).every(([k, v]) => status[k] === v) && Boolean(quota?.status?.used);
    },
  });
}

/** Creates or removes the team's Role and RoleBinding, following the cluster's impersonation setting. */
async function syncTeamRbac(cluster: ClusterConnection, objects: KubernetesObjectApi, namespace: string, labels: Record<string, string>, teamId: string, apis: { kubevirt: boolean; cdi: boolean }): Promise<void> {
  if (cluster.impersonation) {
    await upsert(cluster, objects, teamRoleManifest(namespace, labels, apis));
    await upsert(cluster, objects, teamRoleBindingManifest(namespace, labels, teamId));
  } else {
    await kubeDelete(cluster, `delete RoleBinding ${namespace}/${TEAM_ROLE_NAME}`, () => objects.delete(teamRoleBindingManifest(namespace, labels, teamId)));
    await kubeDelete(cluster, `delete Role ${namespace}/${TEAM_ROLE_NAME}`, () => objects.delete(teamRoleManifest(namespace, labels, apis)));
  }
}

/**
 * Assigns a cluster to a team with a quota, or updates the quota of an existing assignment
 * (idempotent). Refuses a namespace of the same name that the panel did not make for this
 * team, and a quota below what the team already uses; either way nothing changes.
 */
export async function assignCluster(db: Db, actor: Actor, input: AssignClusterInput): Promise<TeamAssignment & { created: boolean }> {
  const { clusterId, teamId } = parseInput(idsSchema, input);
  const quota = parseInput(teamQuotaSchema, input.quota ?? {});
  const [cluster, team] = await Promise.all([loadCluster(db, clusterId), loadTeam(db, teamId)]);
  const existing = await getTeamAssignment(db, clusterId, teamId);
  const namespace = existing?.namespace ?? teamNamespaceName(team.orgSlug, team.slug);
  const [taken] = await db
    .select({ teamId: clusterAssignments.teamId })
    .from(clusterAssignments)
    .where(and(eq(clusterAssignments.clusterId, clusterId), eq(clusterAssignments.namespace, namespace), ne(clusterAssignments.teamId, teamId)));
  if (taken) throw new ConflictError(`Namespace “${namespace}” in cluster “${cluster.name}” already belongs to another team.`);

  const assignmentId = existing?.id ?? randomUUID();
  const labels = teamLabels({ clusterId, orgId: team.orgId, teamId, assignmentId });
  const connection = await getClusterConnection(db, clusterId);
  const apis = readStoredCheck(cluster.lastCheck)?.apis ?? { kubevirt: false, cdi: false, metrics: false };
  const core = connection.kc.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(connection.kc);

  let createdNamespace = false;
  try {
    const current = await kubeOrNull(connection, `read namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
    if (current) {
      if (current.metadata?.deletionTimestamp) {
        throw new ConflictError(`Namespace “${namespace}” in cluster “${cluster.name}” is still being deleted; try again in a minute.`);
      }
      if (!belongsToTeam(current, teamId)) {
        throw new ConflictError(
          `Namespace “${namespace}” already exists in cluster “${cluster.name}” and was not made by minicloud for this team; the panel will not take it over. Rename or remove it in the cluster, then assign again.`,
        );
      }
      const currentQuota = await kubeOrNull(connection, `read the quota of ${namespace}`, () => core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace }));
      const problems = belowUsage(currentQuota, quota);
      if (Object.keys(problems).length > 0) throw new ValidationError("The new quota is below what the team already uses.", problems);
      await upsert(connection, objects, namespaceManifest(namespace, labels));
    } else {
      await kube(connection, `create namespace ${namespace}`, () => core.createNamespace({ body: namespaceManifest(namespace, labels) }));
      createdNamespace = true;
    }
    const applied = await upsert(connection, objects, quotaManifest(namespace, labels, quota));
    await upsert(connection, objects, limitRangeManifest(namespace, labels));
    await upsert(connection, objects, networkPolicyManifest(namespace, labels));
    await syncTeamRbac(connection, objects, namespace, labels, teamId, apis);
    await waitForQuotaCounted(connection, namespace, applied);

    const row = await db.transaction(async (tx) => {
      const values = { ...quota, namespace };
      const [saved] = existing
        ? await tx.update(clusterAssignments).set(values).where(eq(clusterAssignments.id, existing.id)).returning()
        : await tx.insert(clusterAssignments).values({ id: assignmentId, clusterId, teamId, ...values }).returning();
      if (!saved) throw new NotFoundError("The assignment was removed meanwhile.");
      await auditSuccess(tx, actor, {
        action: "cluster.assign",
        targetType: "cluster",
        targetId: clusterId,
        targetLabel: cluster.name,
        orgId: team.orgId,
        teamId,
        detail: { team: team.name, namespace, quota, ...(existing && { previousQuota: existing.quota }) },
      });
      return saved;
    });
    return {
      id: row.id,
      clusterId,
      clusterName: cluster.name,
      teamId,
      namespace,
      quota,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      created: !existing,
    };
  } catch (error) {
    if (createdNamespace) {
      await kubeDelete(connection, `delete namespace ${namespace}`, () => core.deleteNamespace({ name: namespace })).catch((cleanup: unknown) => {
        moduleLogger("clusters").error({ err: cleanup, cluster: cluster.id, namespace }, "could not roll back a team namespace");
      });
    }
    if (isUniqueViolation(error, "cluster_assignments_cluster_team_key")) {
      throw new ConflictError("This cluster was assigned to the team at the same moment; reload and try again.");
    }
    throw error;
  }
}

/** What a team namespace holds, shown before it is deleted. */
export interface NamespaceContents {
  namespace: string;
  exists: boolean;
  pods: string[];
  services: string[];
  persistentVolumeClaims: string[];
  /** Null when the cluster has no KubeVirt. */
  virtualMachines: string[] | null;
  secretCount: number;
}

/** Lists what the team's namespace in the cluster holds. */
export async function describeTeamNamespace(db: Db, clusterId: string, teamId: string): Promise<NamespaceContents> {
  const assignment = await getTeamAssignment(db, clusterId, teamId);
  if (!assignment) throw new NotFoundError("This cluster is not assigned to the team.");
  const connection = await getClusterConnection(db, clusterId);
  return describeNamespace(connection, assignment.namespace);
}

async function describeNamespace(connection: ClusterConnection, namespace: string): Promise<NamespaceContents> {
  const core = connection.kc.makeApiClient(CoreV1Api);
  const ns = await kubeOrNull(connection, `read namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
  if (!ns) return { namespace, exists: false, pods: [], services: [], persistentVolumeClaims: [], virtualMachines: null, secretCount: 0 };
  const names = (list: { items: { metadata?: { name?: string } }[] }) => list.items.map((i) => i.metadata?.name ?? "").sort();
  const [pods, services, pvcs, secrets, vms] = await Promise.all([
    kube(connection, `list pods in ${namespace}`, () => core.listNamespacedPod({ namespace })),
    kube(connection, `list services in ${namespace}`, () => core.listNamespacedService({ namespace })),
    kube(connection, `list volume claims in ${namespace}`, () => core.listNamespacedPersistentVolumeClaim({ namespace })),
    kube(connection, `list secrets in ${namespace}`, () => core.listNamespacedSecret({ namespace })),
    listVirtualMachines(connection, connection.kc, namespace),
  ]);
  return {
    namespace,
    exists: true,
    pods: names(pods),
    services: names(services),
    persistentVolumeClaims: names(pvcs),
    virtualMachines: vms,
    secretCount: secrets.items.length,
  };
}

// VM names in a namespace; null where KubeVirt is not installed.
async function listVirtualMachines(cluster: ClusterRef, kc: KubeConfig, namespace: string): Promise<string[] | null> {
  try {
    const list = (await kube(cluster, `list VMs in ${namespace}`, () =>
      kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: "kubevirt.io", version: "v1", namespace, plural: "virtualmachines" }),
    )) as { items: KubernetesObject[] };
    return list.items.map((i) => i.metadata?.name ?? "").sort();
  } catch (error) {
    if (httpStatusOf(error) === 404) return null;
    throw error;
  }
}

/**
 * Removes an assignment: deletes the team's namespace (and so everything in it), then the
 * assignment row and the team's workload rows in that cluster. A namespace no longer
 * labelled as this team's is left alone. `confirmName` must be the namespace's name.
 */
export async function unassignCluster(db: Db, actor: Actor, input: UnassignClusterInput): Promise<{ namespace: string; workloadsRemoved: number }> {
  const { clusterId, teamId, confirmName } = parseInput(unassignClusterInputSchema, input);
  const assignment = await getTeamAssignment(db, clusterId, teamId);
  if (!assignment) throw new NotFoundError("This cluster is not assigned to the team.");
  const { namespace } = assignment;
  if (confirmName.trim() !== namespace) {
    throw new ValidationError("Type the namespace's name exactly to confirm.", { confirmName: `Type “${namespace}” to confirm.` });
  }
  const team = await loadTeam(db, teamId);
  const connection = await getClusterConnection(db, clusterId);
  const core = connection.kc.makeApiClient(CoreV1Api);
  const current = await kubeOrNull(connection, `read namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
  const ours = current !== null && belongsToTeam(current, teamId);
  if (ours) await kubeDelete(connection, `delete namespace ${namespace}`, () => core.deleteNamespace({ name: namespace }));

  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(workloads)
      .where(and(eq(workloads.clusterId, clusterId), eq(workloads.teamId, teamId)))
      .returning({ kind: workloads.kind, name: workloads.name });
    await tx.delete(clusterAssignments).where(eq(clusterAssignments.id, assignment.id));
    await auditSuccess(tx, actor, {
      action: "cluster.unassign",
      targetType: "cluster",
      targetId: clusterId,
      targetLabel: assignment.clusterName,
      orgId: team.orgId,
      teamId,
      detail: {
        team: team.name,
        namespace,
        namespaceDeleted: ours,
        ...(current && !ours && { namespaceLeft: "not labelled as this team's" }),
        workloadsRemoved: removed.map((w) => `${w.kind} ${w.name}`),
      },
    });
    return { namespace, workloadsRemoved: removed.length };
  });
}

/** What a team namespace's ResourceQuota says: limits and current use (quantity strings). */
export interface QuotaUsage {
  hard: Record<string, string>;
  used: Record<string, string>;
}

/** The live usage of an assignment's quota; null when the quota object is missing. Throws when the cluster cannot be asked. */
export async function getAssignmentUsage(db: Db, assignment: Pick<TeamAssignment, "clusterId" | "namespace">): Promise<QuotaUsage | null> {
  const connection = await getClusterConnection(db, assignment.clusterId);
  const core = connection.kc.makeApiClient(CoreV1Api);
  const quota = await kubeOrNull(connection, `read the quota of ${assignment.namespace}`, () =>
    core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: assignment.namespace }),
  );
  if (!quota) return null;
  return { hard: quota.status?.hard ?? quota.spec?.hard ?? {}, used: quota.status?.used ?? {} };
}

/**
 * Brings every team namespace of a cluster in line with its impersonation setting (Role and
 * RoleBinding present exactly when it is on). Used when an admin changes the setting.
 */
export async function syncClusterTeamAccess(db: Db, clusterId: string, impersonation: boolean): Promise<void> {
  const cluster = await loadCluster(db, clusterId);
  const base = await getClusterConnection(db, clusterId);
  const connection: ClusterConnection = { ...base, impersonation };
  const apis = readStoredCheck(cluster.lastCheck)?.apis ?? { kubevirt: false, cdi: false, metrics: false };
  const objects = KubernetesObjectApi.makeApiClient(connection.kc);
  const rows = await db
    .select({ id: clusterAssignments.id, teamId: clusterAssignments.teamId, namespace: clusterAssignments.namespace, orgId: teams.orgId })
    .from(clusterAssignments)
    .innerJoin(teams, eq(teams.id, clusterAssignments.teamId))
    .where(eq(clusterAssignments.clusterId, clusterId));
  for (const row of rows) {
    const labels = teamLabels({ clusterId, orgId: row.orgId, teamId: row.teamId, assignmentId: row.id });
    await syncTeamRbac(connection, objects, row.namespace, labels, row.teamId, apis);
  }
}

export { LIMIT_RANGE_NAME, NETWORK_POLICY_NAME, QUOTA_NAME, TEAM_ROLE_NAME };
