// GET /api/teams/<team>/pods[?mine=1]: the team's SSH pods (session cookie or personal token).
import { getDb } from "@/lib/db";
import { listTeamPodsResponse } from "@/lib/api/pods";
import { watchPodSource } from "@/lib/pods/watch-source";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ teamId: string }> }): Promise<Response> {
  const db = await getDb();
  return listTeamPodsResponse(request, (await params).teamId, db, watchPodSource(db));
}
