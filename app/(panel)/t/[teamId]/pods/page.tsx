import type { Metadata } from "next";
import { loadTeamForPage } from "@/lib/auth/page-access";

export const metadata: Metadata = { title: "SSH pods" };

export default async function PodsPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { team } = await loadTeamForPage((await params).teamId);
  return (
    <>
      <div className="page-head">
        <h1>SSH pods</h1>
      </div>
      <p className="empty" data-team={team.slug}>
        No SSH pods in this team yet. SSH pods give you a shell in the browser within seconds.
      </p>
    </>
  );
}
