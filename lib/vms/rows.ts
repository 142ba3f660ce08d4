// The workload rows of VMs: every read is scoped by team (and kind), so a VM id of another
// team reads as "not found".
import type { Db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { VmSpec } from "@/lib/vms/types";
import { findTeamWorkload, type WorkloadRow } from "@/lib/workloads/rows";

/** A workload row of kind vm, with its spec typed. */
export type VmRow = Omit<WorkloadRow, "spec"> & { spec: VmSpec };

/** A workload row read as a VM's (its spec was written by createVm). */
export function asVmRow(row: WorkloadRow): VmRow {
  return { ...row, spec: row.spec as unknown as VmSpec };
}

/** The message for a VM that does not exist or that the caller may not know about. */
export const VM_NOT_FOUND = "No such VM.";

/** The row of one of the team's VMs; NotFound when missing. */
export async function requireVmRow(db: Db, teamId: string, workloadId: string): Promise<VmRow> {
  const row = await findTeamWorkload(db, teamId, "vm", workloadId);
  if (!row) throw new NotFoundError(VM_NOT_FOUND);
  return asVmRow(row);
}
