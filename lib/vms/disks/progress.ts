// How far a VM's disk is: CDI's phase and progress of its DataVolume, as the VM page shows it
// (and the live VM page can, from a watched DataVolume: `dataVolumeProgress` is pure).
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { workloadClusterContext } from "@/lib/workloads/cluster-context";
import { dataVolumePhaseOf, progressPercent, type DataVolume } from "@/lib/vms/disks/cdi";
import { readDataVolume } from "@/lib/vms/disks/objects";
import type { VmDisk, VmDiskProgress } from "@/lib/vms/disks/types";
import { requireVmRow, type VmRow } from "@/lib/vms/rows";

/** The progress of `disk` from its DataVolume as the cluster holds it (null: gone). */
export function dataVolumeProgress(disk: VmDisk, dv: DataVolume | null | undefined): VmDiskProgress {
  const phase = dv ? dataVolumePhaseOf(dv) : "Missing";
  const done = phase === "Succeeded";
  const failed = phase === "Failed";
  const percent = done ? 100 : dv ? progressPercent(dv.status?.progress) : null;
  const awaitingUpload = disk.source.type === "upload" && !done && !failed && (phase === "Missing" || ["Unknown", "Pending", "UploadScheduled", "UploadReady", "WaitForFirstConsumer", "PendingPopulation", "PVCBound"].includes(phase));
  const failing = dv?.status?.conditions?.find((c) => (c.type === "Running" && c.status === "False" && c.reason === "Error") || (c.type === "Bound" && c.status === "False" && c.reason?.startsWith("Err")));
  const problem = failing ? (failing.reason === "ErrExceededQuota" ? "The team's storage quota does not leave room for this disk." : `The last attempt failed (${dv?.status?.restartCount ?? 0} so far): ${failing.message ?? failing.reason}`) : null;
  return { dataVolumeName: disk.dataVolumeName, source: disk.source.type, phase, percent, done, failed, awaitingUpload, problem };
}

/** The VM's disk progress read from the cluster now; null when it boots a container disk; `{ error }` when the cluster did not answer. */
export async function readVmDiskProgress(db: Db, row: VmRow): Promise<VmDiskProgress | { error: string } | null> {
  const disk = row.spec.disk;
  if (!disk) return null;
  try {
    const ctx = await workloadClusterContext(db, row);
    return dataVolumeProgress(disk, await readDataVolume(ctx, disk.dataVolumeName));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { error: error.message };
  }
}

/** The page's read: the disk progress of one of the team's VMs (NotFound for another team's), and its size. */
export async function getVmDiskProgress(db: Db, teamId: string, workloadId: string): Promise<{ progress: VmDiskProgress | { error: string }; sizeGib: number } | null> {
  const row = await requireVmRow(db, teamId, workloadId);
  const progress = await readVmDiskProgress(db, row);
  return progress && row.spec.disk ? { progress, sizeGib: row.spec.disk.sizeGib } : null;
}
