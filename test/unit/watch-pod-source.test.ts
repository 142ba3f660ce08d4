// The watch-cache pod source answers the pods list from memory: only the team's SSH pods in
// the asked namespaces, keyed by workload, the live pod preferred over a terminating one.
import type { V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import type { WorkloadKind } from "@/lib/workloads/kinds";
import { workloadLabels } from "@/lib/workloads/labels";
import { createPodWatchCache, type ClusterWatchCache } from "@/lib/kube/watch-cache";
import { watchPodSource } from "@/lib/pods/watch-source";

function pod(name: string, namespace: string, teamId: string, workloadId: string, extra: { kind?: WorkloadKind; deleting?: boolean; created?: string } = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      resourceVersion: "1",
      labels: workloadLabels({ clusterId: "test-cluster", teamId, ownerId: "o", kind: extra.kind ?? "ssh-pod", workloadId }),
      creationTimestamp: new Date(extra.created ?? "2026-01-01T00:00:00Z"),
      ...(extra.deleting ? { deletionTimestamp: new Date() } : {}),
    },
  };
}

let cache: ClusterWatchCache | undefined;
afterEach(() => cache?.stop());

describe("watchPodSource", () => {
  it("returns the team's SSH pods in the given namespaces by workload id", async () => {
    const items = [
      pod("a", "ns-a", "ta", "w1"),
      pod("a-old", "ns-a", "ta", "w2", { deleting: true }),
      pod("a-new", "ns-a", "ta", "w2", { created: "2026-01-02T00:00:00Z" }),
      pod("vm", "ns-a", "ta", "w3", { kind: "vm" }),
      pod("elsewhere", "ns-x", "ta", "w4"),
      pod("b", "ns-b", "tb", "w5"),
    ];
    cache = createPodWatchCache({ id: "c", name: "lab" }, { list: async () => ({ items, resourceVersion: "1" }), watch: async () => ({ abort() {} }) });
    const source = watchPodSource({} as Db, async () => cache!);
    const pods = await source("c", ["ns-a"], "ta");
    expect([...pods.keys()].sort()).toEqual(["w1", "w2"]);
    expect(pods.get("w2")?.metadata?.name).toBe("a-new");
    expect((await source("c", ["ns-b"], "tb")).get("w5")?.metadata?.name).toBe("b");
    expect((await source("c", ["ns-b"], "ta")).size).toBe(0);
  });
});
