// What a nested cluster's workload row records: the request and the names of its objects.
import type { ControlPlaneImages, NestedVersion } from "@/lib/nested/versions";

/** How the nested apiserver is reached from outside the host cluster. */
export const EXPOSURES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type Exposure = (typeof EXPOSURES)[number];

/** The steps of a create, in order, as the UI shows them. */
export const STEPS = ["certificates", "etcd", "apiserver", "controllers", "registered"] as const;
export type StepName = (typeof STEPS)[number];

export const STEP_LABELS: Record<StepName, string> = {
  certificates: "Certificates",
  etcd: "etcd ready",
  apiserver: "API server ready",
  controllers: "Controllers ready",
  registered: "Registered",
};

export interface StepProgress {
  step: StepName;
  state: "pending" | "running" | "done" | "failed";
  error?: string;
  at: string;
}

/** The spec stored on the workload row (`workloads.spec`). */
export interface NestedClusterSpec {
  [key: string]: unknown;
  displayName: string;
  version: NestedVersion;
  etcdReplicas: 1 | 3;
  etcdStorageGib: number;
  apiserverReplicas: number;
  exposure: Exposure;
  images: ControlPlaneImages;
  /** The nested cluster's own Service range and DNS domain. */
  serviceCidr: string;
  clusterDomain: string;
  /** The host cluster's DNS domain (its Services' names end in it). */
  hostClusterDomain: string;
}

/** The fixed names of a control plane's objects inside its namespace. */
export const OBJECT_NAMES = {
  apiserverService: "kube-apiserver",
  etcdClientService: "etcd-client",
  etcdPeerService: "etcd",
  etcdStatefulSet: "etcd",
  apiserver: "kube-apiserver",
  controllerManager: "kube-controller-manager",
  scheduler: "kube-scheduler",
  networkPolicy: "control-plane",
  secrets: {
    etcd: "etcd-certs",
    apiserver: "apiserver-certs",
    controllerManager: "controller-manager-certs",
    scheduler: "scheduler-kubeconfig",
    admin: "admin-kubeconfig",
  },
} as const;

/** The label telling the control plane's components apart (`etcd`, `kube-apiserver`, …). */
export const COMPONENT_LABEL = "minicloud.io/component";

/** The apiserver's port, in the pod and on the Service. */
export const APISERVER_PORT = 6443;
