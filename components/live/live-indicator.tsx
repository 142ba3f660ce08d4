"use client";
// A small badge saying whether the page is receiving live updates, so a user looking at a
// stale status knows why.
import { useLiveState } from "@/components/live/live-events";

const LABELS = { connecting: "Connecting…", connected: "Live", reconnecting: "Reconnecting…" } as const;
const TITLES = {
  connecting: "Connecting to live updates.",
  connected: "Statuses update as they change.",
  reconnecting: "Live updates are interrupted; reconnecting. The list still refreshes every 30 s.",
} as const;

/** "Live" while the live-events stream is connected, "Reconnecting…" while it is not. */
export function LiveIndicator() {
  const state = useLiveState();
  return (
    <span className={`live-indicator live-${state}`} role="status" aria-live="polite" title={TITLES[state]} data-live={state}>
      <span className="live-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
