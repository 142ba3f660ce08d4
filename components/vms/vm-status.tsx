// A VM's status (KubeVirt's printable status) as a coloured badge, with the reason beside it when there is one.
import type { VmRuntime } from "@/lib/vms/types";

function toneOf(status: string): string {
  if (status === "Running") return "ok";
  if (status === "Stopped") return "";
  if (status === "Missing" || status.startsWith("Err") || status === "CrashLoopBackOff" || status === "Unknown") return "danger";
  return "warn";
}

/** Status badge plus reason; `data-testid="vm-status"` carries the bare status for tests. */
export function VmStatus({ runtime }: { runtime: VmRuntime }) {
  return (
    <span className="pod-status">
      <span className={`badge ${toneOf(runtime.printableStatus)}`} data-testid="vm-status" data-status={runtime.printableStatus}>
        {runtime.printableStatus}
      </span>
      {runtime.reason && <span className="muted small"> {runtime.reason}</span>}
    </span>
  );
}
