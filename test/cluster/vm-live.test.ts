// Live VM status on the real API server with a real guest: one VM watch cache per cluster (a
// VM list and a VMI list, then one watch each, however many viewers and page loads); a member
// of team A hears their new VM go Starting → Running (address, node, boot time, the instance's
// Ready condition) and then Stopped, and hears VMs appear and disappear; a member of team B
// hears none of it; the team's list read from the cache agrees with the cluster.
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { Principal } from "@/lib/auth/policy";
import { assignCluster } from "@/lib/clusters/assignments";
import type { Db } from "@/lib/db";
import { LiveHub, type LiveSubscriber } from "@/lib/live/hub";
import type { LiveMessage, VmMessage } from "@/lib/live/messages";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { KUBEVIRT, type VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { listTeamVms, watchVmSource } from "@/lib/vms/queries";
import { createVm, deleteVm, operateVm } from "@/lib/vms/service";
import { stopAllVmWatchCaches, vmWatchCacheFor } from "@/lib/vms/watch-cache";
import { createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { adminKubeConfig, insertLocalCluster, test, uniqueName, useDatabase, waitFor } from "./helpers";

const DISK = "quay.io/kubevirt/cirros-container-disk-demo:latest";

/** A subscriber that records what it hears and lets the test wait for a message. */
function listener(db: Db, principal: Principal) {
  const heard: LiveMessage[] = [];
  const waiters: Array<{ match: (m: LiveMessage) => boolean; resolve: (m: LiveMessage) => void }> = [];
  const subscriber: LiveSubscriber = {
    principal,
    send(message) {
      heard.push(message);
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(message)) waiter.resolve(message);
        else waiters.push(waiter);
      }
    },
    refresh: () => loadPrincipal(db, principal.userId),
    close: () => {},
  };
  return {
    subscriber,
    heard,
    until(match: (m: LiveMessage) => boolean, what: string, timeoutMs = 90_000): Promise<LiveMessage> {
      const seen = heard.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; heard ${JSON.stringify(heard.map((m) => (m.type === "vm" ? m.runtime.printableStatus : m.type)))}`)), timeoutMs);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

const vmStatus = (workloadId: string, status: string) => (m: LiveMessage) => m.type === "vm" && m.workloadId === workloadId && m.runtime.printableStatus === status;

describe("live VM status", () => {
  const db = useDatabase();
  const kc = adminKubeConfig();
  let hub: LiveHub;
  const world = {} as { clusterId: string; teamA: string; teamB: string; namespaceA: string; alice: { id: string; email: string }; bob: { id: string; email: string } };

  beforeAll(async () => {
    const cluster = await insertLocalCluster(db(), uniqueName("vm-live"), { vmImageCatalog: [{ label: "CirrOS", image: DISK }] });
    const { orgId, teams } = await createOrgWithTeams(db(), 2);
    const admin = await createUser(db(), { platformAdmin: true });
    const alice = await createUser(db());
    const bob = await createUser(db());
    await grant(db(), alice.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "member" });
    await grant(db(), bob.id, { orgId, orgRole: "member", teamId: teams[1]!.id, teamRole: "viewer" });
    const quota = { cpuMillicores: 4000, memoryMib: 8192, maxPods: 10, maxVms: null, storageGib: null };
    const assignment = await assignCluster(db(), { userId: admin.id, label: admin.email }, { clusterId: cluster.id, teamId: teams[0]!.id, quota });
    await assignCluster(db(), { userId: admin.id, label: admin.email }, { clusterId: cluster.id, teamId: teams[1]!.id, quota });
    Object.assign(world, { clusterId: cluster.id, teamA: teams[0]!.id, teamB: teams[1]!.id, namespaceA: assignment.namespace, alice, bob });
    hub = new LiveHub(db(), { batchMs: 20, placementTtlMs: 0, log: () => {} });
  });

  afterAll(() => {
    hub?.stop();
    stopAllVmWatchCaches();
  });

  test("team A hears its VM start, run and stop; team B hears nothing; one watch per resource serves every viewer and list", async () => {
    const alice = listener(db(), (await loadPrincipal(db(), world.alice.id))!);
    const bob = listener(db(), (await loadPrincipal(db(), world.bob.id))!);
    const unsubscribe = [hub.subscribe(alice.subscriber), hub.subscribe(bob.subscriber)];
    await hub.rescan();
    const cache = await vmWatchCacheFor(db(), world.clusterId);
    await cache.ready(30_000);
    expect(hub.watchedVmClusterIds()).toContain(world.clusterId);

    const actor = { userId: world.alice.id, label: world.alice.email };
    const created = await createVm(db(), actor, { teamId: world.teamA, clusterId: world.clusterId, name: uniqueName("live"), image: DISK, runStrategy: "Always", size: null, cpuCores: 1, memoryMib: 256, cloudInit: "" });
    await alice.until((m) => m.type === "vms-changed" && m.teamId === world.teamA, "vms-changed on create");
    await alice.until(vmStatus(created.id, "Starting"), "Starting");
    const running = (await alice.until(vmStatus(created.id, "Running"), "Running")) as VmMessage;
    const [vmi] = await waitFor<VirtualMachineInstance>(kc, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace: world.namespaceA, fieldSelector: `metadata.name=${created.name}` }, (items) => items[0]?.status?.phase === "Running");
    expect(running.runtime).toMatchObject({ phase: "Running", ip: vmi!.status!.interfaces![0]!.ipAddress, node: vmi!.status!.nodeName, runStrategy: "Always" });
    expect(running.runtime.startedAt).not.toBeNull();
    // Phase times are recorded to the second: a boot within one second reads 0.
    expect(running.runtime.bootMs).toEqual(expect.any(Number));
    expect(running.runtime.bootMs).toBeGreaterThanOrEqual(0);
    expect(running.conditions).toContainEqual(expect.objectContaining({ object: "VMI", type: "Ready", status: "True" }));

    // The list pages and REST read: from the cache, the same as the cluster.
    const source = watchVmSource(db());
    for (let i = 0; i < 3; i++) {
      const listed = (await listTeamVms(db(), world.teamA, { vmSource: source })).find((v) => v.id === created.id)!;
      expect(listed.runtime).toMatchObject({ printableStatus: "Running", ip: running.runtime.ip, node: running.runtime.node });
    }
    expect(await listTeamVms(db(), world.teamB, { vmSource: source })).toEqual([]);

    await operateVm(db(), actor, { teamId: world.teamA, workloadId: created.id, operation: "stop" });
    const stopped = (await alice.until(vmStatus(created.id, "Stopped"), "Stopped")) as VmMessage;
    expect(stopped.runtime).toMatchObject({ phase: null, ip: null, node: null, runStrategy: "Halted" });

    const changesBefore = alice.heard.filter((m) => m.type === "vms-changed").length;
    await deleteVm(db(), actor, { teamId: world.teamA, workloadId: created.id });
    await alice.until(() => alice.heard.filter((m) => m.type === "vms-changed").length > changesBefore, "vms-changed on delete");
    await hub.flush();

    // Bob, in team B, heard nothing of team A's VM.
    expect(bob.heard).toEqual([]);
    expect(alice.heard.every((m) => m.type !== "resync" && m.teamId === world.teamA)).toBe(true);
    // One cache, one list and one watch per resource, for two viewers and every list read.
    expect(await vmWatchCacheFor(db(), world.clusterId)).toBe(cache);
    const stats = cache.stats();
    expect([stats.vms.lists, stats.vmis.lists]).toEqual([1, 1]);
    expect([stats.vms.watches, stats.vmis.watches]).toEqual([1, 1]);
    const left = await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: world.namespaceA, plural: KUBEVIRT.vms, labelSelector: `minicloud.io/workload=${created.id}` });
    expect((left as { items: unknown[] }).items.filter((vm) => !(vm as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp)).toEqual([]);
    for (const stop of unsubscribe) stop();
  });
});
