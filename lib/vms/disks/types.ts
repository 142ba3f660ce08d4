// A VM's disk made by CDI (a DataVolume): where its bytes come from, its size and its name.
// Plain, JSON-safe shapes, stored in the VM's `workloads.spec` and shown in the browser.
import type { GoldenImage } from "@/lib/clusters/vm-golden-images";

export type { GoldenImage };

/** Where a VM boots from: a container disk of the catalog, or a disk CDI fills from a URL, an upload or a golden image. */
export const BOOT_SOURCES = ["catalog", "url", "upload", "clone"] as const;
export type BootSource = (typeof BOOT_SOURCES)[number];

export const BOOT_SOURCE_LABELS: Record<BootSource, string> = {
  catalog: "Container disk from the catalog",
  url: "Import a disk image from a URL",
  upload: "Upload a disk image from your computer",
  clone: "Clone a golden image",
};

/** Where the disk's bytes come from. */
export type VmDiskSource = { type: "url"; url: string } | { type: "upload" } | { type: "clone"; golden: GoldenImage };

/** The disk made for a VM (stored in its spec). */
export interface VmDisk {
  source: VmDiskSource;
  /** Requested size of the disk, in GiB (what the team's storage quota counts). */
  sizeGib: number;
  /** The DataVolume (and, made by CDI, its PersistentVolumeClaim) holding it. */
  dataVolumeName: string;
}

/** Bounds of the disk size field. */
export const DISK_SIZE_GIB = { min: 1, max: 2048 } as const;

/** How a disk is described in lists: the URL (without its query, which may carry a signature), "uploaded disk image", or the golden image's label. */
export function describeDisk(disk: VmDisk): string {
  if (disk.source.type === "url") {
    const query = disk.source.url.indexOf("?");
    return query < 0 ? disk.source.url : `${disk.source.url.slice(0, query)}?…`;
  }
  if (disk.source.type === "upload") return "uploaded disk image";
  return `clone of ${disk.source.golden.label}`;
}

/** What the VM page shows of one of the VM's DataVolumes. */
export interface VmDiskProgress {
  dataVolumeName: string;
  source: VmDiskSource["type"];
  /** CDI's phase (ImportInProgress, UploadReady, Succeeded, …); "Missing" when the DataVolume is gone. */
  phase: string;
  /** 0–100 when CDI reports it, else null. */
  percent: number | null;
  /** The disk holds its bytes (phase Succeeded). */
  done: boolean;
  failed: boolean;
  /** An upload disk waiting for its bytes: the page offers the upload. */
  awaitingUpload: boolean;
  /** A failing condition's reason, in CDI's words (about the import, never the remote body). */
  problem: string | null;
}
