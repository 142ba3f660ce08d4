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
  const observe = (status: number) => {
    // Unknown paths share one label: a scan of random URLs must not make a series each.
    const route = status === 404 ? "(not found)" : req.headers["next-action"] ? "(server action)" : routeLabel(req.url);
    const seconds = secondsSince(started);
    metrics().httpRequestDuration.observe({ method: req.method ?? "GET", route, status: String(status) }, seconds);
    httpLog.debug({ method: req.method, route, status, ms: Math.round(seconds * 1000) }, "request");
  };
  answeredElsewhere.set(res, observe);
  res.on("finish", () => observe(res.statusCode));
  runInRequest(requestId, handle);
}

const answeredElsewhere = new WeakMap<ServerResponse, (status: number) => void>();

/** Measures a request whose answer another process wrote on its connection (a disk upload: lib/vms/disks/upload/relay.ts). */
export function observeAnsweredElsewhere(res: ServerResponse, status: number): void {
  answeredElsewhere.get(res)?.(status);
  answeredElsewhere.delete(res);
}

/** Runs a websocket upgrade's handling inside a request context of its own. */
export function upgradeObserved(req: IncomingMessage, handle: () => void): void {
  runInRequest(requestIdFrom(req.headers["x-request-id"]), handle);
}
