import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PodStatus } from "@/components/pods/status-badge";
import { TerminalTabs } from "@/components/terminal/terminal-tabs";
import { loadTeamForPage } from "@/lib/access/page-access";
import { openTerminalTicketAction } from "@/app/(panel)/t/[teamId]/pods/[podId]/terminal/actions";
import { NotFoundError } from "@/lib/errors";
import { getSshPod } from "@/lib/pods/queries";

export const metadata: Metadata = { title: "Terminal" };

// Browser terminals on one SSH pod, as tabs (exec and ssh). Each tab asks the ticket action
// itself, which checks `terminals:open` again; this page only explains why there is no
// terminal when the pod is not running or the viewer may not open one.
export default async function PodTerminalPage({ params }: { params: Promise<{ teamId: string; podId: string }> }) {
  const { teamId, podId } = await params;
  const { db, team, allowed } = await loadTeamForPage(teamId);
  const pod = await getSshPod(db, team.id, podId).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const running = pod.runtime.status === "Running";
  return (
    <>
      <div className="crumbs">
        <Link href={`/t/${team.id}/pods`}>SSH pods</Link> / <Link href={`/t/${team.id}/pods/${pod.id}`}>{pod.displayName}</Link> / Terminal
      </div>
      <div className="page-head">
        <h1>Terminal: {pod.displayName}</h1>
        <PodStatus runtime={pod.runtime} />
      </div>
      {!allowed("terminals:open") ? (
        <p className="empty">Your role in this team lets you see its pods but not open terminals on them. A team admin can make you a member.</p>
      ) : pod.clusterError ? (
        <div className="alert error" role="alert">
          {pod.clusterError}
        </div>
      ) : !running ? (
        <p className="empty" data-testid="terminal-unavailable">
          {pod.runtime.status === "Missing"
            ? "The pod does not exist in the cluster any more; reset it from its page, or delete it."
            : `The pod is ${pod.runtime.status}${pod.runtime.reason ? ` (${pod.runtime.reason})` : ""}. A terminal can be opened once it is Running.`}
        </p>
      ) : (
        <TerminalTabs workloadId={pod.id} modes={["exec", "ssh"]} openTicket={openTerminalTicketAction} />
      )}
    </>
  );
}
