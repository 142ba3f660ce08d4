// Who decides about a nested cluster: the organization of the team that owns it, read from the
// database (never from the request). A cluster that does not exist is "not found".
import type { Scope } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { requireNestedRow } from "@/lib/nested/rows";
import { resolveTeamScope } from "@/lib/tenancy/principal";

/** The org scope of nested cluster `clusterId`. */
export async function nestedClusterOrgScope(db: Db, input: { clusterId: string }): Promise<Scope & { kind: "org" }> {
  const row = await requireNestedRow(db, input.clusterId);
  const team = await resolveTeamScope(db, row.teamId);
  return { kind: "org", orgId: team.orgId };
}
