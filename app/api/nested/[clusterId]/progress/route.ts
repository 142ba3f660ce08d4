// A nested cluster's progress and health as Server-Sent Events, for its page: the steps while
// it is being created (as they change), then the live health every 5 s; a create that failed
// and was rolled back ends the stream with its reason.
import { getDb } from "@/lib/db";
import { errorResponse } from "@/lib/api/responses";
import { authorizeNestedRoute } from "@/lib/nested/route-access";
import { nestedProgressStream } from "@/lib/nested/progress";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request, { params }: { params: Promise<{ clusterId: string }> }) {
  const { clusterId } = await params;
  const db = await getDb();
  try {
    await authorizeNestedRoute(db, clusterId, "nested.read");
  } catch (error) {
    return errorResponse(error);
  }
  return new Response(nestedProgressStream(db, clusterId, request.signal), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" },
  });
}
