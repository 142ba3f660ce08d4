// A workload's lifecycle state when it is not simply there: being created (the outcome was not
// known yet), being deleted, failed and being cleaned up, or lost (its objects vanished).
import type { SshPodView } from "@/lib/pods/types";

const LABELS: Record<Exclude<SshPodView["lifecycle"]["state"], "ready">, { text: string; tone: string }> = {
  creating: { text: "being created", tone: "badge warn" },
  deleting: { text: "being deleted", tone: "badge warn" },
  failed: { text: "failed — cleaning up", tone: "badge danger" },
  lost: { text: "lost", tone: "badge danger" },
};

/** Nothing for a ready workload; otherwise a badge whose title says why. */
export function LifecycleBadge({ lifecycle }: { lifecycle: SshPodView["lifecycle"] }) {
  if (lifecycle.state === "ready") return null;
  const { text, tone } = LABELS[lifecycle.state];
  return (
    <span className={tone} data-testid="lifecycle-badge" title={lifecycle.reason ?? undefined}>
      {text}
    </span>
  );
}
