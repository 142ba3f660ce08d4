// The DataVolume of a VM's disk and the VM's boot volume that uses it. A standalone DataVolume
// (what `virtctl image-upload` makes too), referenced from the VM by a `dataVolume` volume: it
// exists before the VM (an upload can start as soon as CDI is ready for it), and it is not owned
// by the VM, so a delete can keep it when the user asks. Pure: no API calls.
import { CDI, type DataVolume } from "@/lib/vms/disks/cdi";
import type { VmDisk } from "@/lib/vms/disks/types";

/** What the DataVolume's metadata needs: where, our labels, its owner's address. */
export interface DiskObjectsContext {
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The cluster's storage class for VM disks (its default when null). */
  storageClass: string | null;
}

/**
 * Asks CDI to bind an upload disk's claim at once (what `virtctl image-upload --force-bind`
 * sets): on a WaitForFirstConsumer storage class the claim would otherwise wait for the VM's pod,
 * and a VM that is not started would wait for its image forever.
 */
export const IMMEDIATE_BIND_ANNOTATION = "cdi.kubevirt.io/storage.bind.immediate.requested";

/** The name of the DataVolume made for VM `vmName`. */
export const dataVolumeNameFor = (vmName: string): string => `${vmName}-disk`;

/** The DataVolume: CDI fills it from the URL, from an upload, or by cloning the golden image's claim. */
export function dataVolume(ctx: DiskObjectsContext, disk: VmDisk): DataVolume & { spec: object } {
  const source =
    disk.source.type === "url" ? { http: { url: disk.source.url } } : disk.source.type === "upload" ? { upload: {} } : { pvc: { namespace: disk.source.golden.namespace, name: disk.source.golden.name } };
  return {
    apiVersion: `${CDI.group}/${CDI.version}`,
    kind: "DataVolume",
    metadata: {
      name: disk.dataVolumeName,
      namespace: ctx.namespace,
      labels: ctx.labels,
      annotations: { ...ctx.annotations, ...(disk.source.type === "upload" ? { [IMMEDIATE_BIND_ANNOTATION]: "true" } : {}) },
    },
    spec: {
      source,
      // `storage` (not `pvc`): CDI fills in access and volume modes from the storage profile.
      storage: { resources: { requests: { storage: `${disk.sizeGib}Gi` } }, ...(ctx.storageClass ? { storageClassName: ctx.storageClass } : {}) },
    },
  };
}

/** The VM's boot volume: its DataVolume, or the container disk when it has none. */
export function bootVolume(spec: { image: string; disk?: VmDisk | null }): Record<string, unknown> {
  if (spec.disk) return { name: "boot", dataVolume: { name: spec.disk.dataVolumeName } };
  return { name: "boot", containerDisk: { image: spec.image, imagePullPolicy: "IfNotPresent" } };
}
