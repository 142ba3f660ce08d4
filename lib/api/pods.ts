// The REST view of a team's SSH pods (`GET /api/teams/<team>/pods[?mine=1]`), for the browser's
// React Query list and for scripts with a personal token. A team the caller may not see is
// answered exactly like a team that does not exist: 404 (and the refusal is audited).
import { errorResponse, jsonResponse } from "@/lib/api/responses";
import { teamReader } from "@/lib/api/team-reader";
import type { Db } from "@/lib/db/client";
import { listTeamSshPods, readSshPodLogs, type PodSource } from "@/lib/pods/queries";

/** Answers the list request for `teamId`: `{ pods: SshPodView[] }`. */
export async function listTeamPodsResponse(request: Request, teamId: string, db: Db, podSource?: PodSource): Promise<Response> {
  try {
    const reader = await teamReader(request, teamId, db, "pod.list");
    const mine = new URL(request.url).searchParams.get("mine");
    const pods = await listTeamSshPods(db, reader.teamId, { mine: mine === "1" || mine === "true" ? reader.actor.userId : undefined, podSource });
    return jsonResponse({ pods });
  } catch (error) {
    return errorResponse(error);
  }
}

/** Answers `GET /api/teams/<team>/pods/<pod>/logs[?tail=N]`: the tail of the pod's sshd log (`SshPodLogs` as JSON). */
export async function podLogsResponse(request: Request, teamId: string, workloadId: string, db: Db): Promise<Response> {
  try {
    const reader = await teamReader(request, teamId, db, "pod.logs");
    const tail = Number(new URL(request.url).searchParams.get("tail") ?? "");
    const logs = await readSshPodLogs(db, reader.teamId, workloadId, { tailLines: Number.isInteger(tail) && tail > 0 ? tail : undefined });
    return jsonResponse(logs);
  } catch (error) {
    return errorResponse(error);
  }
}
