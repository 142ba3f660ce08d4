// The `workloads` table: the record of intent and ownership of everything a team runs in a
// cluster. The domain services (SSH pods now; VMs and nested clusters next) and the terminals
// read and find rows through these functions; every read by id is scoped the way its caller
// needs (team and kind, or the owners joined for authorization).
import { and, asc, eq, isNotNull, lte, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { clusters, organizations, teams, users, workloads } from "@/lib/db/schema";
import type { WorkloadKind } from "@/lib/workloads/kinds";

/** A workload row as stored (its spec is the kind's own, read by the kind's service). */
export type WorkloadRow = typeof workloads.$inferSelect;

/** The row of workload `workloadId` of kind `kind` in team `teamId`, or null (another team's id reads as none). */
export async function findTeamWorkload(db: Db, teamId: string, kind: WorkloadKind, workloadId: string): Promise<WorkloadRow | null> {
  if (!isUuid(workloadId) || !isUuid(teamId)) return null;
  const [row] = await db
    .select()
    .from(workloads)
    .where(and(eq(workloads.id, workloadId), eq(workloads.teamId, teamId), eq(workloads.kind, kind)));
  return row ?? null;
}

/** The workloads of `kind` whose time-to-live ended at or before `now`, the longest expired first. */
export function listExpiredWorkloads(db: Db, kind: WorkloadKind, now: Date): Promise<WorkloadRow[]> {
  return db
    .select()
    .from(workloads)
    .where(and(eq(workloads.kind, kind), isNotNull(workloads.expiresAt), lte(workloads.expiresAt, now)))
    .orderBy(asc(workloads.expiresAt));
}

/** A row with its cluster's name and slug and its creator, as lists show it. */
export interface ListedWorkload {
  row: WorkloadRow;
  clusterName: string;
  clusterSlug: string;
  owner: { id: string; name: string; email: string };
}

/** Which rows a list takes: one team's of one kind (optionally only one creator's), or one row by id. */
export type WorkloadListFilter = { teamId: string; kind: WorkloadKind; createdBy?: string } | { id: string };

/** The rows matching `filter` with cluster and creator, oldest first. */
export async function listWorkloadsWithOwners(db: Db, filter: WorkloadListFilter): Promise<ListedWorkload[]> {
  let where: SQL;
  if ("id" in filter) where = eq(workloads.id, filter.id);
  else {
    const conditions = [eq(workloads.teamId, filter.teamId), eq(workloads.kind, filter.kind)];
    if (filter.createdBy) conditions.push(eq(workloads.createdBy, filter.createdBy));
    where = and(...conditions)!;
  }
  const rows = await db
    .select({ workload: workloads, clusterName: clusters.name, clusterSlug: clusters.slug, ownerId: users.id, ownerName: users.name, ownerEmail: users.email })
    .from(workloads)
    .innerJoin(clusters, eq(clusters.id, workloads.clusterId))
    .innerJoin(users, eq(users.id, workloads.createdBy))
    .where(where)
    .orderBy(asc(workloads.createdAt), asc(workloads.id));
  return rows.map((r) => ({
    row: r.workload,
    clusterName: r.clusterName,
    clusterSlug: r.clusterSlug,
    owner: { id: r.ownerId, name: r.ownerName, email: r.ownerEmail },
  }));
}

/** The workloads still standing in team `teamId` (kind and name), for refusing to delete it. */
export function listTeamWorkloadNames(db: Db, teamId: string): Promise<{ kind: WorkloadKind; name: string }[]> {
  return db
    .select({ kind: workloads.kind, name: workloads.name })
    .from(workloads)
    .where(eq(workloads.teamId, teamId))
    .orderBy(asc(workloads.kind), asc(workloads.name));
}

const ownedColumns = {
  workloadId: workloads.id,
  kind: workloads.kind,
  orgId: teams.orgId,
  orgSlug: organizations.slug,
  teamId: workloads.teamId,
  teamSlug: teams.slug,
  clusterId: workloads.clusterId,
  namespace: workloads.namespace,
  name: workloads.name,
  spec: workloads.spec,
  creatorEmail: users.email,
};

/** A workload with its owners (team, organization, creator): what authorizing access to it needs. */
export type OwnedWorkload = { [K in keyof typeof ownedColumns]: (typeof ownedColumns)[K]["_"]["data"] };

/** Which owned workloads to read: one by id, one by `<org-slug>/<team-slug>/<name>`, or every one of a kind. */
export type OwnedWorkloadFilter = { id: string } | { orgSlug: string; teamSlug: string; name: string } | { kind: WorkloadKind };

/** The workloads matching `filter` with their owners, ordered by organization, team and name. */
export function listOwnedWorkloads(db: Db, filter: OwnedWorkloadFilter): Promise<OwnedWorkload[]> {
  const where =
    "id" in filter
      ? eq(workloads.id, filter.id)
      : "kind" in filter
        ? eq(workloads.kind, filter.kind)
        : and(eq(organizations.slug, filter.orgSlug), eq(teams.slug, filter.teamSlug), eq(workloads.name, filter.name));
  const query = db
    .select(ownedColumns)
    .from(workloads)
    .innerJoin(teams, eq(teams.id, workloads.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .innerJoin(users, eq(users.id, workloads.createdBy))
    .where(where);
  return "kind" in filter ? query.orderBy(organizations.slug, teams.slug, workloads.name) : query;
}

/** The team (and organization) owning workload `workloadId`, or null when there is no such row. */
export async function workloadOwner(db: Db, workloadId: string): Promise<{ orgId: string; teamId: string } | null> {
  if (!isUuid(workloadId)) return null;
  const [row] = await db
    .select({ teamId: teams.id, orgId: teams.orgId })
    .from(workloads)
    .innerJoin(teams, eq(teams.id, workloads.teamId))
    .where(eq(workloads.id, workloadId));
  return row ?? null;
}
