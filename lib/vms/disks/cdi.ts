// CDI's objects as the panel reads and writes them: API coordinates, the DataVolume fields used,
// and named selectors for its phase and progress. Pure.
import type { KubernetesObject } from "@kubernetes/client-node";

/** `cdi.kubevirt.io/v1beta1`: DataVolume, CDIConfig. */
export const CDI = { group: "cdi.kubevirt.io", version: "v1beta1", dataVolumes: "datavolumes", cdiConfigs: "cdiconfigs" } as const;
/** `upload.cdi.kubevirt.io/v1beta1`: UploadTokenRequest (served by cdi-apiserver). */
export const CDI_UPLOAD = { group: "upload.cdi.kubevirt.io", version: "v1beta1", tokenRequests: "uploadtokenrequests" } as const;
/** Where CDI publishes the CA that signed its upload proxy's certificate. */
export const UPLOAD_PROXY_CA = { namespace: "cdi", name: "cdi-uploadproxy-signer-bundle", key: "ca-bundle.crt" } as const;

/** A DataVolume's phase (CDI's names). */
export type DataVolumePhase =
  | "Pending"
  | "PVCBound"
  | "WaitForFirstConsumer"
  | "PendingPopulation"
  | "ImportScheduled"
  | "ImportInProgress"
  | "CloneScheduled"
  | "CloneInProgress"
  | "CSICloneInProgress"
  | "SnapshotForSmartCloneInProgress"
  | "UploadScheduled"
  | "UploadReady"
  | "Succeeded"
  | "Failed"
  | "Paused"
  | "Unknown";

interface DataVolumeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A DataVolume, the fields the panel reads. */
export interface DataVolume extends KubernetesObject {
  spec?: {
    source?: { http?: { url?: string }; upload?: object; pvc?: { namespace?: string; name?: string }; blank?: object };
    storage?: { resources?: { requests?: { storage?: string } }; storageClassName?: string };
  };
  status?: { phase?: DataVolumePhase | string; progress?: string; restartCount?: number; claimName?: string; conditions?: DataVolumeCondition[] };
}

/** CDIConfig `config`: where the upload proxy is published. */
export interface CdiConfig extends KubernetesObject {
  status?: { uploadProxyURL?: string };
}

/** The DataVolume's phase, or "Unknown" before CDI wrote one. */
export const dataVolumePhaseOf = (dv: DataVolume): string => dv.status?.phase || "Unknown";

/** `"45.20%"` → 45.2; "N/A", missing or malformed → null. */
export function progressPercent(progress: string | undefined): number | null {
  const match = /^(\d{1,3}(?:\.\d+)?)%$/.exec(progress?.trim() ?? "");
  if (!match) return null;
  const n = Number(match[1]);
  return n >= 0 && n <= 100 ? n : null;
}
