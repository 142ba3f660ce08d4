import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AssignForm } from "@/components/clusters/assign-form";
import { AssignmentsTable } from "@/components/clusters/assignments-table";
import { loadOrgForPage } from "@/lib/access/page-access";
import { readAssignmentRows } from "@/lib/clusters/assignment-rows";
import { listOrgAssignments } from "@/lib/clusters/assignments";
import { listAssignableClusters } from "@/lib/clusters/service";
import { listTeams } from "@/lib/teams/service";
import { assignClusterAction, unassignClusterAction } from "./actions";

export const metadata: Metadata = { title: "Clusters" };

// Org owners and admins: which registered clusters the organization's teams have, with what
// quota, and assigning or removing them. Clusters show by name and health only.
export default async function OrgClustersPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { db, org, principal, allowed } = await loadOrgForPage((await params).orgId);
  if (!allowed("clusters:assign")) notFound();
  const [clusters, teams, assignments] = await Promise.all([listAssignableClusters(db), listTeams(db, principal, { orgId: org.id }), listOrgAssignments(db, org.id)]);
  const rows = await readAssignmentRows(db, assignments);
  const healthOf = (c: (typeof clusters)[number]) =>
    c.reachable === null ? "not checked" : !c.reachable ? "unreachable" : c.nodes ? `${c.nodes.ready} of ${c.nodes.total} nodes ready` : "reachable";

  return (
    <>
      <div className="crumbs">
        <Link href="/orgs">Organizations</Link> / <Link href={`/orgs/${org.id}`}>{org.name}</Link> / Clusters
      </div>
      <div className="page-head">
        <h1>Clusters for {org.name}</h1>
      </div>

      <section className="card">
        <h2>Assigned</h2>
        <AssignmentsTable
          rows={rows}
          label="Cluster assignments"
          emptyText="No team of this organization has a cluster yet."
          unassignAction={unassignClusterAction}
          changeQuotaAction={assignClusterAction}
          showCluster
        />
      </section>

      <section className="card">
        <h2>Assign a cluster</h2>
        {clusters.length === 0 ? (
          <p className="empty">No cluster is registered yet; a platform admin registers clusters.</p>
        ) : teams.length === 0 ? (
          <p className="empty">Create a team first.</p>
        ) : (
          <>
            <p className="muted small">Assigning creates the team&apos;s namespace with the quota; assigning again changes the quota.</p>
            <AssignForm
              action={assignClusterAction}
              clusters={clusters.map((c) => ({ id: c.id, label: `${c.name} (${healthOf(c)})` }))}
              teams={teams.map((t) => ({ id: t.id, label: t.name }))}
            />
          </>
        )}
      </section>
    </>
  );
}
