// What a new VM boots from, decided from the vetted form and the cluster's settings: a container
// disk of the catalog, or a disk CDI makes (from a URL whose host is vetted now, an upload, or a
// clone of a golden image the admin listed), with its size for the storage quota.
import { addressPolicy } from "@/lib/clusters/server-address";
import { ValidationError } from "@/lib/errors";
import type { TeamClusterContext } from "@/lib/workloads/cluster-context";
import { vetDiskUrl } from "@/lib/vms/disks/disk-url";
import { dataVolumeNameFor } from "@/lib/vms/disks/manifests";
import { describeDisk, type BootSource, type VmDisk } from "@/lib/vms/disks/types";
import { goldenImageKey } from "@/lib/clusters/vm-golden-images";

/** The vetted boot-source fields of a create request. */
export interface BootSourceRequest {
  bootSource: BootSource;
  image: string | null;
  diskUrl: string;
  goldenImage: string;
  diskSizeGib: number | null;
}

/** What the VM boots from: `image` as shown (the container disk, or the disk described), and the disk CDI makes (null for a container disk). */
export interface ResolvedBootSource {
  image: string;
  disk: VmDisk | null;
}

const refuse = (field: string, message: string): never => {
  throw new ValidationError("Please correct the highlighted fields.", { [field]: message });
};

/** Resolves the boot source of VM `vmName`; refuses (on the field) a container disk off the catalog, a URL the panel does not import from, a golden image not listed. */
export async function resolveBootSource(ctx: TeamClusterContext, request: BootSourceRequest, vmName: string): Promise<ResolvedBootSource> {
  if (request.bootSource === "catalog") {
    if (!request.image || !ctx.settings.vmImageCatalog.some((entry) => entry.image === request.image)) refuse("image", "Choose a disk image from this cluster's VM catalog.");
    return { image: request.image!, disk: null };
  }
  const base = { sizeGib: request.diskSizeGib!, dataVolumeName: dataVolumeNameFor(vmName) };
  let disk: VmDisk;
  if (request.bootSource === "url") {
    disk = { ...base, source: { type: "url", url: await vetDiskUrl(request.diskUrl, addressPolicy()) } };
  } else if (request.bootSource === "upload") {
    disk = { ...base, source: { type: "upload" } };
  } else {
    const golden = ctx.settings.vmGoldenImages.find((g) => goldenImageKey(g) === request.goldenImage);
    if (!golden) refuse("goldenImage", "Choose a golden image from this cluster's list.");
    disk = { ...base, source: { type: "clone", golden: { ...golden! } } };
  }
  return { image: describeDisk(disk), disk };
}

/** What the audit row records of the boot source: never a URL's path or query (they may carry a signature), only its origin. */
export function bootSourceAuditDetail(source: ResolvedBootSource): Record<string, unknown> {
  const disk = source.disk;
  if (!disk) return { bootSource: "catalog", image: source.image };
  const from = disk.source.type === "url" ? new URL(disk.source.url).origin : disk.source.type === "clone" ? goldenImageKey(disk.source.golden) : null;
  return { bootSource: disk.source.type, diskSizeGib: disk.sizeGib, dataVolume: disk.dataVolumeName, ...(from && { from }) };
}
