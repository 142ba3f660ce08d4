import type { Metadata } from "next";
import Link from "next/link";
import { PodsTable } from "@/components/pods/pods-table";
import { loadTeamForPage } from "@/lib/access/page-access";
import { listTeamSshPods } from "@/lib/pods/queries";
import { watchPodSource } from "@/lib/pods/watch-source";
import { LiveIndicator } from "@/components/live/live-indicator";

export const metadata: Metadata = { title: "SSH pods" };

// The team's SSH pods. The first list is rendered here; the table then keeps it fresh itself.
export default async function PodsPage({ params }: { params: Promise<{ teamId: string }> }) {
  const { db, team, allowed, user } = await loadTeamForPage((await params).teamId);
  const pods = await listTeamSshPods(db, team.id, { podSource: watchPodSource(db) });
  return (
    <>
      <div className="page-head">
        <h1>SSH pods</h1>
        <LiveIndicator />
        {allowed("workloads:create") && (
          <Link className="button primary" href={`/t/${team.id}/pods/new`}>
            New SSH pod
          </Link>
        )}
      </div>
      <PodsTable teamId={team.id} initialPods={pods} renderedAt={Date.now()} currentUserId={user.id} canOpenTerminals={allowed("terminals:open")} />
      <p className="muted small">
        From your laptop: <a href="/api/ssh-config" download>download your ssh_config</a>, put a personal API token (Profile) in <code>MINICLOUD_TOKEN</code>, then{" "}
        <code>ssh -F minicloud_ssh_config &lt;pod&gt;.&lt;team&gt;.&lt;org&gt;</code> (each pod page shows its command). The file&apos;s first lines say how to get its small ProxyCommand helper.
      </p>
    </>
  );
}
