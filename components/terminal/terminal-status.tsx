// The line above a terminal saying what its connection is doing. `data-state` carries the
// bare phase (connecting, connected, reconnecting, ended) for tests and styles.
import type { ConnectionState } from "@/components/terminal/terminal-connection";

function describe(state: ConnectionState): string {
  switch (state.phase) {
    case "connecting":
      return state.attempt > 1 ? `Connecting (attempt ${state.attempt})…` : "Connecting…";
    case "connected":
      return `Connected to ${state.target}`;
    case "reconnecting":
      return `Connection lost — reconnecting in ${state.seconds} s`;
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
