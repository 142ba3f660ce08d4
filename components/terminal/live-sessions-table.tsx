// Open terminal sessions for admins: who, on what, how, since when, how many bytes (known to
// the server that holds the session), and an "End session" button that asks first.
import { ConfirmAction } from "@/components/ui/confirm-action";
import { DataTable } from "@/components/ui/data-table";
import { Time } from "@/components/ui/time";
import type { ActionResult } from "@/lib/actions/define-action";
import type { OpenSession } from "@/lib/console/session/session-admin";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

const MODE_LABEL: Record<OpenSession["mode"], string> = { exec: "shell (exec)", ssh: "ssh", serial: "serial console", vnc: "VNC console", tunnel: "laptop ssh" };

/** Formats a byte count as B / KiB / MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The table, or a sentence when nothing is live. `endAction` is `endTerminalSessionAction`. */
export function LiveSessionsTable({ sessions, endAction, showOrg }: { sessions: OpenSession[]; endAction: ServerAction; showOrg?: Map<string, string> }) {
  if (sessions.length === 0) return <p className="empty">No terminal sessions are open right now.</p>;
  return (
    <DataTable
      label="Live terminal sessions"
      rows={sessions}
      rowKey={(s) => s.id}
      rowAttributes={(s) => ({ "data-session-id": s.id })}
      columns={[
        { text: "User", cell: (s) => s.userLabel },
        {
          text: "Target",
          cell: (s) => (
            <>
              <span className="mono">{s.target}</span>
              {showOrg && <div className="muted small">in {showOrg.get(s.orgId) ?? "a deleted organization"}</div>}
            </>
          ),
        },
        {
          text: "Mode",
          cell: (s) => (
            <>
              {MODE_LABEL[s.mode]} {s.recording && <span className="badge warn">Recorded</span>}
            </>
          ),
        },
        { text: "Started", className: "nowrap", cell: (s) => <Time value={new Date(s.startedAt)} /> },
        { text: "In / out", className: "nowrap", cell: (s) => <SessionBytes session={s} /> },
        { label: "Actions", className: "actions", cell: (s) => <EndSession session={s} endAction={endAction} /> },
      ]}
    />
  );
}

// Bytes so far where this server holds the session; otherwise which server does (or that it went quiet).
function SessionBytes({ session: s }: { session: OpenSession }) {
  if (s.bytes) return <>{`${formatBytes(s.bytes.in)} / ${formatBytes(s.bytes.out)}`}</>;
  if (s.holderGone) {
    return (
      <span className="badge warn" title="The panel server that holds this session has stopped saying it is alive.">
        {s.hostId} not answering
      </span>
    );
  }
  return (
    <span className="muted" title="Byte counts are kept by the server that holds the session; they are in the audit log once it ends.">
      on {s.hostId}
    </span>
  );
}

// "End session", asking first; "Ending…" once asked while the holding server still answers.
function EndSession({ session: s, endAction }: { session: OpenSession; endAction: ServerAction }) {
  if (s.endRequested && !s.holderGone) return <span className="muted">Ending…</span>;
  return (
    <ConfirmAction action={endAction} fields={{ sessionId: s.id }} buttonLabel="End session" title={`End ${s.userLabel}’s session on ${s.target}?`} confirmLabel="End session">
      {s.holderGone ? (
        <p>
          The panel server holding it (<span className="mono">{s.hostId}</span>) stopped answering, so the terminal itself cannot be reached; its record is closed
          now.
        </p>
      ) : (
        <p>The terminal closes at once and its user sees that an administrator ended it. They can open a new one if they still have access.</p>
      )}
    </ConfirmAction>
  );
}
