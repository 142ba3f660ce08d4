// What the panel shows about SSH pods: plain, JSON-safe shapes shared by the server (pages,
// REST) and the browser (React Query under the key ["pods", teamId], patched live by `id`).
import type { PodRuntime } from "@/lib/pods/runtime";

/** The request an SSH pod was created from, as stored in `workloads.spec`. */
export interface SshPodSpec {
  /** What the user typed as the name. */
  displayName: string;
  image: string;
  cpuMillicores: number;
  memoryMib: number;
  /** Size of the persistent home volume; null: the home directory lives and dies with the pod. */
  homeGib: number | null;
  ttlMinutes: number | null;
  /** The owner's login name inside the pod (see lib/pods/login-name.ts). */
  loginName: string;
  ownerEmail: string;
  /** Names of the objects made for it (the Service carries the workload's name). */
  serviceName: string;
  secretName: string;
  pvcName: string | null;
}

/** One row of the pods list. */
export interface SshPodView {
  /** The workload row's id (stable across resets). */
  id: string;
  teamId: string;
  /** Kubernetes name of the workload (Service name; the pod's hostname). */
  name: string;
  displayName: string;
  clusterId: string;
  clusterName: string;
  clusterSlug: string;
  namespace: string;
  image: string;
  cpuMillicores: number;
  memoryMib: number;
  homeGib: number | null;
  owner: { id: string; name: string; email: string };
  /** RFC 3339. */
  createdAt: string;
  /** RFC 3339; null when the pod has no time-to-live. */
  expiresAt: string | null;
  runtime: PodRuntime;
  /** Set when the cluster could not be asked; `runtime` is then unknown (Missing). */
  clusterError: string | null;
  /** Where the workload is in its life (being created or deleted, lost, …) and why, from its row. */
  lifecycle: { state: "creating" | "ready" | "failed" | "deleting" | "lost"; reason: string | null };
}

/** A condition of the pod, as Kubernetes reports it. */
export interface PodConditionView {
  type: string;
  status: string;
  reason: string | null;
  message: string | null;
  lastTransitionTime: string | null;
}

/** A Kubernetes event about the pod or its volume. */
export interface PodEventView {
  type: string;
  reason: string;
  message: string;
  object: string;
  count: number;
  /** RFC 3339. */
  lastSeen: string | null;
}

/** The detail page's data. */
export interface SshPodDetail extends SshPodView {
  loginName: string;
  ttlMinutes: number | null;
  service: { name: string; clusterIP: string | null } | null;
  pvc: { name: string; phase: string | null; capacity: string | null } | null;
  conditions: PodConditionView[];
  events: PodEventView[];
}

/** The tail of the pod's sshd log. */
export interface SshPodLogs {
  podName: string | null;
  text: string;
  /** Whether the log was cut to the byte limit. */
  truncated: boolean;
}
