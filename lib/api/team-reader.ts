// Reads under a team's path (`/api/teams/<team>/…`): the caller, once `workloads:read` on that
// team is checked. A team the caller may not see is answered exactly like one that does not
// exist (404), and the refusal is audited as `action`.
import { authorize, type Caller } from "@/lib/access/deny";
import { callerFromRequest } from "@/lib/api/request-caller";
import type { Db } from "@/lib/db/client";
import { resolveTeamScope } from "@/lib/tenancy/principal";

/** The caller of `request` and the team it reads (its id as the database has it). */
export async function teamReader(request: Request, teamId: string, db: Db, action: string): Promise<Caller & { teamId: string }> {
  const caller = await callerFromRequest(request, db);
  const scope = await resolveTeamScope(db, teamId);
  await authorize(db, caller, { action, permission: "workloads:read", scope, notFound: "No such team." });
  return { ...caller, teamId: scope.teamId };
}
