// POST /api/teams/<team>/vms/<vm>/power { "operation": "start" | "stop" | "force-stop" | "restart" | "pause" | "unpause" }. See lib/api/vms.ts.
import { getDb } from "@/lib/db";
import { powerVmResponse } from "@/lib/api/vms";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ teamId: string; vmId: string }> }): Promise<Response> {
  const { teamId, vmId } = await params;
  return powerVmResponse(request, teamId, vmId, await getDb());
}
