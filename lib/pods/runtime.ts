// What a pod is doing right now, in the words the pods list uses. Pure: computed from the
// Pod object (from the watch cache or a read), so the server list and the live stream agree.
import type { V1Pod } from "@kubernetes/client-node";

export type PodStatus = "Pending" | "ContainerCreating" | "Running" | "Failed" | "Succeeded" | "Terminating" | "Missing";

export interface PodRuntime {
  status: PodStatus;
  /** Why, when the status alone does not say (Unschedulable: …, ImagePullBackOff, not ready, …). */
  reason: string | null;
  node: string | null;
  ip: string | null;
  ready: boolean;
  /** RFC 3339, when the pod started running. */
  startedAt: string | null;
  /** The Pod's name (changes on reset). */
  podName: string | null;
}

const MISSING: PodRuntime = { status: "Missing", reason: "The pod does not exist in the cluster.", node: null, ip: null, ready: false, startedAt: null, podName: null };

const CREATING_REASONS = new Set(["ContainerCreating", "PodInitializing"]);
const FAILING_REASONS = new Set(["CrashLoopBackOff", "RunContainerError", "CreateContainerError", "CreateContainerConfigError"]);

/** The runtime state of `pod`; `undefined` (not in the cluster) is Missing. */
export function podRuntime(pod: V1Pod | undefined): PodRuntime {
  if (!pod) return MISSING;
  const status = pod.status ?? {};
  const base = {
    node: pod.spec?.nodeName ?? null,
    ip: status.podIP ?? null,
    startedAt: status.startTime ? new Date(status.startTime).toISOString() : null,
    podName: pod.metadata?.name ?? null,
    ready: status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
  };
  if (pod.metadata?.deletionTimestamp) return { ...base, status: "Terminating", reason: null, ready: false };

  const container = status.containerStatuses?.[0];
  const waiting = container?.state?.waiting;
  const terminated = container?.state?.terminated ?? container?.lastState?.terminated;
  const explain = (reason?: string, message?: string) => (reason ? (message ? `${reason}: ${message}` : reason) : (message ?? null));

  switch (status.phase) {
    case "Running":
      if (waiting?.reason && FAILING_REASONS.has(waiting.reason)) return { ...base, status: "Failed", reason: explain(waiting.reason, waiting.message ?? terminated?.reason) };
      return { ...base, status: "Running", reason: base.ready ? null : "Not ready yet" };
    case "Succeeded":
      return { ...base, status: "Succeeded", reason: explain(status.reason, status.message) ?? "The container exited." };
    case "Failed":
      return { ...base, status: "Failed", reason: explain(status.reason, status.message) ?? explain(terminated?.reason, terminated?.message) ?? "The pod failed." };
    default: {
      const scheduled = status.conditions?.find((c) => c.type === "PodScheduled");
      if (!base.node || scheduled?.status === "False") {
        return { ...base, status: "Pending", reason: scheduled?.status === "False" ? explain(scheduled.reason, scheduled.message) : "Waiting to be scheduled" };
      }
      if (waiting?.reason && !CREATING_REASONS.has(waiting.reason)) {
        return { ...base, status: FAILING_REASONS.has(waiting.reason) ? "Failed" : "Pending", reason: explain(waiting.reason, waiting.message) };
      }
      return { ...base, status: "ContainerCreating", reason: null };
    }
  }
}
