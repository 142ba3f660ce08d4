// Open terminal sessions for admins: who, on what, how, since when, how many bytes (known to
// the server that holds the session), and an "End session" button that asks first.
import { ConfirmAction } from "@/components/ui/confirm-action";
import { Time } from "@/components/ui/time";
import type { ActionResult } from "@/lib/actions/define-action";
import type { OpenSession } from "@/lib/console/session/session-admin";

type ServerAction = (previous: unknown, data: FormData) => Promise<ActionResult<unknown>>;

const MODE_LABEL: Record<OpenSession["mode"], string> = { exec: "shell (exec)", ssh: "ssh", serial: "serial console", tunnel: "laptop ssh" };

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
    <table className="table" aria-label="Live terminal sessions">
      <thead>
        <tr>
          <th>User</th>
          <th>Target</th>
          <th>Mode</th>
          <th>Started</th>
          <th>In / out</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {sessions.map((s) => (
          <tr key={s.id} data-session-id={s.id}>
            <td>{s.userLabel}</td>
            <td>
              <span className="mono">{s.target}</span>
              {showOrg && <div className="muted small">in {showOrg.get(s.orgId) ?? "a deleted organization"}</div>}
            </td>
            <td>
              {MODE_LABEL[s.mode]} {s.recording && <span className="badge warn">Recorded</span>}
            </td>
            <td className="nowrap">
              <Time value={new Date(s.startedAt)} />
            </td>
            <td className="nowrap">
              {s.bytes ? (
                `${formatBytes(s.bytes.in)} / ${formatBytes(s.bytes.out)}`
              ) : s.holderGone ? (
                <span className="badge warn" title="The panel server that holds this session has stopped saying it is alive.">
                  {s.hostId} not answering
                </span>
              ) : (
                <span className="muted" title="Byte counts are kept by the server that holds the session; they are in the audit log once it ends.">
                  on {s.hostId}
                </span>
              )}
            </td>
            <td className="actions">
              {s.endRequested && !s.holderGone ? (
                <span className="muted">Ending…</span>
              ) : (
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
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
