// What the panel shows about SSH pods: plain, JSON-safe shapes shared by the server (pages,
// REST) and the browser (React Query under the key ["pods", teamId], patched live by `id`).
import type { PodRuntime } from "@/lib/pods/runtime";
import type { WorkloadView } from "@/lib/workloads/view";

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

/** One row of the pods list (the id is the workload row's, stable across resets; the name is the Service's, the pod's host name). */
export interface SshPodView extends WorkloadView {
  clusterSlug: string;
  image: string;
  cpuMillicores: number;
  memoryMib: number;
  homeGib: number | null;
  /** RFC 3339; null when the pod has no time-to-live. */
  expiresAt: string | null;
  runtime: PodRuntime;
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
