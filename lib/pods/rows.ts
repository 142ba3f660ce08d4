// The workload rows of SSH pods: every read is scoped by team (and kind), so a pod id of
// another team reads as "not found".
import type { Db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { SshPodSpec } from "@/lib/pods/types";
import { findTeamWorkload, type WorkloadRow } from "@/lib/workloads/rows";

/** A workload row of kind ssh-pod, with its spec typed. */
export type SshPodRow = Omit<WorkloadRow, "spec"> & { spec: SshPodSpec };

/** A workload row read as an SSH pod's (its spec was written by createSshPod). */
export function asSshPodRow(row: WorkloadRow): SshPodRow {
  return { ...row, spec: row.spec as unknown as SshPodSpec };
}

/** The message for a pod that does not exist or that the caller may not know about. */
export const POD_NOT_FOUND = "No such SSH pod.";

/** The row of one of the team's SSH pods, or null. */
export async function findSshPodRow(db: Db, teamId: string, workloadId: string): Promise<SshPodRow | null> {
  const row = await findTeamWorkload(db, teamId, "ssh-pod", workloadId);
  return row ? asSshPodRow(row) : null;
}

/** Like findSshPodRow, but NotFound when missing. */
export async function requireSshPodRow(db: Db, teamId: string, workloadId: string): Promise<SshPodRow> {
  const row = await findSshPodRow(db, teamId, workloadId);
  if (!row) throw new NotFoundError(POD_NOT_FOUND);
  return row;
}
