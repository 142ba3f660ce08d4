import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveSessionsTable } from "@/components/terminal/live-sessions-table";
import { requireUserForPage } from "@/lib/auth/session";
import { listLiveSessions } from "@/lib/console/live-sessions";
import { endTerminalSessionAction } from "@/lib/console/session-actions";
import { getDb } from "@/lib/db";
import { listOrgs } from "@/lib/orgs/service";

export const metadata: Metadata = { title: "Terminal sessions" };

// Platform admins: every live terminal session on this replica, and ending one. Organization
// owners and admins see their own organization's on its page.
export default async function AdminSessionsPage() {
  const { principal } = await requireUserForPage();
  if (!principal.isPlatformAdmin) notFound();
  const sessions = listLiveSessions(principal);
  const orgs = await listOrgs(await getDb(), principal);
  return (
    <>
      <div className="page-head">
        <h1>Terminal sessions</h1>
        <Link href="/admin/sessions">Refresh</Link>
      </div>
      <section className="card">
        <p className="muted small">
          Browser terminals and laptop ssh tunnels open on this server right now. Finished sessions are in the audit log (action <code>terminal.session</code>), with a
          replay where the organization records them.
        </p>
        <LiveSessionsTable sessions={sessions} endAction={endTerminalSessionAction} showOrg={new Map(orgs.map((o) => [o.id, o.name]))} />
      </section>
    </>
  );
}
