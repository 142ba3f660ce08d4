import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveSessionsTable } from "@/components/terminal/live-sessions-table";
import { requireUserForPage } from "@/lib/auth/session";
import { listOpenSessions } from "@/lib/console/session/session-admin";
import { endTerminalSessionAction } from "@/app/(panel)/admin/sessions/actions";
import { getDb } from "@/lib/db";
import { listOrgs } from "@/lib/orgs/service";

export const metadata: Metadata = { title: "Terminal sessions" };

// Platform admins: every open terminal session on every replica, and ending one. Organization
// owners and admins see their own organization's on its page.
export default async function AdminSessionsPage() {
  const { principal } = await requireUserForPage();
  if (!principal.isPlatformAdmin) notFound();
  const db = await getDb();
  const sessions = await listOpenSessions(db, principal);
  const orgs = await listOrgs(db, principal);
  return (
    <>
      <div className="page-head">
        <h1>Terminal sessions</h1>
        <Link href="/admin/sessions">Refresh</Link>
      </div>
      <section className="card">
        <p className="muted small">
          Browser terminals and laptop ssh tunnels open right now, on every server of the panel. Finished sessions are in the audit log (action <code>terminal.session</code>), with a
          replay where the organization records them.
        </p>
        <LiveSessionsTable sessions={sessions} endAction={endTerminalSessionAction} showOrg={new Map(orgs.map((o) => [o.id, o.name]))} />
      </section>
    </>
  );
}
