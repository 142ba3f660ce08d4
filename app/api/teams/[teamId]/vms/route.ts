// GET /api/teams/<team>/vms[?mine=1]: the team's VMs; POST: create one (session cookie or personal token). See lib/api/vms.ts.
import { getDb } from "@/lib/db";
import { createVmResponse, listTeamVmsResponse } from "@/lib/api/vms";
import { watchVmSource } from "@/lib/vms/queries";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ teamId: string }> }): Promise<Response> {
  const db = await getDb();
  return listTeamVmsResponse(request, (await params).teamId, db, watchVmSource(db));
}

export async function POST(request: Request, { params }: { params: Promise<{ teamId: string }> }): Promise<Response> {
  return createVmResponse(request, (await params).teamId, await getDb());
}
