// The Kubernetes objects of one SSH pod, built from its stored spec: a Service (the anchor:
// a stable address, and the owner every other object hangs off, so deleting it cascades), a
// Secret with authorized_keys, an optional PVC for /home, and the Pod. Pure: no API calls.
import type { V1OwnerReference, V1PersistentVolumeClaim, V1Pod, V1Secret, V1Service, V1Toleration } from "@kubernetes/client-node";
import { EXPIRES_ANNOTATION, OWNER_EMAIL_ANNOTATION, WORKLOAD_LABEL } from "@/lib/kube/labels";
import type { PlannedObjectName } from "@/lib/kube/object-names";
import { workloadLabels } from "@/lib/workloads/labels";
import type { SshPodSpec } from "@/lib/pods/types";

/** The container's name (logs are read from it). */
export const SSH_CONTAINER = "ssh";
/** Where the Secret is mounted; the image copies authorized_keys from here (see images/ssh-pod). */
export const SECRET_MOUNT_PATH = "/etc/minicloud/secret";
/** The Secret's key holding the keys. */
export const AUTHORIZED_KEYS = "authorized_keys";

/** Who and what a pod's objects are for. */
export interface PodObjectsContext {
  /** The registration the objects are made through (labelled on each). */
  clusterId: string;
  workloadId: string;
  teamId: string;
  ownerId: string;
  namespace: string;
  expiresAt: Date | null;
  spec: SshPodSpec;
  /** Placement from the cluster's settings. */
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  storageClass: string | null;
}

function metadata(ctx: PodObjectsContext, name: string, owner?: V1OwnerReference) {
  const annotations: Record<string, string> = { [OWNER_EMAIL_ANNOTATION]: ctx.spec.ownerEmail };
  if (ctx.expiresAt) annotations[EXPIRES_ANNOTATION] = ctx.expiresAt.toISOString();
  return {
    name,
    namespace: ctx.namespace,
    labels: workloadLabels({ clusterId: ctx.clusterId, teamId: ctx.teamId, ownerId: ctx.ownerId, kind: "ssh-pod", workloadId: ctx.workloadId }),
    annotations,
    ...(owner ? { ownerReferences: [owner] } : {}),
  };
}

/**
 * The names a pod's objects will have, each with the rule Kubernetes checks it by: the Service
 * (a DNS-1035 label; also the pod's hostname), the Secret, the claim and the Pod (subdomains).
 */
export function plannedObjectNames(spec: Pick<SshPodSpec, "serviceName" | "secretName" | "pvcName">, podName: string): PlannedObjectName[] {
  return [
    { what: "Service", kind: "dns1035Label", name: spec.serviceName },
    { what: "Secret", kind: "dns1123Subdomain", name: spec.secretName },
    ...(spec.pvcName ? [{ what: "volume claim", kind: "dns1123Subdomain" as const, name: spec.pvcName }] : []),
    { what: "Pod", kind: "dns1123Subdomain", name: podName },
  ];
}

/** An ownerReference to the pod's Service: the garbage collector deletes the child with it. */
export function ownedByService(service: V1Service): V1OwnerReference {
  return { apiVersion: "v1", kind: "Service", name: service.metadata!.name!, uid: service.metadata!.uid! };
}

/** The Service: port 22 of the workload's pod at a stable address. */
export function sshService(ctx: PodObjectsContext): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(ctx, ctx.spec.serviceName),
    spec: {
      type: "ClusterIP",
      selector: { [WORKLOAD_LABEL]: ctx.workloadId },
      ports: [{ name: "ssh", port: 22, targetPort: 22, protocol: "TCP" }],
    },
  };
}

/** The Secret: one authorized_keys line per key (the owner's, then the panel's). */
export function sshSecret(ctx: PodObjectsContext, owner: V1OwnerReference, keys: string[]): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: metadata(ctx, ctx.spec.secretName, owner),
    stringData: { [AUTHORIZED_KEYS]: keys.map((k) => `${k.trim()}\n`).join("") },
  };
}

/** The home volume's claim (only when the pod has one). */
export function homeClaim(ctx: PodObjectsContext, owner: V1OwnerReference): V1PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: metadata(ctx, ctx.spec.pvcName!, owner),
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: `${ctx.spec.homeGib}Gi` } },
      ...(ctx.storageClass ? { storageClassName: ctx.storageClass } : {}),
    },
  };
}

// sshd runs as root to switch to the owner, and sudo needs setuid: so not "non-root", but
// with Docker's usual capabilities minus raw sockets, mknod and file capabilities.
const CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SYS_CHROOT", "AUDIT_WRITE", "NET_BIND_SERVICE"];

/** The Pod. `podName` changes on every reset (a fresh pod), the hostname stays the workload's name. */
export function sshPod(ctx: PodObjectsContext, owner: V1OwnerReference, podName: string): V1Pod {
  const { spec } = ctx;
  const resources = { cpu: `${spec.cpuMillicores}m`, memory: `${spec.memoryMib}Mi` };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: metadata(ctx, podName, owner),
    spec: {
      hostname: spec.serviceName,
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 10,
      // Nothing in the pod talks to the Kubernetes API, and other services' variables are noise.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(Object.keys(ctx.nodeSelector).length > 0 ? { nodeSelector: ctx.nodeSelector } : {}),
      ...(ctx.tolerations.length > 0 ? { tolerations: ctx.tolerations } : {}),
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: SSH_CONTAINER,
          image: spec.image,
          imagePullPolicy: "IfNotPresent",
          ports: [{ name: "ssh", containerPort: 22, protocol: "TCP" }],
          env: [
            { name: "MINICLOUD_USER", value: spec.loginName },
            { name: "MINICLOUD_KEYS_FILE", value: `${SECRET_MOUNT_PATH}/${AUTHORIZED_KEYS}` },
          ],
          resources: { requests: resources, limits: resources },
          volumeMounts: [
            { name: "authorized-keys", mountPath: SECRET_MOUNT_PATH, readOnly: true },
            ...(spec.pvcName ? [{ name: "home", mountPath: "/home" }] : []),
          ],
          readinessProbe: { tcpSocket: { port: 22 }, periodSeconds: 5, failureThreshold: 3 },
          securityContext: {
            allowPrivilegeEscalation: true,
            privileged: false,
            capabilities: { drop: ["ALL"], add: CAPABILITIES },
          },
        },
      ],
      volumes: [
        { name: "authorized-keys", secret: { secretName: spec.secretName, defaultMode: 0o444 } },
        ...(spec.pvcName ? [{ name: "home", persistentVolumeClaim: { claimName: spec.pvcName } }] : []),
      ],
    },
  };
}
