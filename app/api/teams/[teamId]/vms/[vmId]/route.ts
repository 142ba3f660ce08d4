// GET /api/teams/<team>/vms/<vm>: one VM (status, conditions, …); DELETE: delete it. See lib/api/vms.ts.
import { getDb } from "@/lib/db";
import { deleteVmResponse, vmResponse } from "@/lib/api/vms";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ teamId: string; vmId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { teamId, vmId } = await params;
  return vmResponse(request, teamId, vmId, await getDb());
}

export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { teamId, vmId } = await params;
  return deleteVmResponse(request, teamId, vmId, await getDb());
}
