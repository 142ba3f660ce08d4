// The panel's Prometheus metrics (prom-client): HTTP requests and server actions, open
// terminals and consoles with their bytes, watch-cache lists and events, Kubernetes calls per
// cluster, and what the reconciler found. One registry per process on globalThis: server.ts and
// the Next.js bundle each load this module, and both must count into the same series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

// Seconds; from a fast page to a slow Kubernetes create.
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "minicloud_" }); // minicloud_process_*, minicloud_nodejs_*
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "minicloud_http_request_duration_seconds",
      help: "HTTP requests served, by method, route (ids replaced by :id) and status.",
      labelNames: ["method", "route", "status"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    serverActionDuration: new Histogram({
      name: "minicloud_server_action_duration_seconds",
      help: "Server actions (and the REST calls that run them), by action name and outcome (ok, refused, error).",
      labelNames: ["action", "outcome"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    consoleSessionsOpen: new Gauge({
      name: "minicloud_console_sessions_open",
      help: "Terminal and console sessions open on this replica, by mode (exec, ssh, tunnel, serial, vnc).",
      labelNames: ["mode"] as const,
      registers,
    }),
    consoleBytes: new Counter({
      name: "minicloud_console_bytes_total",
      help: "Bytes carried by terminal and console sessions, by mode and direction (in: from the browser, out: to it).",
      labelNames: ["mode", "direction"] as const,
      registers,
    }),
    watchLists: new Counter({
      name: "minicloud_watch_lists_total",
      help: "Full lists made by the shared watch caches, by resource; relist=true when a watch fell too far behind (410 Gone) or broke.",
      labelNames: ["resource", "relist"] as const,
      registers,
    }),
    watchEvents: new Counter({
      name: "minicloud_watch_events_total",
      help: "Watch events the shared watch caches received, by resource and type.",
      labelNames: ["resource", "type"] as const,
      registers,
    }),
    kubeCallDuration: new Histogram({
      name: "minicloud_kube_call_duration_seconds",
      help: "Kubernetes API calls, by cluster id, verb and outcome (ok, or the error kind: forbidden, not-found, conflict, invalid, unavailable, timeout).",
      labelNames: ["cluster", "verb", "outcome"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    reconcilerFindings: new Gauge({
      name: "minicloud_reconciler_findings",
      help: "What the reconciler's last pass on this replica found, by kind of finding (lost, orphans-removed, retrying, finished, cleaned-up, expired).",
      labelNames: ["finding"] as const,
      registers,
    }),
    reconcilerPasses: new Counter({
      name: "minicloud_reconciler_passes_total",
      help: "Reconciler passes run by this replica, by outcome.",
      labelNames: ["outcome"] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const holder = globalThis as { __minicloudMetrics?: Metrics };

/** The process's metrics. */
export function metrics(): Metrics {
  return (holder.__minicloudMetrics ??= createMetrics());
}

/** Seconds elapsed since `startedNs` (process.hrtime.bigint()). */
export function secondsSince(startedNs: bigint): number {
  return Number(process.hrtime.bigint() - startedNs) / 1e9;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * A low-cardinality route label for a request path: ids become `:id`, the query goes, build
 * assets collapse into one label each.
 */
export function routeLabel(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0]!;
  if (path.startsWith("/_next/static/")) return "/_next/static";
  if (path.startsWith("/_next/image")) return "/_next/image";
  return path.replace(UUID, ":id").replace(/\/\d+(?=\/|$)/g, "/:n").slice(0, 120) || "/";
}
