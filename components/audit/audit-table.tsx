// Audit events as a table: time, actor, action, target (with its team or organization), outcome, detail.
import Link from "next/link";
import type { ReactNode } from "react";
import { Time } from "@/components/ui/time";
import type { AuditEventView } from "@/lib/audit/service";
import { DataTable } from "@/components/ui/data-table";

const OUTCOME_BADGE: Record<AuditEventView["outcome"], string> = {
  success: "badge ok",
  denied: "badge warn",
  error: "badge danger",
  // A durable change still under way (its outcome is filled in once known).
  pending: "badge",
};

/** The events, newest first as given; names resolve the org and team ids events carry. */
export function AuditTable({
  events,
  orgNames,
  teamNames,
  canReplay = () => false,
}: {
  events: AuditEventView[];
  orgNames: Map<string, string>;
  teamNames: Map<string, string>;
  /** Whether the viewer may replay terminal recordings of this organization (its admins). */
  canReplay?: (orgId: string) => boolean;
}) {
  return (
    <DataTable
      label="Audit events"
      rows={events}
      rowKey={(e) => e.id}
      columns={[
        { text: "Time", className: "nowrap", cell: (e) => <Time value={e.createdAt} /> },
        {
          text: "Actor",
          cell: (e) => (
            <>
              {e.actorName ?? e.actorLabel}
              {e.actorEmail && e.actorEmail !== e.actorName && <div className="muted small">{e.actorEmail}</div>}
            </>
          ),
        },
        { text: "Action", cell: (e) => <code>{e.action}</code> },
        {
          text: "Target",
          cell: (e) => (
            <>
              {e.targetType} {targetName(e, orgNames, teamNames)}
              <Place text={placeOf(e, orgNames, teamNames)} />
            </>
          ),
        },
        { text: "Outcome", cell: (e) => <span className={OUTCOME_BADGE[e.outcome]}>{e.outcome}</span> },
        {
          text: "Detail",
          className: "detail",
          cell: (e) => (
            <>
              {describeDetail(e.detail)}
              <ReplayLink event={e} canReplay={canReplay} />
            </>
          ),
        },
      ]}
    />
  );
}

// What the event acted on: its recorded label; else (refusals record none) the current name of
// a team or organization the viewer knows; else its id.
function targetName(e: AuditEventView, orgNames: Map<string, string>, teamNames: Map<string, string>): ReactNode {
  if (e.targetLabel) return e.targetLabel;
  if (!e.targetId) return null;
  const known = e.targetType === "team" ? teamNames.get(e.targetId) : e.targetType === "organization" ? orgNames.get(e.targetId) : undefined;
  return known ?? <code>{e.targetId}</code>;
}

// A recorded terminal session links to its replay, for those allowed to watch it.
function ReplayLink({ event, canReplay }: { event: AuditEventView; canReplay: (orgId: string) => boolean }) {
  const { sessionId, recorded } = event.detail;
  if (event.action !== "terminal.session" || recorded !== true || typeof sessionId !== "string" || !event.orgId || !canReplay(event.orgId)) return null;
  return (
    <div>
      <Link href={`/audit/sessions/${sessionId}`}>Replay</Link>
    </div>
  );
}

function Place({ text }: { text: string | null }) {
  return text ? <div className="muted small">{text}</div> : null;
}

// "in Acme / web" for team events, "in Acme" for organization events; ids of deleted ones stay unnamed.
function placeOf(e: AuditEventView, orgNames: Map<string, string>, teamNames: Map<string, string>): string | null {
  if (e.teamId && e.targetId !== e.teamId) return `in ${teamNames.get(e.teamId) ?? "a deleted team"}`;
  if (e.orgId && e.targetId !== e.orgId) return `in ${orgNames.get(e.orgId) ?? "a deleted organization"}`;
  return null;
}

// `key: value` pairs, one level deep; nested values as compact JSON.
function describeDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}
