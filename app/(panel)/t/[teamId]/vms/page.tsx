import type { Metadata } from "next";
import Link from "next/link";
import { LiveIndicator } from "@/components/live/live-indicator";
import { VmsTable } from "@/components/vms/vms-table";
import { loadTeamForPage } from "@/lib/access/page-access";
import { listTeamVms, watchVmSource } from "@/lib/vms/queries";

export const metadata: Metadata = { title: "VMs" };

// The team's VMs, read from each cluster's VM watch cache. The first list is rendered here; the
// table then keeps it current from the live-events stream.
export default async function VmsPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed, user } = await loadTeamForPage((await params).teamId);
  const vms = await listTeamVms(db, team.id, { vmSource: watchVmSource(db) });
  return (
    <>
      <div className="page-head">
        <h1>VMs</h1>
        <LiveIndicator />
        {allowed("workloads:create") && (
          <Link className="button primary" href={`/t/${team.id}/vms/new`}>
            New VM
          </Link>
        )}
      </div>
      <VmsTable teamId={team.id} initialVms={vms} renderedAt={Date.now()} currentUserId={user.id} />
      <p className="muted small">
        From a script: <code>GET /api/teams/{team.id}/vms</code> with a personal API token (Profile) lists these VMs; see the README for creating and powering them.
      </p>
    </>
  );
}
