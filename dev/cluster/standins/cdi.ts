// The slice of the CDI API the stand-ins read and write.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Condition } from "./kubevirt";

export const cdiGroup = "cdi.kubevirt.io";
export const cdiVersion = "v1beta1";
export const dataVolumePlural = "datavolumes";
export const cdiConfigPlural = "cdiconfigs";
export const uploadGroup = "upload.cdi.kubevirt.io";
export const uploadVersion = "v1beta1";

export type DataVolumePhase =
  | "Pending"
  | "UploadScheduled"
  | "UploadReady"
  | "ImportScheduled"
  | "ImportInProgress"
  | "CloneScheduled"
  | "CloneInProgress"
  | "Succeeded"
  | "Failed";

export interface DataVolume extends KubernetesObject {
  spec?: {
    source?: Record<string, unknown> & { upload?: object; blank?: object; pvc?: object; snapshot?: object };
    sourceRef?: object;
  };
  status?: {
    phase?: DataVolumePhase;
    progress?: string;
    claimName?: string;
    restartCount?: number;
    conditions?: Condition[];
  };
}

/** How a DataVolume gets its content, which decides the phases it walks through. */
export type DataVolumeFlow = "upload" | "import" | "clone" | "blank";

export function dataVolumeFlow(dv: DataVolume): DataVolumeFlow {
  const source = dv.spec?.source ?? {};
  if (source.upload) return "upload";
  if (source.blank) return "blank";
  if (source.pvc || source.snapshot || dv.spec?.sourceRef) return "clone";
  return "import";
}

export const dataVolumePhase = (dv: DataVolume | undefined): DataVolumePhase | undefined => dv?.status?.phase;
