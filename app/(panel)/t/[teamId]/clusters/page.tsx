import type { Metadata } from "next";
import Link from "next/link";
import { QuotaText, QuotaUsage } from "@/components/clusters/quota-usage";
import { loadTeamForPage } from "@/lib/access/page-access";
import { can } from "@/lib/auth/policy";
import { getAssignmentUsage, listTeamAssignments } from "@/lib/clusters/assignments";
import { readLive } from "@/lib/clusters/read-live";

export const metadata: Metadata = { title: "Clusters" };

// The clusters assigned to this team: the namespace there, the quota and what is in use.
export default async function TeamClustersPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed, principal } = await loadTeamForPage((await params).teamId);
  const assignments = await listTeamAssignments(db, team.id);
  const usage = await Promise.all(assignments.map((a) => readLive(() => getAssignmentUsage(db, a))));
  const canAssign = can(principal, "clusters:assign", { kind: "org", orgId: team.orgId });
  return (
    <>
      <div className="page-head">
        <h1>Clusters</h1>
      </div>
      {assignments.length === 0 ? (
        <p className="empty" data-team={team.slug}>
          No clusters are assigned to this team yet. A platform or org admin assigns clusters to teams.
        </p>
      ) : (
        <table className="table" aria-label="Team clusters">
          <thead>
            <tr>
              <th>Cluster</th>
              <th>Namespace</th>
              <th>Quota</th>
              <th>In use</th>
            </tr>
          </thead>
          <tbody>
            {assignments.map((a, i) => (
              <tr key={a.id}>
                <td>{a.clusterName}</td>
                <td className="mono">{a.namespace}</td>
                <td>
                  <QuotaText quota={a.quota} />
                </td>
                <td>{allowed("workloads:read") ? <QuotaUsage usage={usage[i]!} /> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canAssign && (
        <p className="small">
          <Link href={`/orgs/${team.orgId}/clusters`}>Assign clusters and change quotas</Link>
        </p>
      )}
    </>
  );
}
