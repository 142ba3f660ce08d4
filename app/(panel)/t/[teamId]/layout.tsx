import type { ReactNode } from "react";
import { loadTeamForPage } from "@/lib/access/page-access";

// Every page under /t/<team>/ is refused (not found) unless the viewer may read the team.
export default async function TeamLayout({ children, params }: { children: ReactNode; params: Promise<{ teamId: string }> }) {
  const { team } = await loadTeamForPage((await params).teamId);
  return (
    <>
      <div className="crumbs">
        {team.orgName} / {team.name}
      </div>
      {children}
    </>
  );
}
