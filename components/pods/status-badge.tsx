// A pod's status as a coloured badge, with the reason beside it when there is one.
import type { PodRuntime } from "@/lib/pods/runtime";

const TONE: Record<PodRuntime["status"], string> = {
  Running: "ok",
  Succeeded: "",
  Pending: "warn",
  ContainerCreating: "warn",
  Terminating: "warn",
  Failed: "danger",
  Missing: "danger",
};

/** Status badge plus reason; `data-testid="pod-status"` carries the bare status for tests. */
export function PodStatus({ runtime }: { runtime: PodRuntime }) {
  return (
    <span className="pod-status">
      <span className={`badge ${TONE[runtime.status]}`} data-testid="pod-status" data-status={runtime.status}>
        {runtime.status}
      </span>
      {runtime.reason && <span className="muted small"> {runtime.reason}</span>}
    </span>
  );
}
