// A nested cluster's worker pool: KubeVirt VMs in the control plane's host namespace that join
// the nested cluster with `kubeadm join`, and what the panel shows about each.

/** The pool's one name (a cluster has one pool for now). */
export const POOL_NAME = "workers";
/** The label marking a worker VM (value: its pool). */
export const WORKER_POOL_LABEL = "minicloud.io/worker-pool";
/** The ConfigMap in the host namespace holding the pool's wanted size and image. */
export const POOL_CONFIG_MAP = "worker-pool";
/** Annotations on a worker's cloud-init Secret: which token it carries (its public id, never the secret) and until when. */
export const TOKEN_ID_ANNOTATION = "minicloud.io/join-token-id";
export const TOKEN_EXPIRES_ANNOTATION = "minicloud.io/join-token-expires-at";
/** The most workers a pool may have. */
export const MAX_POOL_SIZE = 20;

export type WorkerState = "starting" | "joining" | "ready" | "not-ready" | "failed" | "removing";

export interface WorkerView {
  /** The VM's name, which is also its node's name. */
  name: string;
  state: WorkerState;
  /** Why it failed, in plain words (VM not running / join timed out / join refused: …). */
  reason: string | null;
  vmStatus: string;
  node: { ready: boolean; version: string; unschedulable: boolean; cpu: string; memory: string } | null;
  createdAt: string | null;
}

export interface WorkerPoolView {
  size: number;
  image: string | null;
  workers: WorkerView[];
}

/** How long a worker may take before it counts as failed (tests shorten them). */
export const workerTimings = {
  /** From the VM's creation to its VMI running. */
  vmStartTimeoutMs: 180_000,
  /** From the VM's creation to its Node registered. */
  joinTimeoutMs: 240_000,
  /** How long a join token lives (each scale-up mints one). */
  tokenTtlMs: 20 * 60_000,
  /** How long a drain waits for the node's pods to go. */
  drainTimeoutMs: 60_000,
  pollMs: 500,
};
