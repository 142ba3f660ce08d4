// GET /api/teams/<team>/pods/<pod>/logs[?tail=N]: the tail of the pod's sshd log (JSON: podName, text, truncated).
import { getDb } from "@/lib/db";
import { podLogsResponse } from "@/lib/api/pods";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ teamId: string; podId: string }> }): Promise<Response> {
  const { teamId, podId } = await params;
  return podLogsResponse(request, teamId, podId, await getDb());
}
