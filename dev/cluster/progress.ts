// Structured progress of a start, for callers that show it (the panel's built-in cluster page)
// rather than read log lines. Each step reports `started` and then `done`, or `cached` when
// there was nothing to do (binaries already built); a step that throws never reports `done`.

/** The steps of `startLocalCluster`, in order: building the binaries, then starting them. */
export const CLUSTER_PROGRESS_STEPS = [
  "download-kubernetes",
  "compile-kube-apiserver",
  "compile-kube-controller-manager",
  "compile-kube-scheduler",
  "download-etcd",
  "compile-etcd",
  "download-kwok",
  "compile-kwok",
  "etcd",
  "apiserver",
  "controllers",
  "nodes",
  "standins",
] as const;

export type ClusterProgressStep = (typeof CLUSTER_PROGRESS_STEPS)[number];

/** One step changing state. */
export interface ClusterProgressEvent {
  step: ClusterProgressStep;
  state: "started" | "done" | "cached";
}

export type ClusterProgress = (event: ClusterProgressEvent) => void;

/** Runs `work` as step `step`: `started` before, `done` after it resolves. */
export async function asStep<T>(progress: ClusterProgress, step: ClusterProgressStep, work: () => Promise<T>): Promise<T> {
  progress({ step, state: "started" });
  const result = await work();
  progress({ step, state: "done" });
  return result;
}
