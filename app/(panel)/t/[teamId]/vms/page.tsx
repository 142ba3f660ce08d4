import type { Metadata } from "next";
import Link from "next/link";
import { VmsTable } from "@/components/vms/vms-table";
import { loadTeamForPage } from "@/lib/access/page-access";
import { listTeamVms } from "@/lib/vms/queries";

export const metadata: Metadata = { title: "VMs" };

// The team's VMs, read from each cluster when the page is rendered.
export default async function VmsPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed } = await loadTeamForPage((await params).teamId);
  const vms = await listTeamVms(db, team.id);
  return (
    <>
      <div className="page-head">
        <h1>VMs</h1>
        {allowed("workloads:create") && (
          <Link className="button primary" href={`/t/${team.id}/vms/new`}>
            New VM
          </Link>
        )}
      </div>
      <VmsTable teamId={team.id} vms={vms} now={Date.now()} />
    </>
  );
}
