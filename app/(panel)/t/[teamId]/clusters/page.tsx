import type { Metadata } from "next";
import { loadTeamForPage } from "@/lib/auth/page-access";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { team } = await loadTeamForPage((await params).teamId);
  return (
    <>
      <div className="page-head">
        <h1>Clusters</h1>
      </div>
      <p className="empty" data-team={team.slug}>
        No clusters are assigned to this team yet. A platform or org admin assigns clusters to teams.
      </p>
    </>
  );
}
