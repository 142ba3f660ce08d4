// What the VM form offers and the service accepts, and which operations a VM's state allows;
// no imports, so the browser bundle can use it.

/** KubeVirt's run strategies the panel offers (`Once` is left out: a VM that never comes back is a job, not a machine). */
export const RUN_STRATEGIES = ["Always", "Halted", "Manual", "RerunOnFailure"] as const;
export type RunStrategy = (typeof RUN_STRATEGIES)[number];

/** How each run strategy reads in the form. */
export const RUN_STRATEGY_LABELS: Record<RunStrategy, string> = {
  Always: "Always running (started now, restarted whenever it stops)",
  Halted: "Stopped (created, started later)",
  Manual: "Manual (started now; stays as you leave it)",
  RerunOnFailure: "Restart on failure (started now; a clean shutdown stays off)",
};

/** Bounds of a VM's explicit size (inclusive). */
export const VM_LIMITS = {
  cpuCores: { min: 1, max: 64 },
  memoryMib: { min: 128, max: 256 * 1024 },
} as const;

/** What can be done to a VM. */
export const VM_OPERATIONS = ["start", "stop", "forceStop", "restart", "pause", "unpause"] as const;
export type VmOperation = (typeof VM_OPERATIONS)[number];

/** How each operation reads on a button and in sentences. */
export const VM_OPERATION_LABELS: Record<VmOperation, string> = {
  start: "Start",
  stop: "Stop",
  forceStop: "Force stop",
  restart: "Restart",
  pause: "Pause",
  unpause: "Unpause",
};

/** Operations that interrupt the guest: asked before they are done. */
export const CONFIRMED_OPERATIONS: readonly VmOperation[] = ["stop", "forceStop", "restart"];

/**
 * What a VM in `printableStatus` (KubeVirt's VM status column) can be asked to do: the buttons
 * follow the state. KubeVirt itself refuses what does not fit its run strategy (409), which the
 * panel reports as said.
 */
export function operationsFor(printableStatus: string): VmOperation[] {
  switch (printableStatus) {
    case "Stopped":
      return ["start"];
    case "Running":
      return ["stop", "forceStop", "restart", "pause"];
    case "Paused":
      return ["unpause", "stop", "forceStop"];
    case "Stopping":
    case "Terminating":
      return ["forceStop"];
    case "Missing":
    case "Unknown":
      return [];
    default:
      // Provisioning, Starting, Scheduling, ErrorUnschedulable, ErrImagePull, CrashLoopBackOff, …
      return ["stop", "forceStop"];
  }
}
