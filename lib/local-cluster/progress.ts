// The built-in local cluster's start as the browser sees it: named steps, each waiting,
// running, done, cached or failed, a progress fraction and the failure with the last lines of
// its output. Pure data and functions, shared by the server (which applies the control
// plane's progress events) and the progress view (which renders snapshots of it).

/** The panel's steps, in order: the control plane's own (dev/cluster/progress.ts), then registering it. */
export const LOCAL_CLUSTER_STEPS = [
  // Expected seconds on a cold machine (2 cores, empty Go caches): they weigh the progress
  // bar only, so that compiling kube-apiserver moves it more than starting etcd.
  { id: "toolchain", label: "Check Go and the system packages", coldSeconds: 2 },
  { id: "download-kubernetes", label: "Download the Kubernetes modules", coldSeconds: 120 },
  { id: "compile-kube-apiserver", label: "Compile kube-apiserver", coldSeconds: 300 },
  { id: "compile-kube-controller-manager", label: "Compile kube-controller-manager", coldSeconds: 150 },
  { id: "compile-kube-scheduler", label: "Compile kube-scheduler", coldSeconds: 60 },
  { id: "download-etcd", label: "Download the etcd modules", coldSeconds: 20 },
  { id: "compile-etcd", label: "Compile etcd", coldSeconds: 60 },
  { id: "download-kwok", label: "Download the kwok modules", coldSeconds: 20 },
  { id: "compile-kwok", label: "Compile kwok (the simulated nodes)", coldSeconds: 60 },
  { id: "etcd", label: "Start etcd", coldSeconds: 2 },
  { id: "apiserver", label: "Start kube-apiserver", coldSeconds: 3 },
  { id: "controllers", label: "Start the controller manager, scheduler and kwok", coldSeconds: 1 },
  { id: "nodes", label: "Wait for the three simulated nodes to be Ready", coldSeconds: 3 },
  { id: "standins", label: "Start the KubeVirt and CDI stand-ins", coldSeconds: 2 },
  { id: "register", label: "Register it in the panel", coldSeconds: 2 },
] as const;

export type LocalClusterStepId = (typeof LOCAL_CLUSTER_STEPS)[number]["id"];

export type StepState = "waiting" | "running" | "done" | "cached" | "failed";

export interface StepStatus {
  id: LocalClusterStepId;
  label: string;
  state: StepState;
  /** Epoch milliseconds; null until the step starts (or for a cached step). */
  startedAt: number | null;
  finishedAt: number | null;
}

/** The whole start as the browser sees it. */
export interface LocalClusterStatus {
  phase: "idle" | "starting" | "ready" | "failed" | "stopped";
  steps: StepStatus[];
  startedAt: number | null;
  finishedAt: number | null;
  /** The step that failed, what went wrong and the last lines of its output. */
  failure: { step: LocalClusterStepId | null; message: string; output: string[] } | null;
  /** The cluster's registration once it is ready. */
  clusterId: string | null;
  /** The API server's address once it is ready. */
  server: string | null;
}

/** One step changing state (from the control plane's events, or the panel's own steps). */
export interface StepEvent {
  step: LocalClusterStepId;
  state: "started" | "done" | "cached";
  at: number;
}

/** How many lines of output a failure keeps. */
export const FAILURE_OUTPUT_LINES = 20;

/** Nothing started yet. */
export function idleStatus(): LocalClusterStatus {
  return {
    phase: "idle",
    steps: LOCAL_CLUSTER_STEPS.map((s) => ({ id: s.id, label: s.label, state: "waiting", startedAt: null, finishedAt: null })),
    startedAt: null,
    finishedAt: null,
    failure: null,
    clusterId: null,
    server: null,
  };
}

/** A new attempt: every step waiting again (the Go caches make finished work quick to redo). */
export function startingStatus(at: number): LocalClusterStatus {
  return { ...idleStatus(), phase: "starting", startedAt: at };
}

/** The status after one step event. */
export function applyStepEvent(status: LocalClusterStatus, event: StepEvent): LocalClusterStatus {
  const steps = status.steps.map((step): StepStatus => {
    if (step.id !== event.step) return step;
    switch (event.state) {
      case "started":
        return { ...step, state: "running", startedAt: event.at, finishedAt: null };
      case "done":
        return { ...step, state: "done", startedAt: step.startedAt ?? event.at, finishedAt: event.at };
      case "cached":
        return { ...step, state: "cached", startedAt: null, finishedAt: event.at };
    }
  });
  return { ...status, steps };
}

/** The status after the start failed: the running step (if any) is the one that failed. */
export function failedStatus(status: LocalClusterStatus, message: string, at: number): LocalClusterStatus {
  const running = status.steps.find((s) => s.state === "running");
  const lines = message.split("\n").map((l) => l.trimEnd()).filter(Boolean);
  return {
    ...status,
    phase: "failed",
    finishedAt: at,
    steps: status.steps.map((s) => (s === running ? { ...s, state: "failed", finishedAt: at } : s)),
    failure: { step: running?.id ?? null, message: lines[0] ?? "The start failed.", output: lines.slice(1).slice(-FAILURE_OUTPUT_LINES) },
  };
}

/** The status once the cluster is registered and ready. */
export function readyStatus(status: LocalClusterStatus, cluster: { clusterId: string; server: string }, at: number): LocalClusterStatus {
  return { ...status, phase: "ready", finishedAt: at, failure: null, clusterId: cluster.clusterId, server: cluster.server };
}

/**
 * How far the start is, 0 to 1: finished steps count their whole weight, a running one the
 * share of its expected time that has passed (at most 90 % of it, since the estimate may be short).
 * Cached steps weigh nothing: with the binaries built, the bar follows the start alone.
 */
export function progressFraction(status: LocalClusterStatus, now: number): number {
  if (status.phase === "ready") return 1;
  let total = 0;
  let done = 0;
  for (const step of status.steps) {
    if (step.state === "cached") continue;
    const weight = LOCAL_CLUSTER_STEPS.find((s) => s.id === step.id)!.coldSeconds;
    total += weight;
    if (step.state === "done") done += weight;
    else if (step.state === "running" && step.startedAt !== null) done += Math.min(0.9, (now - step.startedAt) / 1000 / weight) * weight;
  }
  return total === 0 ? 0 : Math.min(1, done / total);
}
