// The hub's fan-out of VM changes over a stand-in VM cache: a burst of VM and VMI changes becomes
// one `vm` message per workload (its runtime and conditions, from the VM and its VMI) and one
// `vms-changed` per team when VMs come or go; only subscribers who may read the team hear it; a
// VM outside the team's namespace is not the team's; a removed cluster's VM cache is stopped.
import { afterEach, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import type { ClusterWatchCache } from "@/lib/kube/watch-cache";
import { LiveHub } from "@/lib/live/hub";
import type { LiveMessage } from "@/lib/live/messages";
import type { VirtualMachine, VirtualMachineInstance } from "@/lib/vms/kubevirt";
import type { VmChange, VmChangeListener, VmObjects, VmWatchCache } from "@/lib/vms/watch-cache";
import { workloadLabels } from "@/lib/workloads/labels";

const TEAM = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const member: Principal = { userId: "a", isPlatformAdmin: false, orgRoles: {}, teamRoles: { [TEAM]: "viewer" } };
const outsider: Principal = { userId: "b", isPlatformAdmin: false, orgRoles: {}, teamRoles: { [OTHER]: "admin" } };

const labels = (workloadId: string, teamId = TEAM) => workloadLabels({ clusterId: "c1", teamId, ownerId: "o", kind: "vm", workloadId });

function vm(name: string, workloadId: string, rv: number, printableStatus: string, namespace = "ns-team"): VirtualMachine {
  return { metadata: { name, namespace, uid: `vm-${name}`, resourceVersion: String(rv), labels: labels(workloadId) }, spec: { runStrategy: "Always" }, status: { printableStatus, ready: printableStatus === "Running" } };
}

function vmi(name: string, workloadId: string, rv: number, phase: string, namespace = "ns-team"): VirtualMachineInstance {
  return {
    metadata: { name, namespace, uid: `vmi-${name}`, resourceVersion: String(rv), labels: labels(workloadId) },
    status: { phase, nodeName: "mc-worker-1", interfaces: [{ ipAddress: "10.200.0.9" }], conditions: [{ type: "Ready", status: phase === "Running" ? "True" : "False" }] },
  };
}

/** A VM cache whose changes the test emits by hand. */
function fakeVmCache(clusterId: string) {
  const objects = new Map<string, VmObjects>();
  let listener: VmChangeListener | undefined;
  const cache = {
    clusterId,
    stopped: false,
    objectsOf: (id: string) => objects.get(id) ?? {},
    subscribe(l: VmChangeListener) {
      listener = l;
      return () => (listener = undefined);
    },
  } as unknown as VmWatchCache;
  return {
    cache,
    emit(change: VmChange) {
      const id = change.object.metadata!.labels!["minicloud.io/workload"]!;
      const entry = { ...objects.get(id) };
      if (change.resource === "vm") {
        if (change.type === "DELETED") delete entry.vm;
        else entry.vm = change.object;
      } else if (change.type === "DELETED") delete entry.vmi;
      else entry.vmi = change.object;
      objects.set(id, entry);
      listener?.(change);
    },
    get listening() {
      return listener !== undefined;
    },
  };
}

const noPods = { clusterId: "c1", stopped: false, subscribe: () => () => {} } as unknown as ClusterWatchCache;

function recorder(principal: Principal) {
  const heard: LiveMessage[] = [];
  return { heard, subscriber: { principal, send: (m: LiveMessage) => void heard.push(m), refresh: async () => principal, close: () => {} } };
}

let hub: LiveHub | undefined;
afterEach(() => hub?.stop());

describe("LiveHub and VMs", () => {
  it("turns a burst of VM and VMI changes into one vm message per workload and one vms-changed per team, for those allowed only", async () => {
    const c1 = fakeVmCache("c1");
    const stopped: string[] = [];
    let clusterIds = ["c1"];
    hub = new LiveHub({} as Db, {
      cacheFor: async () => noPods,
      stopCache: () => {},
      vmCacheFor: async () => c1.cache,
      stopVmCache: (id) => void stopped.push(id),
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
    expect(hub.watchedVmClusterIds()).toEqual(["c1"]);

    c1.emit({ type: "ADDED", resource: "vm", object: vm("box", "w1", 1, "Starting") });
    c1.emit({ type: "ADDED", resource: "vmi", object: vmi("box", "w1", 2, "Scheduled") });
    c1.emit({ type: "MODIFIED", resource: "vmi", object: vmi("box", "w1", 3, "Running") });
    c1.emit({ type: "MODIFIED", resource: "vm", object: vm("box", "w1", 4, "Running") });
    c1.emit({ type: "ADDED", resource: "vm", object: vm("stray", "w3", 5, "Running", "ns-elsewhere") });
    await hub.flush();

    expect(a.heard).toEqual([
      {
        type: "vm",
        teamId: TEAM,
        workloadId: "w1",
        runtime: expect.objectContaining({ printableStatus: "Running", phase: "Running", ip: "10.200.0.9", node: "mc-worker-1" }),
        conditions: [{ object: "VMI", type: "Ready", status: "True", reason: null, message: null, lastTransitionTime: null }],
      },
      { type: "vms-changed", teamId: TEAM },
    ]);
    expect(b.heard).toEqual([]);

    // The instance going away (a stop) is a runtime change of the row, not a list change.
    a.heard.length = 0;
    c1.emit({ type: "DELETED", resource: "vmi", object: vmi("box", "w1", 6, "Running") });
    c1.emit({ type: "MODIFIED", resource: "vm", object: vm("box", "w1", 7, "Stopped") });
    await hub.flush();
    expect(a.heard).toEqual([{ type: "vm", teamId: TEAM, workloadId: "w1", runtime: expect.objectContaining({ printableStatus: "Stopped", phase: null, ip: null }), conditions: [] }]);

    // The VM deleted: only vms-changed (its page and the list refetch).
    a.heard.length = 0;
    c1.emit({ type: "DELETED", resource: "vm", object: vm("box", "w1", 8, "Stopped") });
    await hub.flush();
    expect(a.heard).toEqual([{ type: "vms-changed", teamId: TEAM }]);

    clusterIds = [];
    await hub.rescan();
    expect(stopped).toEqual(["c1"]);
    expect(c1.listening).toBe(false);
  });

  it("a cluster whose VMs cannot be watched still has its pods watched", async () => {
    const lines: string[] = [];
    hub = new LiveHub({} as Db, {
      cacheFor: async () => noPods,
      vmCacheFor: async () => Promise.reject(new Error("no KubeVirt here")),
      listClusterIds: async () => ["c1"],
      placements: { get: async () => null },
      log: (line) => void lines.push(line),
    });
    hub.subscribe(recorder(member).subscriber);
    await hub.rescan();
    await hub.rescan();
    expect(hub.watchedClusterIds()).toEqual(["c1"]);
    expect(hub.watchedVmClusterIds()).toEqual([]);
    expect(lines).toEqual(["cannot watch the VMs of cluster c1: no KubeVirt here"]); // once, not per rescan
  });
});
