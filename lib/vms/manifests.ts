// The Kubernetes objects of one VM, built from its stored spec: the VirtualMachine (the anchor,
// and the owner the other objects hang off, so deleting it cascades), the Secret holding its
// cloud-init user data (referenced by `cloudInitNoCloud.userDataSecretRef`, never inline), and
// a Service giving port 22 of its pod a stable address. Pure: no API calls.
import type { V1OwnerReference, V1Secret, V1Service, V1Toleration } from "@kubernetes/client-node";
import { OWNER_EMAIL_ANNOTATION, WORKLOAD_LABEL } from "@/lib/kube/labels";
import type { PlannedObjectName } from "@/lib/kube/object-names";
import { workloadLabels } from "@/lib/workloads/labels";
import { bootVolume } from "@/lib/vms/disks/manifests";
import { KUBEVIRT, type VirtualMachine } from "@/lib/vms/kubevirt";
import type { VmSpec } from "@/lib/vms/types";

/** The annotation asking the service mesh (Istio) to inject its sidecar into the VM's pod. */
export const MESH_SIDECAR_ANNOTATION = "sidecar.istio.io/inject";
/** The Secret's key KubeVirt reads the user data from. */
export const USER_DATA_KEY = "userdata";

/** Who and what a VM's objects are for. */
export interface VmObjectsContext {
  /** The registration the objects are made through (labelled on each). */
  clusterId: string;
  workloadId: string;
  teamId: string;
  ownerId: string;
  namespace: string;
  spec: VmSpec;
  /** Placement from the cluster's settings. */
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
}

const labelsOf = (ctx: VmObjectsContext) => workloadLabels({ clusterId: ctx.clusterId, teamId: ctx.teamId, ownerId: ctx.ownerId, kind: "vm", workloadId: ctx.workloadId });

function metadata(ctx: VmObjectsContext, name: string, owner?: V1OwnerReference) {
  return {
    name,
    namespace: ctx.namespace,
    labels: labelsOf(ctx),
    annotations: { [OWNER_EMAIL_ANNOTATION]: ctx.spec.ownerEmail },
    ...(owner ? { ownerReferences: [owner] } : {}),
  };
}

/** The names a VM's objects will have, each with the rule Kubernetes checks it by (the VM's is also its host name: a DNS-1035 label). */
export function plannedVmObjectNames(spec: Pick<VmSpec, "vmName" | "secretName" | "serviceName" | "disk">): PlannedObjectName[] {
  return [
    ...(spec.disk ? [{ what: "DataVolume", kind: "dns1123Subdomain" as const, name: spec.disk.dataVolumeName }] : []),
    { what: "VirtualMachine", kind: "dns1035Label", name: spec.vmName },
    { what: "Secret", kind: "dns1123Subdomain", name: spec.secretName },
    { what: "Service", kind: "dns1035Label", name: spec.serviceName },
  ];
}

/** An ownerReference to the VM: the garbage collector deletes the child with it. */
export function ownedByVm(vm: VirtualMachine): V1OwnerReference {
  return { apiVersion: `${KUBEVIRT.group}/${KUBEVIRT.version}`, kind: "VirtualMachine", name: vm.metadata!.name!, uid: vm.metadata!.uid! };
}

/**
 * The VirtualMachine: a boot volume (the container disk, or the DataVolume made for it), the cloud-init disk from the Secret, the
 * pod network, the run strategy, and either an instancetype or an explicit size (requests =
 * limits, so the team's quota counts what the VM may use). The template carries our labels
 * (KubeVirt copies them to the VMI and its pod, which the Service selects) and, when asked, the
 * sidecar annotation — on the template, where the mesh sees it, not on the VM.
 */
export function virtualMachine(ctx: VmObjectsContext): VirtualMachine & { spec: Record<string, unknown> } {
  const { spec } = ctx;
  const size = spec.instancetype
    ? {}
    : {
        cpu: { cores: spec.cpuCores },
        resources: {
          requests: { cpu: String(spec.cpuCores), memory: `${spec.memoryMib}Mi` },
          limits: { cpu: String(spec.cpuCores), memory: `${spec.memoryMib}Mi` },
        },
      };
  return {
    apiVersion: `${KUBEVIRT.group}/${KUBEVIRT.version}`,
    kind: "VirtualMachine",
    metadata: metadata(ctx, spec.vmName),
    spec: {
      runStrategy: spec.runStrategy,
      ...(spec.instancetype ? { instancetype: { kind: spec.instancetype.kind, name: spec.instancetype.name } } : {}),
      template: {
        metadata: {
          labels: labelsOf(ctx),
          ...(spec.meshSidecar ? { annotations: { [MESH_SIDECAR_ANNOTATION]: "true" } } : {}),
        },
        spec: {
          hostname: spec.vmName,
          domain: {
            ...size,
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
          terminationGracePeriodSeconds: 60,
          volumes: [
            bootVolume(spec),
            { name: "cloudinit", cloudInitNoCloud: { userDataSecretRef: { name: spec.secretName } } },
          ],
        },
      },
    },
  };
}

/** The Secret with the VM's cloud-init user data (built by lib/vms/cloud-init.ts). */
export function cloudInitSecret(ctx: VmObjectsContext, owner: V1OwnerReference, userData: string): V1Secret {
  return { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: metadata(ctx, ctx.spec.secretName, owner), stringData: { [USER_DATA_KEY]: userData } };
}

/** The Service: port 22 of the VM's pod at a stable address (the pod carries the workload label from the template). */
export function vmService(ctx: VmObjectsContext, owner: V1OwnerReference): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(ctx, ctx.spec.serviceName, owner),
    spec: { type: "ClusterIP", selector: { [WORKLOAD_LABEL]: ctx.workloadId }, ports: [{ name: "ssh", port: 22, targetPort: 22, protocol: "TCP" }] },
  };
}
