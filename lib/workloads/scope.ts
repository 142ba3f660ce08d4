// The workload scope: the team (and organization) that owns a workload row, for actions on an
// existing pod, VM or nested cluster. Taken from the database, never from the form.
import type { Scope } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { workloadOwner } from "@/lib/workloads/rows";

/** The scope of the workload `input.workloadId`; NotFound when there is no such row. */
export async function workloadScopeOf(db: Db, input: { workloadId: string }): Promise<Scope & { kind: "team" }> {
  const owner = await workloadOwner(db, input.workloadId);
  if (!owner) throw new NotFoundError("That pod, VM or cluster does not exist.");
  return { kind: "team", orgId: owner.orgId, teamId: owner.teamId };
}
