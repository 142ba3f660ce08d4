// The REST view of a team's SSH pods (`GET /api/teams/<team>/pods[?mine=1]`), for the browser's
// React Query list and for scripts with a personal token. A team the caller may not see is
// answered exactly like a team that does not exist: 404.
import { callerFromRequest } from "@/lib/api/request-caller";
import { errorResponse, jsonResponse } from "@/lib/api/responses";
import { can } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { listTeamSshPods, readSshPodLogs, type PodSource } from "@/lib/pods/queries";
import { resolveTeamScope } from "@/lib/tenancy/principal";

/** Answers the list request for `teamId`: `{ pods: SshPodView[] }`. */
export async function listTeamPodsResponse(request: Request, teamId: string, db: Db, podSource?: PodSource): Promise<Response> {
  try {
    const caller = await callerFromRequest(request, db);
    const scope = await resolveTeamScope(db, teamId);
    if (!can(caller.principal, "team:read", scope)) throw new NotFoundError("No such team.");
    if (!can(caller.principal, "workloads:read", scope)) throw new ForbiddenError();
    const mine = new URL(request.url).searchParams.get("mine");
    const pods = await listTeamSshPods(db, scope.teamId, { mine: mine === "1" || mine === "true" ? caller.actor.userId : undefined, podSource });
    return jsonResponse({ pods });
  } catch (error) {
    return errorResponse(error);
  }
}

/** Answers `GET /api/teams/<team>/pods/<pod>/logs[?tail=N]`: the tail of the pod's sshd log (`SshPodLogs` as JSON). */
export async function podLogsResponse(request: Request, teamId: string, workloadId: string, db: Db): Promise<Response> {
  try {
    const caller = await callerFromRequest(request, db);
    const scope = await resolveTeamScope(db, teamId);
    if (!can(caller.principal, "team:read", scope)) throw new NotFoundError("No such team.");
    if (!can(caller.principal, "workloads:read", scope)) throw new ForbiddenError();
    const tail = Number(new URL(request.url).searchParams.get("tail") ?? "");
    const logs = await readSshPodLogs(db, scope.teamId, workloadId, { tailLines: Number.isInteger(tail) && tail > 0 ? tail : undefined });
    return jsonResponse(logs);
  } catch (error) {
    return errorResponse(error);
  }
}
