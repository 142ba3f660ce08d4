// A worker's objects on the host, in the control plane's namespace: the cloud-init Secret
// holding its `kubeadm join` (the token lives only there) and the VirtualMachine that boots the
// worker image with it (referencing the Secret, never carrying the token). Deleting the
// VirtualMachine deletes the Secret (ownerReference); deleting the namespace deletes both.
// The pool's wanted size sits in a ConfigMap beside them. Pure.
import type { V1ConfigMap, V1OwnerReference, V1Secret, V1Toleration } from "@kubernetes/client-node";
import { KUBEVIRT, type VirtualMachine } from "@/lib/vms/kubevirt";
import { USER_DATA_KEY } from "@/lib/vms/manifests";
import { COMPONENT_LABEL } from "@/lib/nested/types";
import { POOL_CONFIG_MAP, POOL_NAME, TOKEN_EXPIRES_ANNOTATION, TOKEN_ID_ANNOTATION, WORKER_POOL_LABEL } from "@/lib/nested/workers/types";

export interface WorkerContext {
  namespace: string;
  /** The nested cluster's workload labels. */
  labels: Record<string, string>;
  image: string;
  cpuCores: number;
  memoryMib: number;
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
}

export const workerLabels = (ctx: Pick<WorkerContext, "labels">) => ({ ...ctx.labels, [COMPONENT_LABEL]: "worker", [WORKER_POOL_LABEL]: POOL_NAME });
export const workerSelector = `${COMPONENT_LABEL}=worker,${WORKER_POOL_LABEL}=${POOL_NAME}`;
export const cloudInitSecretName = (vmName: string) => `${vmName}-cloud-init`;

/** The worker's VirtualMachine: the worker image, the cloud-init Secret, pod network, always running. */
export function workerVirtualMachine(ctx: WorkerContext, name: string): VirtualMachine & { spec: Record<string, unknown> } {
  const labels = workerLabels(ctx);
  return {
    apiVersion: `${KUBEVIRT.group}/${KUBEVIRT.version}`,
    kind: "VirtualMachine",
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      runStrategy: "Always",
      template: {
        metadata: { labels },
        spec: {
          hostname: name,
          domain: {
            cpu: { cores: ctx.cpuCores },
            resources: { requests: { cpu: String(ctx.cpuCores), memory: `${ctx.memoryMib}Mi` }, limits: { cpu: String(ctx.cpuCores), memory: `${ctx.memoryMib}Mi` } },
            devices: {
              disks: [
                { name: "boot", disk: { bus: "virtio" } },
                { name: "cloudinit", disk: { bus: "virtio" } },
              ],
              interfaces: [{ name: "default", masquerade: {} }],
            },
          },
          networks: [{ name: "default", pod: {} }],
          ...(Object.keys(ctx.nodeSelector).length > 0 ? { nodeSelector: ctx.nodeSelector } : {}),
          ...(ctx.tolerations.length > 0 ? { tolerations: ctx.tolerations } : {}),
          terminationGracePeriodSeconds: 30,
          volumes: [
            { name: "boot", containerDisk: { image: ctx.image, imagePullPolicy: "IfNotPresent" } },
            { name: "cloudinit", cloudInitNoCloud: { userDataSecretRef: { name: cloudInitSecretName(name) } } },
          ],
        },
      },
    },
  };
}

/** The Secret with the worker's user data (the join command with its token). */
export function workerCloudInitSecret(ctx: WorkerContext, name: string, userData: string, token: { id: string; expiresAt: Date }, owner?: V1OwnerReference): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name: cloudInitSecretName(name),
      namespace: ctx.namespace,
      labels: workerLabels(ctx),
      annotations: { [TOKEN_ID_ANNOTATION]: token.id, [TOKEN_EXPIRES_ANNOTATION]: token.expiresAt.toISOString() },
      ...(owner && { ownerReferences: [owner] }),
    },
    stringData: { [USER_DATA_KEY]: userData },
  };
}

/** The pool's wanted size and image. */
export function poolConfigMap(ctx: Pick<WorkerContext, "namespace" | "labels">, size: number, image: string): V1ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: POOL_CONFIG_MAP, namespace: ctx.namespace, labels: { ...ctx.labels, [WORKER_POOL_LABEL]: POOL_NAME } }, data: { size: String(size), image } };
}
