import { describe, expect, it } from "vitest";
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { MAX_VOLUME_ROWS, summarizeCluster } from "@/lib/status/summary";

const node = (name: string, ready: boolean, labels: Record<string, string> = {}): V1Node => ({
  metadata: { name, labels },
  status: {
    conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    nodeInfo: { kubeletVersion: "v1.35.4" } as never,
    capacity: { cpu: "8", memory: "32Gi", pods: "110" },
    allocatable: { cpu: "7800m", memory: "31Gi", pods: "110" },
  },
});
const pod = (nodeName: string | undefined, phase: string): V1Pod => ({ metadata: { name: "p" }, spec: { nodeName, containers: [] }, status: { phase } });

describe("the status summary", () => {
  it("reports each node's readiness, roles, version, capacity, allocatable and pods by phase", () => {
    const summary = summarizeCluster({
      nodes: [node("b", false), node("a", true, { "node-role.kubernetes.io/control-plane": "" })],
      pods: [pod("a", "Running"), pod("a", "Running"), pod("a", "Pending"), pod("b", "Succeeded"), pod(undefined, "Pending")],
      persistentVolumes: [{ metadata: { name: "pv1" }, spec: { capacity: { storage: "1Gi" }, storageClassName: "x", claimRef: { namespace: "n", name: "c" } }, status: { phase: "Bound" } }],
      claims: [{ metadata: { name: "c", namespace: "n" }, spec: { volumeName: "pv1" }, status: { phase: "Bound", capacity: { storage: "1Gi" } } }],
    });
    expect(summary.nodes.map((n) => n.name)).toEqual(["a", "b"]);
    expect(summary.nodes[0]).toMatchObject({ ready: true, roles: ["control-plane"], version: "v1.35.4", capacity: { cpu: "8", memory: "32Gi", pods: "110" }, allocatable: { cpu: "7800m" }, pods: { running: 2, pending: 1, other: 0 } });
    expect(summary.nodes[1]).toMatchObject({ ready: false, roles: ["worker"], pods: { running: 0, pending: 0, other: 1 } });
    expect(summary.totals).toEqual({ nodes: 2, readyNodes: 1, pods: 5, running: 2, pending: 2, unscheduled: 1 });
    expect(summary.persistentVolumes[0]).toMatchObject({ name: "pv1", phase: "Bound", capacity: "1Gi", boundTo: "n/c" });
    expect(summary.claims[0]).toMatchObject({ name: "c", namespace: "n", boundTo: "pv1" });
  });

  it("stays whole at 100 nodes and 5,000 pods and caps the volume rows", () => {
    const nodes = Array.from({ length: 100 }, (_, i) => node(`n${String(i).padStart(3, "0")}`, i % 10 !== 0));
    const pods = Array.from({ length: 5000 }, (_, i) => pod(`n${String(i % 100).padStart(3, "0")}`, i % 7 === 0 ? "Pending" : "Running"));
    const pvs = Array.from({ length: MAX_VOLUME_ROWS + 10 }, (_, i) => ({ metadata: { name: `pv${i}` } }));
    const summary = summarizeCluster({ nodes, pods, persistentVolumes: pvs, claims: [] });
    expect(summary.totals).toMatchObject({ nodes: 100, readyNodes: 90, pods: 5000 });
    expect(summary.nodes.reduce((sum, n) => sum + n.pods.running + n.pods.pending, 0)).toBe(5000);
    expect(summary.persistentVolumes).toHaveLength(MAX_VOLUME_ROWS);
  });
});
