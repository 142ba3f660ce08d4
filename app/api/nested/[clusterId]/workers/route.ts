// A nested cluster's worker pool as Server-Sent Events: sent again whenever its workers' VMs or
// the nested cluster's Nodes change (watched), for the cluster page's pool table.
import { getDb } from "@/lib/db";
import { toUserError } from "@/lib/errors";
import { authorizeNestedRoute } from "@/lib/nested/route-access";
import { workerPoolStream } from "@/lib/nested/workers/live";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request, { params }: { params: Promise<{ clusterId: string }> }) {
  const { clusterId } = await params;
  const db = await getDb();
  try {
    await authorizeNestedRoute(db, clusterId, "nested.workers.read");
  } catch (error) {
    const userError = toUserError(error);
    return Response.json({ error: userError.message }, { status: userError.code === "unauthenticated" ? 401 : 404 });
  }
  return new Response(workerPoolStream(db, clusterId, request.signal), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" },
  });
}
