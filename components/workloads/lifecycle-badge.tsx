// A workload's lifecycle state when it is not simply there: being created (the outcome was not
// known yet), being deleted, failed and being cleaned up, or lost (its objects vanished). The
// same for every kind (SSH pods, VMs).

/** Where a workload is in its life, and why, from its row. */
export interface WorkloadLifecycle {
  state: "creating" | "ready" | "failed" | "deleting" | "lost";
  reason: string | null;
}

const LABELS: Record<Exclude<WorkloadLifecycle["state"], "ready">, { text: string; tone: string }> = {
  creating: { text: "being created", tone: "badge warn" },
  deleting: { text: "being deleted", tone: "badge warn" },
  failed: { text: "failed — cleaning up", tone: "badge danger" },
  lost: { text: "lost", tone: "badge danger" },
};

// What each unfinished state means for the person looking at the workload's page.
const NOTES: Record<Exclude<WorkloadLifecycle["state"], "ready">, string> = {
  creating: "The cluster did not confirm the create in time. The panel keeps trying and will finish it or clean it up.",
  deleting: "Being deleted. If the cluster does not answer now, the panel finishes the deletion when it does.",
  failed: "The create failed; the panel is removing what it made.",
  lost: "Its objects are gone from the cluster (deleted outside the panel?). Delete it here to remove the record.",
};

/** Nothing for a ready workload; otherwise a badge whose title says why. */
export function LifecycleBadge({ lifecycle }: { lifecycle: WorkloadLifecycle }) {
  if (lifecycle.state === "ready") return null;
  const { text, tone } = LABELS[lifecycle.state];
  return (
    <span className={tone} data-testid="lifecycle-badge" title={lifecycle.reason ?? undefined}>
      {text}
    </span>
  );
}

/** Nothing for a ready workload; otherwise the page's note: the badge, what the state means, and the reason. */
export function LifecycleNote({ lifecycle }: { lifecycle: WorkloadLifecycle }) {
  if (lifecycle.state === "ready") return null;
  return (
    <div className={lifecycle.state === "lost" || lifecycle.state === "failed" ? "alert error" : "alert"} role="status" data-testid="lifecycle-note">
      <LifecycleBadge lifecycle={lifecycle} /> {NOTES[lifecycle.state]}
      {lifecycle.reason && <div className="small muted">{lifecycle.reason}</div>}
    </div>
  );
}
