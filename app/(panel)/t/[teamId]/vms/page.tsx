import type { Metadata } from "next";
import { loadTeamForPage } from "@/lib/access/page-access";

export const metadata: Metadata = { title: "Virtual machines" };

export default async function VmsPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { team } = await loadTeamForPage((await params).teamId);
  return (
    <>
      <div className="page-head">
        <h1>Virtual machines</h1>
      </div>
      <p className="empty" data-team={team.slug}>
        No virtual machines in this team yet.
      </p>
    </>
  );
}
