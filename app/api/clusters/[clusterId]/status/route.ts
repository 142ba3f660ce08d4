// A cluster's status view as Server-Sent Events (nodes, pods per node, volumes as they change;
// the control plane's health every 10 s). Host clusters: platform admins; nested: their managers.
import { getDb } from "@/lib/db";
import { errorResponse } from "@/lib/api/responses";
import { authorizeStatusRoute } from "@/lib/status/route-access";
import { clusterStatusStream } from "@/lib/status/stream";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request, { params }: { params: Promise<{ clusterId: string }> }) {
  const { clusterId } = await params;
  const db = await getDb();
  try {
    await authorizeStatusRoute(db, clusterId);
  } catch (error) {
    return errorResponse(error);
  }
  return new Response(clusterStatusStream(db, clusterId, request.signal), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" },
  });
}
