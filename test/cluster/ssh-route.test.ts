// The ssh route per cluster: with "direct" (the panel inside the cluster's network) browser ssh
// and the laptop tunnel dial the pod's address instead of opening a port-forward; with the
// default route outside a cluster they use the port-forward and never dial. Pod addresses from
// the local control plane's simulated nodes lead nowhere, so the test injects the dial path: it
// records the address asked for and connects to the harness's sshd, which stands in for every
// pod's.
import { appendFileSync } from "node:fs";
import { connect } from "node:net";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, inject } from "vitest";
import { assignCluster } from "@/lib/clusters/assignments";
import { DEFAULT_SSH_IMAGE } from "@/lib/clusters/settings";
import { DEFAULT_OPENERS } from "@/lib/console/gateway/terminal-routes";
import { issueTerminalTicket } from "@/lib/console/gateway/tickets";
import { workloads } from "@/lib/db/schema";
import { createSshPod } from "@/lib/pods/service";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { createOrgWithTeams, createUser } from "./cluster-fixtures";
import { insertLocalCluster, isRunningWithIp, test, uniqueName, useDatabase, waitFor } from "./helpers";
import { ORIGIN, open, sessionCookie, startGateway, type TestGateway } from "./terminal-client";

describe("ssh route", () => {
  const db = useDatabase();
  const gateways: TestGateway[] = [];
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
  });

  async function podOn(route: "direct" | "auto", kc: KubeConfig) {
    const cluster = await insertLocalCluster(db(), uniqueName(`route-${route}`), { sshRoute: route });
    const { teams } = await createOrgWithTeams(db(), 1);
    const admin = await createUser(db(), { platformAdmin: true });
    const actor = { userId: admin.id, label: admin.email };
    const assignment = await assignCluster(db(), actor, { clusterId: cluster.id, teamId: teams[0]!.id, quota: { cpuMillicores: 2000, memoryMib: 2048, maxPods: 5, maxVms: null, storageGib: null } });
    const pod = await createSshPod(db(), actor, { teamId: teams[0]!.id, clusterId: cluster.id, name: uniqueName("r"), image: DEFAULT_SSH_IMAGE, cpuMillicores: "100", memoryMib: "128", homeGib: "", ttlMinutes: "" });
    const [running] = await waitFor<V1Pod>(kc, { apiVersion: "v1", kind: "Pod", namespace: assignment.namespace }, (pods) => pods.some(isRunningWithIp));
    // The harness's one sshd answers for every pod, as its own user, with the panel's key.
    appendFileSync(inject("cluster").sshd.authorizedKeysPath, `${(await getPanelTerminalKey(db())).publicKey}\n`);
    const [row] = await db().select().from(workloads).where(eq(workloads.id, pod.id));
    await db().update(workloads).set({ spec: { ...row!.spec, loginUser: inject("cluster").sshd.user } }).where(eq(workloads.id, pod.id));
    return { admin, pod, podIp: running!.status!.podIP! };
  }

  async function gatewayDialing(dialed: string[]) {
    const dial = (host: string, port: number) =>
      new Promise<Duplex>((resolve, reject) => {
        dialed.push(`${host}:${port}`);
        const socket = connect({ host: "127.0.0.1", port: inject("cluster").sshd.port }, () => resolve(socket));
        socket.once("error", reject);
      });
    const gateway = await startGateway(db(), { idleTimeoutMs: 60_000, keepaliveMs: 25_000, recordingsDir: path.join(tmpdir(), uniqueName("rec")), hostId: hostname(), openers: DEFAULT_OPENERS, dial });
    gateways.push(gateway);
    return gateway;
  }

  async function sshEcho(gateway: TestGateway, adminId: string, workloadId: string) {
    const { ticket } = await issueTerminalTicket(db(), (await loadPrincipal(db(), adminId))!, { workloadId, mode: "ssh" });
    const client = await open(`${gateway.base}/ws/terminal?ticket=${ticket}`, { origin: ORIGIN, cookie: await sessionCookie(adminId) });
    await client.waitForMessage("ready");
    client.send("echo routed-$((40+2))\r");
    await client.waitForOutput(/routed-42/);
    client.ws.close();
    await client.closed;
  }

  test("direct: browser ssh dials the pod's own address, port 22", async ({ kc }) => {
    const { admin, pod, podIp } = await podOn("direct", kc);
    const dialed: string[] = [];
    await sshEcho(await gatewayDialing(dialed), admin.id, pod.id);
    expect(dialed).toEqual([`${podIp}:22`]);
  });

  test("auto outside a cluster: browser ssh goes through the port-forward and never dials", async ({ kc }) => {
    const { admin, pod } = await podOn("auto", kc);
    const dialed: string[] = [];
    await sshEcho(await gatewayDialing(dialed), admin.id, pod.id);
    expect(dialed).toEqual([]);
  });
});
