import type { Metadata } from "next";
import Link from "next/link";
import { QuotaText, QuotaUsage } from "@/components/clusters/quota-usage";
import { loadTeamForPage } from "@/lib/access/page-access";
import { can } from "@/lib/auth/policy";
import { getAssignmentUsage, listTeamAssignments } from "@/lib/clusters/assignments";
import { readLive } from "@/lib/clusters/read-live";
import { DataTable } from "@/components/ui/data-table";

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
        <DataTable
          label="Team clusters"
          rows={assignments}
          rowKey={(a) => a.id}
          columns={[
            { text: "Cluster", cell: (a) => a.clusterName },
            { text: "Namespace", className: "mono", cell: (a) => a.namespace },
            { text: "Quota", cell: (a) => <QuotaText quota={a.quota} /> },
            { text: "In use", cell: (_, i) => (allowed("workloads:read") ? <QuotaUsage usage={usage[i]!} /> : "—") },
          ]}
        />
      )}
      {canAssign && (
        <p className="small">
          <Link href={`/orgs/${team.orgId}/clusters`}>Assign clusters and change quotas</Link>
        </p>
      )}
    </>
  );
}
