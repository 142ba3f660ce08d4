// The line above a terminal saying what its connection is doing. `data-state` carries the
// bare phase (connecting, connected, reconnecting, ended) for tests and styles.
import type { ConnectionState } from "@/components/terminal/terminal-connection";

/** "14:02" in the viewer's own time. */
export const timeOf = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

function describe(state: ConnectionState): string {
  switch (state.phase) {
    case "connecting":
      return state.attempt > 1 ? `Connecting (attempt ${state.attempt})…` : "Connecting…";
    case "connected":
      return `Connected to ${state.target}`;
    case "reconnecting":
      return `Connection lost — reconnecting in ${state.seconds} s`;
    case "busy":
      return state.holder.you
        ? `This console is open in another window of yours (since ${timeOf(state.holder.since)}).`
        : `This console is in use by ${state.holder.user} (since ${timeOf(state.holder.since)}).`;
    case "ended":
      return state.message;
  }
}

/** The status text, a "Recorded" badge while the session is recorded, and the terminal size. */
export function TerminalStatus({ state, size }: { state: ConnectionState; size: { cols: number; rows: number } | null }) {
  return (
    <span className="terminal-status">
      <span className={`live-dot terminal-dot-${state.phase}`} aria-hidden />
      <span data-testid="terminal-status" data-state={state.phase} role="status">
        {describe(state)}
      </span>
      {state.phase === "connected" && state.recording && (
        <span className="badge warn" title="Your organization records the output of browser terminals; admins can replay it.">
          Recorded
        </span>
      )}
      {size && (
        <span className="muted small mono" title="Columns × rows">
          {size.cols}×{size.rows}
        </span>
      )}
    </span>
  );
}
