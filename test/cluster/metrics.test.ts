// GET /metrics after real work: a server action creating an SSH pod (Kubernetes calls per
// cluster), an exec terminal session (open sessions, bytes), the shared pod watch (lists and
// events), a reconciler pass, and an HTTP request through the same wrapper server.ts uses. The
// endpoint answers only with the token; request ids reach the response and the logs.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { executeAction } from "@/lib/actions/define-action";
import { assignCluster } from "@/lib/clusters/assignments";
import { DEFAULT_SSH_IMAGE } from "@/lib/clusters/settings";
import { deleteSshPod } from "@/lib/pods/service";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";
import { DEFAULT_OPENERS } from "@/lib/console/gateway/terminal-routes";
import { handleObserved } from "@/lib/observe/http";
import { serveMetrics } from "@/lib/observe/metrics-endpoint";
import { currentRequestId } from "@/lib/observe/request-context";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { startReconciler } from "@/lib/workloads/reconciler";
import { createSshPodAction } from "@/app/(panel)/t/[teamId]/pods/actions";
import { callerFor, createOrgWithTeams, createUser } from "./cluster-fixtures";
import { insertLocalCluster, isRunningWithIp, test, uniqueName, useDatabase, waitFor } from "./helpers";
import { ORIGIN, open, sessionCookie, startGateway, type TestGateway } from "./terminal-client";

const TOKEN = "metrics-test-token-0123456789";

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).match(/^\{(.*)\}/)?.[1] ?? "";
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(line.split(" ").at(-1));
  }
  return undefined;
}

describe("metrics", () => {
  const db = useDatabase();
  let server: Server;
  let base = "";
  let gateway: TestGateway | undefined;
  const seenRequestIds: (string | undefined)[] = [];

  beforeAll(async () => {
    // The wrapper server.ts puts around every request, in front of /metrics and a stand-in page.
    server = createServer((req, res) =>
      handleObserved(req, res, () => {
        if (req.url === "/metrics") return void serveMetrics(req, res, { metrics: { kind: "token", token: TOKEN } });
        seenRequestIds.push(currentRequestId());
        res.writeHead(200).end("page");
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  test("the series an operator watches are there after real work, and only the token reads them", async ({ kc }) => {
    const scrape = async () => (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    // Counts are compared with a scrape before the work: the registry is the process's.
    const before = await scrape();
    const grew = (text: string, name: string, labels: Record<string, string>) => (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    const cluster = await insertLocalCluster(db(), uniqueName("metrics"));
    const { teams } = await createOrgWithTeams(db(), 1);
    const admin = await createUser(db(), { platformAdmin: true });
    const actor = { userId: admin.id, label: admin.email };
    const assignment = await assignCluster(db(), actor, { clusterId: cluster.id, teamId: teams[0]!.id, quota: { cpuMillicores: 2000, memoryMib: 2048, maxPods: 5, maxVms: null, storageGib: null } });
    const { result: pod } = await executeAction(createSshPodAction.definition, await callerFor(db(), admin), { teamId: teams[0]!.id, clusterId: cluster.id, name: uniqueName("m"), image: DEFAULT_SSH_IMAGE, cpuMillicores: "100", memoryMib: "128", homeGib: "", ttlMinutes: "" }, db());
    await waitFor<V1Pod>(kc, { apiVersion: "v1", kind: "Pod", namespace: assignment.namespace }, (pods) => pods.some(isRunningWithIp));

    gateway = await startGateway(db(), { idleTimeoutMs: 60_000, keepaliveMs: 25_000, recordingsDir: path.join(tmpdir(), uniqueName("rec")), hostId: hostname(), openers: DEFAULT_OPENERS });
    const { ticket } = await issueTerminalTicket(db(), (await loadPrincipal(db(), admin.id))!, { workloadId: pod.id, mode: "exec" });
    const client = await open(`${gateway.base}/ws/terminal?ticket=${ticket}`, { origin: ORIGIN, cookie: await sessionCookie(admin.id) });
    await client.waitForMessage("ready");
    const during = await scrape();
    expect(sample(during, "minicloud_console_sessions_open", { mode: "exec" })).toBeGreaterThanOrEqual(1);
    client.send("echo metered-$((6*7))\r");
    await client.waitForOutput(/metered-42/);
    client.ws.close();
    await client.closed;

    // The pod's deletion reaches the shared pod watch as events.
    await deleteSshPod(db(), actor, { teamId: teams[0]!.id, workloadId: pod.id });
    await waitFor<V1Pod>(kc, { apiVersion: "v1", kind: "Pod", namespace: assignment.namespace }, (pods) => pods.length === 0);
    await expect.poll(async () => grew(await scrape(), "minicloud_watch_events_total", { resource: "pods", type: "DELETED" }), { timeout: 10_000 }).toBeGreaterThan(0);

    const reconciler = startReconciler({ db: db(), holder: "metrics-test", intervalMs: 60_000, log: () => {} });
    await reconciler.stop();
    const page = await fetch(`${base}/t/${teams[0]!.id}/pods`, { headers: { "x-request-id": "proxy-given-id-1234" } });
    expect(page.headers.get("x-request-id")).toBe("proxy-given-id-1234");
    expect(seenRequestIds.at(-1)).toBe("proxy-given-id-1234");
    const odd = await fetch(`${base}/t/x`, { headers: { "x-request-id": "not a plain id; dropped" } });
    expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const text = await scrape();
    expect(grew(text, "minicloud_server_action_duration_seconds_count", { action: "pod.create", outcome: "ok" })).toBe(1);
    expect(sample(text, "minicloud_kube_call_duration_seconds_count", { cluster: cluster.id, verb: "create", outcome: "ok" })).toBeGreaterThanOrEqual(3);
    expect(grew(text, "minicloud_console_bytes_total", { mode: "exec", direction: "in" })).toBeGreaterThan(0);
    expect(grew(text, "minicloud_console_bytes_total", { mode: "exec", direction: "out" })).toBeGreaterThan(0);
    expect(sample(text, "minicloud_console_sessions_open", { mode: "exec" })).toBe((sample(during, "minicloud_console_sessions_open", { mode: "exec" }) ?? 0) - 1);
    expect(grew(text, "minicloud_watch_lists_total", { resource: "pods", relist: "false" })).toBeGreaterThanOrEqual(1);
    expect(grew(text, "minicloud_reconciler_passes_total", { outcome: "done" })).toBe(1);
    expect(sample(text, "minicloud_reconciler_findings", { finding: "drift" })).toBeGreaterThanOrEqual(0);
    // Ids in paths become :id; the page route is counted once with its status.
    expect(grew(text, "minicloud_http_request_duration_seconds_count", { method: "GET", route: "/t/:id/pods", status: "200" })).toBe(1);
    expect(sample(text, "minicloud_process_resident_memory_bytes", {})).toBeGreaterThan(0);

    // No token, a wrong one: refused, nothing of the metrics shown.
    for (const headers of [{}, { authorization: "Bearer wrong-token-wrong-token" }] as Record<string, string>[]) {
      const refused = await fetch(`${base}/metrics`, { headers });
      expect(refused.status).toBe(401);
      expect(await refused.text()).toBe("A metrics token is required.\n");
    }
  });
});
