// Where a team's workloads go in one cluster (SSH pods now; VMs and nested clusters next): the
// connection (impersonating the team where the cluster asks for it), the team's namespace from
// its assignment, and the cluster's settings.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { getTeamAssignment } from "@/lib/clusters/assignments";
import { readClusterSettings, type ClusterSettings } from "@/lib/clusters/settings";
import type { Db } from "@/lib/db/client";
import { clusters } from "@/lib/db/schema";
import { ValidationError } from "@/lib/errors";
import { getClusterConnection, type ClusterConnection } from "@/lib/kube/clients";

/** A team's place in one cluster, ready for API calls. */
export interface TeamClusterContext {
  connection: ClusterConnection;
  teamId: string;
  /** Config for calls made on behalf of the team (impersonating it when the cluster says so). */
  kc: KubeConfig;
  core: CoreV1Api;
  namespace: string;
  settings: ClusterSettings;
  clusterSlug: string;
}

function notAssigned(): ValidationError {
  return new ValidationError("That cluster is not available to this team.", { clusterId: "That cluster is not available to this team." });
}

/** The team's context in `clusterId`; a cluster that does not exist or is not assigned to the team is refused alike. */
export async function teamClusterContext(db: Db, teamId: string, clusterId: string): Promise<TeamClusterContext> {
  const assignment = await getTeamAssignment(db, clusterId, teamId);
  if (!assignment) throw notAssigned();
  const [row] = await db.select({ settings: clusters.settings, slug: clusters.slug }).from(clusters).where(eq(clusters.id, clusterId));
  if (!row) throw notAssigned();
  const connection = await getClusterConnection(db, clusterId);
  const kc = connection.forTeam(teamId);
  return {
    connection,
    teamId,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    namespace: assignment.namespace,
    settings: readClusterSettings(row),
    clusterSlug: row.slug,
  };
}

/** The context of an existing workload: its namespace is the one recorded on the row (the truth for where it lives). */
export async function workloadClusterContext(db: Db, workload: { teamId: string; clusterId: string; namespace: string }): Promise<TeamClusterContext> {
  const connection = await getClusterConnection(db, workload.clusterId);
  const [row] = await db.select({ settings: clusters.settings, slug: clusters.slug }).from(clusters).where(eq(clusters.id, workload.clusterId));
  const kc = connection.forTeam(workload.teamId);
  return {
    connection,
    teamId: workload.teamId,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    namespace: workload.namespace,
    settings: readClusterSettings(row ?? { settings: {} }),
    clusterSlug: row?.slug ?? "",
  };
}

/** Who and where a workload's objects are for, as every kind's manifests take it: the registration, the row's ids and namespace, the cluster's placement. */
export function workloadObjectsBase(row: { id: string; teamId: string; createdBy: string; namespace: string }, ctx: TeamClusterContext) {
  return {
    clusterId: ctx.connection.id,
    workloadId: row.id,
    teamId: row.teamId,
    ownerId: row.createdBy,
    namespace: row.namespace,
    nodeSelector: ctx.settings.nodeSelector,
    tolerations: ctx.settings.tolerations,
  };
}
