import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AssignForm } from "@/components/clusters/assign-form";
import { QuotaText, QuotaUsage } from "@/components/clusters/quota-usage";
import { UnassignButton } from "@/components/clusters/unassign-button";
import { loadOrgForPage } from "@/lib/auth/page-access";
import { describeTeamNamespace, getAssignmentUsage, listOrgAssignments } from "@/lib/clusters/assignments";
import { quotaToForm } from "@/lib/clusters/quota-form";
import { readLive } from "@/lib/clusters/read-live";
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
  const live = await Promise.all(
    assignments.map(async (a) => ({
      usage: await readLive(() => getAssignmentUsage(db, a)),
      contents: await readLive(() => describeTeamNamespace(db, a.clusterId, a.teamId)),
    })),
  );
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
        {assignments.length === 0 ? (
          <p className="empty">No team of this organization has a cluster yet.</p>
        ) : (
          <table className="table" aria-label="Cluster assignments">
            <thead>
              <tr>
                <th>Cluster</th>
                <th>Team</th>
                <th>Namespace</th>
                <th>Quota</th>
                <th>In use</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {assignments.map((a, i) => (
                <tr key={a.id}>
                  <td>{a.clusterName}</td>
                  <td>
                    <Link href={`/t/${a.teamId}/clusters`}>{a.teamName}</Link>
                  </td>
                  <td className="mono">{a.namespace}</td>
                  <td>
                    <QuotaText quota={a.quota} />
                    <details>
                      <summary>Change</summary>
                      <AssignForm
                        action={assignClusterAction}
                        clusters={{ id: a.clusterId, label: a.clusterName }}
                        teams={{ id: a.teamId, label: a.teamName }}
                        quota={quotaToForm(a.quota)}
                        submitLabel="Save quota"
                        testId={`quota-form-${a.teamId}-${a.clusterId}`}
                      />
                    </details>
                  </td>
                  <td>
                    <QuotaUsage usage={live[i]!.usage} />
                  </td>
                  <td className="actions">
                    <UnassignButton
                      action={unassignClusterAction}
                      clusterId={a.clusterId}
                      teamId={a.teamId}
                      teamName={a.teamName}
                      namespace={a.namespace}
                      contents={live[i]!.contents}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
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
