// DataVolume status steps written by the CDI stand-ins (phase, progress and CDI's three conditions).
import type { DataVolume, DataVolumeFlow, DataVolumePhase } from "./cdi";
import { kubeTimeNow, type Condition } from "./kubevirt";

type Truth = Condition["status"];

const condition = (type: string, status: Truth, reason: string, message = ""): Condition => ({
  type,
  status,
  reason,
  message,
  lastHeartbeatTime: kubeTimeNow(),
  lastTransitionTime: kubeTimeNow(),
});

/** The phases each flow walks through after Pending, ending in Succeeded (upload stops at UploadReady). */
export const dataVolumePhasesAfterPending: Record<DataVolumeFlow, DataVolumePhase[]> = {
  upload: ["UploadScheduled", "UploadReady"],
  import: ["ImportScheduled", "ImportInProgress", "Succeeded"],
  clone: ["CloneScheduled", "CloneInProgress", "Succeeded"],
  blank: ["Succeeded"],
};

/** Merge patch (status subresource) putting the DataVolume in `phase`, conditional on its resourceVersion. */
export function dataVolumePhasePatch(dv: DataVolume, phase: DataVolumePhase): object {
  const name = dv.metadata!.name!;
  const bound = phase === "Pending" ? condition("Bound", "False", "Pending", `PVC ${name} Pending`) : condition("Bound", "True", "Bound", `PVC ${name} Bound`);
  const succeeded = phase === "Succeeded";
  const running =
    phase === "UploadReady" || phase === "ImportInProgress" || phase === "CloneInProgress"
      ? condition("Running", "True", "Pod is running")
      : condition("Running", "False", succeeded ? "Completed" : "Pending");
  return {
    metadata: { resourceVersion: dv.metadata?.resourceVersion },
    status: {
      phase,
      progress: succeeded ? "100.0%" : "N/A",
      claimName: name,
      restartCount: 0,
      conditions: [bound, condition("Ready", succeeded ? "True" : "False", succeeded ? "" : "TransferRunning"), running],
    },
  };
}
