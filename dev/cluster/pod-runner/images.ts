// Which containers the pod runner runs as local processes: those whose image is one of the
// Kubernetes control-plane or etcd images, recognised by the image's last path component
// (`registry.k8s.io/kube-apiserver:v1.35.4`, `mirror.internal/k8s/etcd:3.6.16-0`), so an
// image override for an internal registry is run as well.
import type { Binaries } from "../binaries";

/** The binaries the harness builds, by the image name that carries each. */
export const RUNNABLE_IMAGES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"] as const;
export type RunnableImage = (typeof RUNNABLE_IMAGES)[number];

/** The runnable image a reference names, or null (`docker.io/library/nginx` → null). */
export function runnableImageOf(image: string | undefined): RunnableImage | null {
  if (!image) return null;
  const withoutDigest = image.split("@")[0]!;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const nameAndTag = withoutDigest.slice(lastSlash + 1);
  const name = nameAndTag.split(":")[0]!;
  return (RUNNABLE_IMAGES as readonly string[]).includes(name) ? (name as RunnableImage) : null;
}

/** The tag of an image reference (`v1.35.4`), or null. */
export function imageTag(image: string): string | null {
  const withoutDigest = image.split("@")[0]!;
  const nameAndTag = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = nameAndTag.indexOf(":");
  return colon >= 0 ? nameAndTag.slice(colon + 1) : null;
}

/** The cached binary that plays an image. */
export function binaryFor(image: RunnableImage, binaries: Binaries): string {
  switch (image) {
    case "kube-apiserver":
      return binaries.kubeApiserver;
    case "kube-controller-manager":
      return binaries.kubeControllerManager;
    case "kube-scheduler":
      return binaries.kubeScheduler;
    case "etcd":
      return binaries.etcd;
  }
}
