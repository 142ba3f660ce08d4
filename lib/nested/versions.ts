// The Kubernetes versions a nested control plane may run, each with the etcd image kubeadm
// pairs with it, and the upstream images (overridable per cluster for an internal registry).

/** The supported versions, newest first; the first is the default. */
export const SUPPORTED_VERSIONS = [
  { version: "v1.35.4", etcd: "3.6.16-0" },
  { version: "v1.34.6", etcd: "3.6.16-0" },
] as const;

export type NestedVersion = (typeof SUPPORTED_VERSIONS)[number]["version"];
export const DEFAULT_VERSION: NestedVersion = SUPPORTED_VERSIONS[0].version;

/** The control plane's images. */
export interface ControlPlaneImages {
  etcd: string;
  apiserver: string;
  controllerManager: string;
  scheduler: string;
}

const UPSTREAM = "registry.k8s.io";

/** The upstream images of a supported version. */
export function upstreamImages(version: NestedVersion): ControlPlaneImages {
  const entry = SUPPORTED_VERSIONS.find((v) => v.version === version)!;
  return {
    etcd: `${UPSTREAM}/etcd:${entry.etcd}`,
    apiserver: `${UPSTREAM}/kube-apiserver:${version}`,
    controllerManager: `${UPSTREAM}/kube-controller-manager:${version}`,
    scheduler: `${UPSTREAM}/kube-scheduler:${version}`,
  };
}
