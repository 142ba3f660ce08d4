// GET /metrics for Prometheus, served by server.ts before Next.js sees the request. Guarded:
// with MINICLOUD_METRICS_TOKEN set, only `Authorization: Bearer <token>` is answered; with
// MINICLOUD_METRICS=open it is answered to anyone who reaches the port (for installs where a
// NetworkPolicy admits only the scraper); otherwise it does not exist (404).
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Env } from "@/lib/env";
import { metrics } from "@/lib/observe/metrics";

export const METRICS_PATH = "/metrics";

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the request may read the metrics: 200, 401 (token wrong or missing) or 404 (off). */
export function metricsAccess(env: Pick<Env, "metrics">, authorization: string | undefined): 200 | 401 | 404 {
  if (env.metrics.kind === "off") return 404;
  if (env.metrics.kind === "open") return 200;
  const given = authorization?.match(/^Bearer (.+)$/)?.[1];
  return given && sameToken(given, env.metrics.token) ? 200 : 401;
}

/** Answers GET /metrics; other methods get 405. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, env: Pick<Env, "metrics">): Promise<void> {
  const access = metricsAccess(env, req.headers.authorization);
  if (access !== 200) {
    res.writeHead(access, access === 401 ? { "content-type": "text/plain", "www-authenticate": 'Bearer realm="minicloud metrics"' } : { "content-type": "text/plain" });
    res.end(access === 401 ? "A metrics token is required.\n" : "Not found.\n");
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  const { registry } = metrics();
  const body = await registry.metrics();
  res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
}
