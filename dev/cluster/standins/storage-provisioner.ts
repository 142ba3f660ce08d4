// Storage stand-in: a dynamic provisioner for the StorageClass `standin-hostpath` (the
// cluster's default class), in place of a real CSI driver + external-provisioner. The real
// PV controller and scheduler do the rest: with WaitForFirstConsumer binding, the scheduler
// picks a node for the pod and marks the claim; this stand-in then makes a hostPath
// PersistentVolume on that node (a directory under the run dir) pre-bound to the claim by
// `claimRef`, the PV controller binds them, and the pod is scheduled. A claim deleted →
// its volume is Released → its directory removed, then the volume deleted (reclaim policy Delete).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from "@kubernetes/client-node";
import { startInformer } from "./informer";
import { applyObject, describeError, isConflict, isNotFound, standinLabels, type Kube } from "./kube";
import { objectKey, splitKey, WorkQueue } from "./work-queue";

/** The StorageClass the stand-in serves (marked as the cluster's default). */
export const STANDIN_STORAGE_CLASS = "standin-hostpath";
/** Its provisioner name, as a CSI driver's would be. */
export const STANDIN_PROVISIONER = "minicloud.dev/standin-hostpath";

const PROVISIONER_ANNOTATIONS = ["volume.kubernetes.io/storage-provisioner", "volume.beta.kubernetes.io/storage-provisioner"];
const SELECTED_NODE = "volume.kubernetes.io/selected-node";
const PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

/** The StorageClass object. */
export function standinStorageClass(): V1StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: STANDIN_STORAGE_CLASS,
      labels: standinLabels,
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: STANDIN_PROVISIONER,
    reclaimPolicy: "Delete",
    // As node-local storage classes do: the volume is made where the scheduler puts the pod.
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: false,
  };
}

/** The volume name for a claim (as external-provisioner names them). */
export const volumeNameFor = (claim: V1PersistentVolumeClaim): string => `pvc-${claim.metadata!.uid!}`;

/** Whether the claim waits for this provisioner to make its volume. */
export function wantsVolume(claim: V1PersistentVolumeClaim): boolean {
  const annotations = claim.metadata?.annotations ?? {};
  if (!PROVISIONER_ANNOTATIONS.some((a) => annotations[a] === STANDIN_PROVISIONER)) return false;
  if (claim.metadata?.deletionTimestamp || claim.spec?.volumeName) return false;
  return claim.status?.phase !== "Bound" && Boolean(annotations[SELECTED_NODE]);
}

/** The hostPath volume for a claim, on the node the scheduler selected, bound to the claim. */
export function volumeFor(claim: V1PersistentVolumeClaim, volumesDir: string): V1PersistentVolume {
  const node = claim.metadata!.annotations![SELECTED_NODE]!;
  const name = volumeNameFor(claim);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, labels: standinLabels, annotations: { [PROVISIONED_BY]: STANDIN_PROVISIONER } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec?.accessModes?.length ? claim.spec.accessModes : ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: STANDIN_STORAGE_CLASS,
      volumeMode: claim.spec?.volumeMode ?? "Filesystem",
      hostPath: { path: join(volumesDir, name), type: "DirectoryOrCreate" },
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: claim.metadata!.namespace!,
        name: claim.metadata!.name!,
        uid: claim.metadata!.uid!,
      },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] },
      },
    },
  };
}

/** Installs the StorageClass and starts provisioning; returns its stop function. */
export async function startStorageProvisioner(kube: Kube, volumesDir: string, log: (line: string) => void): Promise<{ stop(): Promise<void> }> {
  mkdirSync(volumesDir, { recursive: true });
  await applyObject(kube, standinStorageClass() as never);

  const claimQueue = new WorkQueue(
    (key) => provision(key),
    (key, error) => log(`storage stand-in: provisioning for ${key} failed: ${describeError(error)}`),
  );
  const volumeQueue = new WorkQueue(
    (name) => reclaim(name),
    (name, error) => log(`storage stand-in: reclaiming ${name} failed: ${describeError(error)}`),
  );

  const claims = await startInformer<V1PersistentVolumeClaim>(kube.config, {
    path: "/api/v1/persistentvolumeclaims",
    list: () => kube.core.listPersistentVolumeClaimForAllNamespaces(),
    onChange: (claim) => {
      if (wantsVolume(claim)) claimQueue.add(objectKey(claim.metadata?.namespace, claim.metadata?.name));
    },
    onDelete: () => {},
    log,
  });
  const volumes = await startInformer<V1PersistentVolume>(kube.config, {
    path: "/api/v1/persistentvolumes",
    list: () => kube.core.listPersistentVolume(),
    onChange: (volume) => {
      if (isReleasedStandinVolume(volume)) volumeQueue.add(volume.metadata!.name!);
    },
    onDelete: () => {},
    log,
  });

  async function provision(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = claims.cache.get(name, namespace);
    if (!claim || !wantsVolume(claim)) return;
    const volume = volumeFor(claim, volumesDir);
    mkdirSync(volume.spec!.hostPath!.path, { recursive: true });
    try {
      await kube.core.createPersistentVolume({ body: volume });
      log(`provisioned ${volume.metadata!.name} (${volume.spec!.capacity!.storage}) for ${key} on ${claim.metadata!.annotations![SELECTED_NODE]}`);
    } catch (error) {
      if (!isConflict(error)) throw error; // made already (a repeated event)
    }
  }

  async function reclaim(name: string): Promise<void> {
    const volume = volumes.cache.get(name);
    if (!volume || !isReleasedStandinVolume(volume)) return;
    // The backing storage goes first, as a real provisioner releases it before removing the
    // object: whoever sees the PersistentVolume gone may rely on its data being gone too.
    const path = volume.spec?.hostPath?.path;
    if (path?.startsWith(volumesDir)) rmSync(path, { recursive: true, force: true });
    try {
      await kube.core.deletePersistentVolume({ name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    log(`deleted released volume ${name}`);
  }

  return {
    stop: async () => {
      claimQueue.stop();
      volumeQueue.stop();
      await Promise.all([claims.stop(), volumes.stop()]);
    },
  };
}

/** A volume this stand-in made whose claim is gone. */
function isReleasedStandinVolume(volume: V1PersistentVolume): boolean {
  return (
    volume.metadata?.annotations?.[PROVISIONED_BY] === STANDIN_PROVISIONER &&
    volume.spec?.persistentVolumeReclaimPolicy === "Delete" &&
    (volume.status?.phase === "Released" || volume.status?.phase === "Failed") &&
    !volume.metadata?.deletionTimestamp
  );
}
