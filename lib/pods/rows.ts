// The workload rows of SSH pods: every read is scoped by team (and kind), so a pod id of
// another team reads as "not found".
import { and, eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { workloads } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import type { SshPodSpec } from "@/lib/pods/types";

/** A workload row of kind ssh-pod, with its spec typed. */
export type SshPodRow = Omit<typeof workloads.$inferSelect, "spec"> & { spec: SshPodSpec };

/** A workload row read as an SSH pod's (its spec was written by createSshPod). */
export function asSshPodRow(row: typeof workloads.$inferSelect): SshPodRow {
  return { ...row, spec: row.spec as unknown as SshPodSpec };
}

/** The message for a pod that does not exist or that the caller may not know about. */
export const POD_NOT_FOUND = "No such SSH pod.";

/** The row of one of the team's SSH pods, or null. */
export async function findSshPodRow(db: Db, teamId: string, workloadId: string): Promise<SshPodRow | null> {
  if (!isUuid(workloadId) || !isUuid(teamId)) return null;
  const [row] = await db
    .select()
    .from(workloads)
    .where(and(eq(workloads.id, workloadId), eq(workloads.teamId, teamId), eq(workloads.kind, "ssh-pod")));
  return row ? asSshPodRow(row) : null;
}

/** Like findSshPodRow, but NotFound when missing. */
export async function requireSshPodRow(db: Db, teamId: string, workloadId: string): Promise<SshPodRow> {
  const row = await findSshPodRow(db, teamId, workloadId);
  if (!row) throw new NotFoundError(POD_NOT_FOUND);
  return row;
}
