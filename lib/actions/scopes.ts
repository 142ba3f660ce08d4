// Scope resolvers for action definitions: the owner comes from the database row, never the form.
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { isUuid } from "@/lib/db/ids";
import { teams, workloads } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import { resolveOrgScope, resolveTeamScope } from "@/lib/tenancy/principal";
import type { Scope } from "@/lib/auth/policy";

export const platformScope = async (): Promise<Scope> => ({ kind: "platform" });
export const teamScopeOf = (db: Db, input: { teamId: string }) => resolveTeamScope(db, input.teamId);
export const orgScopeOf = (db: Db, input: { orgId: string }) => resolveOrgScope(db, input.orgId);

/** The team (and org) owning a workload row, for actions on an existing pod or VM; NotFound when there is no such row. */
export async function workloadScopeOf(db: Db, input: { workloadId: string }): Promise<Scope & { kind: "team" }> {
  if (!isUuid(input.workloadId)) throw new NotFoundError("Not found.");
  const [row] = await db
    .select({ teamId: teams.id, orgId: teams.orgId })
    .from(workloads)
    .innerJoin(teams, eq(teams.id, workloads.teamId))
    .where(eq(workloads.id, input.workloadId));
  if (!row) throw new NotFoundError("Not found.");
  return { kind: "team", orgId: row.orgId, teamId: row.teamId };
}
