// The hub's fan-out over stand-in caches: a burst of changes becomes one message per workload
// and one pods-changed per team, only subscribers with access hear it, pods outside the
// team's namespace are not the team's, and clusters that disappear are no longer watched.
import type { V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { workloadLabels } from "@/lib/workloads/labels";
import type { ClusterWatchCache, PodChangeListener } from "@/lib/kube/watch-cache";
import { LiveHub } from "@/lib/live/hub";
import type { LiveMessage } from "@/lib/live/messages";

const TEAM = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const member: Principal = { userId: "a", isPlatformAdmin: false, orgRoles: {}, teamRoles: { [TEAM]: "viewer" } };
const outsider: Principal = { userId: "b", isPlatformAdmin: false, orgRoles: {}, teamRoles: { [OTHER]: "admin" } };

function pod(name: string, workloadId: string, rv: number, namespace = "ns-team"): V1Pod {
  return {
    metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: String(rv), labels: workloadLabels({ clusterId: "test-cluster", teamId: TEAM, ownerId: "o", kind: "ssh-pod", workloadId }) },
    spec: { nodeName: "n1", containers: [] },
    status: { phase: rv > 1 ? "Running" : "Pending" },
  };
}

/** A cache whose changes the test emits by hand. */
function fakeCache(clusterId: string) {
  const pods = new Map<string, V1Pod>();
  let listener: PodChangeListener | undefined;
  const cache = {
    clusterId,
    stopped: false,
    podForWorkload: (id: string) => pods.get(id),
    subscribe(l: PodChangeListener) {
      listener = l;
      return () => (listener = undefined);
    },
  } as unknown as ClusterWatchCache;
  return {
    cache,
    emit(type: "ADDED" | "MODIFIED" | "DELETED", p: V1Pod) {
      const id = p.metadata!.labels!["minicloud.io/workload"]!;
      if (type === "DELETED") pods.delete(id);
      else pods.set(id, p);
      listener?.({ type, pod: p });
    },
    get listening() {
      return listener !== undefined;
    },
  };
}

function recorder(principal: Principal) {
  const heard: LiveMessage[] = [];
  return { heard, subscriber: { principal, send: (m: LiveMessage) => void heard.push(m), refresh: async () => principal, close: () => {} } };
}

let hub: LiveHub | undefined;
afterEach(() => hub?.stop());

describe("LiveHub", () => {
  it("turns a burst into one message per workload and one pods-changed per team, for those allowed only", async () => {
    const c1 = fakeCache("c1");
    const stopped: string[] = [];
    let clusterIds = ["c1"];
    hub = new LiveHub({} as Db, {
      cacheFor: async () => c1.cache,
      vmCacheFor: null, // VMs: test/unit/live-hub-vms.test.ts
      stopCache: (id) => void stopped.push(id),
      listClusterIds: async () => clusterIds,
      placements: { get: async (_clusterId, teamId) => (teamId === TEAM ? { orgId: "org", namespace: "ns-team" } : null) },
      batchMs: 60_000, // flushed by hand below
    });
    const a = recorder(member);
    const b = recorder(outsider);
    hub.subscribe(a.subscriber);
    hub.subscribe(b.subscriber);
    await hub.rescan();
    expect(c1.listening).toBe(true);

    c1.emit("ADDED", pod("web", "w1", 1));
    for (let rv = 2; rv < 200; rv++) c1.emit("MODIFIED", pod("web", "w1", rv));
    c1.emit("ADDED", pod("db", "w2", 1));
    c1.emit("ADDED", pod("stray", "w3", 5, "ns-elsewhere"));
    await hub.flush();

    expect(a.heard).toEqual([
      { type: "pod", teamId: TEAM, workloadId: "w1", runtime: expect.objectContaining({ status: "Running", podName: "web" }) },
      { type: "pod", teamId: TEAM, workloadId: "w2", runtime: expect.objectContaining({ status: "ContainerCreating" }) },
      { type: "pods-changed", teamId: TEAM },
    ]);
    expect(b.heard).toEqual([]);

    clusterIds = [];
    await hub.rescan();
    expect(stopped).toEqual(["c1"]);
    expect(c1.listening).toBe(false);
  });

  it("a deleted workload sends pods-changed only", async () => {
    const c1 = fakeCache("c1");
    hub = new LiveHub({} as Db, {
      cacheFor: async () => c1.cache,
      vmCacheFor: null, // VMs: test/unit/live-hub-vms.test.ts
      listClusterIds: async () => ["c1"],
      placements: { get: async () => ({ orgId: "org", namespace: "ns-team" }) },
      batchMs: 60_000,
    });
    const a = recorder(member);
    hub.subscribe(a.subscriber);
    await hub.rescan();
    c1.emit("ADDED", pod("web", "w1", 2));
    await hub.flush();
    a.heard.length = 0;
    c1.emit("DELETED", pod("web", "w1", 3));
    await hub.flush();
    expect(a.heard).toEqual([{ type: "pods-changed", teamId: TEAM }]);
  });
});
