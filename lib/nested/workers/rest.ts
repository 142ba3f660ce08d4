// The worker pool over REST, for scripts with a personal token as for the browser:
// `GET /api/nested/<id>/workers` answers the pool as JSON (or, asked for `text/event-stream`,
// the live stream the cluster page reads); `PUT` with `{ "size": n }` scales it with the page's
// authority (`nested:manage`), validation and audit.
import { authorize, type Caller } from "@/lib/access/deny";
import { callerFromRequest } from "@/lib/api/request-caller";
import { errorResponse, jsonResponse } from "@/lib/api/responses";
import type { Db } from "@/lib/db/client";
import { ValidationError } from "@/lib/errors";
import { nestedClusterOrgScope } from "@/lib/nested/scope";
import { workerPoolStream } from "@/lib/nested/workers/live";
import { getWorkerPool, scaleWorkerPool } from "@/lib/nested/workers/pool";

async function poolCaller(request: Request, clusterId: string, db: Db, action: string): Promise<Caller> {
  const caller = await callerFromRequest(request, db);
  // A malformed id is "not found" (requireNestedRow checks it before any lookup).
  const scope = await nestedClusterOrgScope(db, { clusterId });
  await authorize(db, caller, { action, permission: "nested:manage", scope, notFound: "No such nested cluster." });
  return caller;
}

export async function workerPoolResponse(request: Request, clusterId: string, db: Db): Promise<Response> {
  try {
    await poolCaller(request, clusterId, db, "nested.workers.read");
    if ((request.headers.get("accept") ?? "").includes("text/event-stream")) {
      return new Response(workerPoolStream(db, clusterId, request.signal), {
        headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" },
      });
    }
    return jsonResponse({ pool: await getWorkerPool(db, clusterId) });
  } catch (error) {
    return errorResponse(error);
  }
}

export async function scaleWorkerPoolResponse(request: Request, clusterId: string, db: Db): Promise<Response> {
  try {
    const caller = await poolCaller(request, clusterId, db, "nested.workers.scale");
    const body = (await request.json().catch(() => {
      throw new ValidationError("Send a JSON object such as {\"size\": 3}.");
    })) as unknown;
    const size = body !== null && typeof body === "object" ? (body as { size?: unknown }).size : undefined;
    return jsonResponse(await scaleWorkerPool(db, caller.actor!, { clusterId, size: size as number }));
  } catch (error) {
    return errorResponse(error);
  }
}
