import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { listAuditEvents } from "@/lib/audit/service";
import { requireUserForPage } from "@/lib/auth/session";
import { isSessionAdmin } from "@/lib/console/session/live-sessions";
import { getDb } from "@/lib/db";
import { loadAuditAccess } from "./audit-access";
import { auditHref, parseAuditSearch, type RawSearchParams } from "./search-params";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 50;

// The audit log: who did what, newest first, limited to what the viewer may audit.
export default async function AuditPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const { principal } = await requireUserForPage();
  const search = parseAuditSearch(await searchParams);
  if (!search) notFound();
  const db = await getDb();
  const access = await loadAuditAccess(db, principal);
  // A team the viewer may not audit (or that does not exist) is simply not there.
  if (search.team && !access.teams.some((t) => t.value === search.team)) notFound();

  const rows = access.any
    ? await listAuditEvents(db, {
        teamId: search.team,
        actorId: search.actor,
        action: search.action,
        before: search.before,
        within: access.within,
        limit: PAGE_SIZE + 1,
      })
    : [];
  const events = rows.slice(0, PAGE_SIZE);
  const last = events.at(-1);
  const older = rows.length > PAGE_SIZE && last ? auditHref({ ...search, before: { createdAt: last.createdAt, id: last.id } }) : null;
  const filtered = Boolean(search.team || search.actor || search.action);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">
            {access.within
              ? "Every change, refusal and error in the organizations and teams whose audit log you may read. Times are UTC."
              : "Every change, refusal and error on the platform. Times are UTC."}
          </p>
        </div>
      </div>
      {!access.any ? (
        <p className="empty">
          You cannot read the audit log of any organization or team. Organization owners and admins, and team admins, can read theirs.
        </p>
      ) : (
        <section className="card">
          {/* Keyed by the filters, so following a link (Clear, Older) shows that link's filters. */}
          <AuditFilters key={auditHref(search)} search={search} teams={access.teams} actors={access.actors} />
          {events.length === 0 ? (
            <p className="empty">{search.before ? "No older events." : filtered ? "No events match these filters." : "Nothing has been recorded yet."}</p>
          ) : (
            <AuditTable events={events} orgNames={access.orgNames} teamNames={access.teamNames} canReplay={(orgId) => isSessionAdmin(principal, orgId)} />
          )}
          <nav className="pager" aria-label="Pages">
            {search.before && <Link href={auditHref({ ...search, before: undefined })}>« Newest</Link>}
            {older && <Link href={older}>Older »</Link>}
          </nav>
        </section>
      )}
    </>
  );
}
