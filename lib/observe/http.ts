// What every HTTP request gets before Next.js (or /metrics) answers it: a request id (kept
// from a proxy's plain `x-request-id`, else new; sent back in the response), the async context
// that carries the id into logs and Kubernetes calls, and a duration in the metrics.
import type { IncomingMessage, ServerResponse } from "node:http";
import { moduleLogger } from "@/lib/observe/log";
import { metrics, routeLabel, secondsSince } from "@/lib/observe/metrics";
import { requestIdFrom, runInRequest } from "@/lib/observe/request-context";

const httpLog = moduleLogger("http");

/** Runs `handle` for the request inside its request context, measuring it when it finishes. */
export function handleObserved(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  res.setHeader("x-request-id", requestId);
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    // Unknown paths share one label: a scan of random URLs must not make a series each.
    const route = res.statusCode === 404 ? "(not found)" : req.headers["next-action"] ? "(server action)" : routeLabel(req.url);
    const seconds = secondsSince(started);
    metrics().httpRequestDuration.observe({ method: req.method ?? "GET", route, status: String(res.statusCode) }, seconds);
    httpLog.debug({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, "request");
  });
  runInRequest(requestId, handle);
}

/** Runs a websocket upgrade's handling inside a request context of its own. */
export function upgradeObserved(req: IncomingMessage, handle: () => void): void {
  runInRequest(requestIdFrom(req.headers["x-request-id"]), handle);
}
