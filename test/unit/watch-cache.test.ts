// The pod watch cache over a fake list/watch: indexes by workload and team, which pod stands
// for a workload during a reset, what subscribers hear, the lean stored shape, and ready()'s
// bounded wait naming the cluster's problem.
import type { V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UnavailableError } from "@/lib/errors";
import { Backoff } from "@/lib/kube/backoff";
import { TEAM_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { trimPod } from "@/lib/kube/pod-trim";
import type { ListResult, ListWatch, WatchHandle } from "@/lib/kube/reflector";
import { createPodWatchCache, type ClusterWatchCache, type PodChange } from "@/lib/kube/watch-cache";

const cluster = { id: "c1", name: "lab" };

function pod(name: string, rv: string, labels: { team?: string; workload?: string }, extra: { deleting?: boolean; created?: string } = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: "ns",
      uid: `uid-${name}`,
      resourceVersion: rv,
      labels: { ...(labels.team ? { [TEAM_LABEL]: labels.team } : {}), ...(labels.workload ? { [WORKLOAD_LABEL]: labels.workload } : {}) },
      creationTimestamp: new Date(extra.created ?? "2026-01-01T00:00:00Z"),
      ...(extra.deleting ? { deletionTimestamp: new Date() } : {}),
    },
  };
}

/** A fake API with one list answer and the last watch's event sink exposed. */
function fakeApi(list: () => Promise<ListResult<V1Pod>>) {
  const api = {
    send: undefined as undefined | ((type: string, object: unknown) => void),
    listWatch: {
      list,
      async watch(_rv: string, onEvent: (type: string, object: unknown) => void): Promise<WatchHandle> {
        api.send = onEvent;
        return { abort() {} };
      },
    } satisfies ListWatch<V1Pod>,
  };
  return api;
}

let cache: ClusterWatchCache | undefined;
afterEach(() => {
  cache?.stop();
  vi.useRealTimers();
});

describe("pod watch cache", () => {
  it("indexes pods by workload and team, and tells subscribers about changes after the first list only", async () => {
    const api = fakeApi(async () => ({ items: [pod("a", "1", { team: "t1", workload: "w1" }), pod("b", "1", { team: "t2", workload: "w2" })], resourceVersion: "5" }));
    cache = createPodWatchCache(cluster, api.listWatch);
    const heard: PodChange[] = [];
    cache.subscribe((change) => heard.push(change));
    await cache.ready();
    expect(heard).toEqual([]);
    expect(cache.podForWorkload("w1")?.metadata?.name).toBe("a");
    expect(cache.podsOfTeam("t2").map((p) => p.metadata?.name)).toEqual(["b"]);

    await vi.waitFor(() => expect(api.send).toBeDefined());
    api.send!("ADDED", pod("c", "6", { team: "t1", workload: "w3" }));
    api.send!("DELETED", pod("b", "7", { team: "t2", workload: "w2" }));
    expect(heard.map((c) => `${c.type} ${c.pod.metadata?.name}`)).toEqual(["ADDED c", "DELETED b"]);
    expect(cache.podsOfTeam("t1").map((p) => p.metadata?.name).sort()).toEqual(["a", "c"]);
    expect(cache.podsOfTeam("t2")).toEqual([]);
    expect(cache.podForWorkload("w2")).toBeUndefined();
    expect([...cache.podsByWorkload().keys()].sort()).toEqual(["w1", "w3"]);
    expect(cache.stats()).toMatchObject({ objects: 2, synced: true });
  });

  it("during a reset, the workload's pod is the new one, not the terminating one", async () => {
    const api = fakeApi(async () => ({ items: [pod("old", "1", { team: "t", workload: "w" })], resourceVersion: "5" }));
    cache = createPodWatchCache(cluster, api.listWatch);
    await cache.ready();
    await vi.waitFor(() => expect(api.send).toBeDefined());
    api.send!("MODIFIED", pod("old", "6", { team: "t", workload: "w" }, { deleting: true }));
    api.send!("ADDED", pod("new", "7", { team: "t", workload: "w" }, { created: "2026-01-02T00:00:00Z" }));
    expect(cache.podForWorkload("w")?.metadata?.name).toBe("new");
    api.send!("DELETED", pod("old", "8", { team: "t", workload: "w" }, { deleting: true }));
    expect(cache.podForWorkload("w")?.metadata?.name).toBe("new");
    api.send!("DELETED", pod("new", "9", { team: "t", workload: "w" }));
    expect(cache.podForWorkload("w")).toBeUndefined();
  });

  it("a pod whose labels change moves between indexes", async () => {
    const api = fakeApi(async () => ({ items: [pod("a", "1", { team: "t1", workload: "w1" })], resourceVersion: "5" }));
    cache = createPodWatchCache(cluster, api.listWatch);
    await cache.ready();
    await vi.waitFor(() => expect(api.send).toBeDefined());
    api.send!("MODIFIED", pod("a", "2", { team: "t2", workload: "w9" }));
    expect(cache.podsOfTeam("t1")).toEqual([]);
    expect(cache.podForWorkload("w1")).toBeUndefined();
    expect(cache.podForWorkload("w9")?.metadata?.name).toBe("a");
  });

  it("ready() gives up after its bound with the cluster's own reason", async () => {
    vi.useFakeTimers();
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    cache = createPodWatchCache(cluster, fakeApi(async () => Promise.reject(refused)).listWatch, { backoff: new Backoff({ random: () => 0.5 }), log: () => {} });
    const ready = cache.ready(2_000);
    const outcome = expect(ready).rejects.toThrow(/cluster “lab” is unreachable: connection refused/);
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
    await expect(ready).rejects.toBeInstanceOf(UnavailableError);
    // Still failing: later readers get the reason at once instead of waiting the bound again.
    let outcome2: unknown = "pending";
    void cache.ready(2_000).then(
      () => (outcome2 = "resolved"),
      (error: unknown) => (outcome2 = error),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(String(outcome2)).toMatch(/connection refused/);
  });

  it("stores a lean pod: no managedFields, volumes, env or foreign annotations; dates as Dates", () => {
    const full = {
      metadata: {
        name: "p",
        namespace: "ns",
        uid: "u",
        resourceVersion: "3",
        labels: { a: "b" },
        annotations: { "minicloud.io/expires-at": "2026-01-01T00:00:00Z", "kubectl.kubernetes.io/last-applied-configuration": "x".repeat(5000) },
        managedFields: [{ manager: "kubectl", fieldsV1: { big: true } }],
        creationTimestamp: "2026-01-01T00:00:00Z",
      },
      spec: {
        nodeName: "n1",
        volumes: [{ name: "v" }],
        containers: [{ name: "ssh", image: "img", env: [{ name: "X", value: "y" }], resources: { limits: { cpu: "1" } } }],
      },
      status: {
        phase: "Running",
        podIP: "10.0.0.1",
        startTime: "2026-01-01T00:00:01Z",
        containerStatuses: [{ name: "ssh", image: "img", imageID: "sha256:abc", ready: true, restartCount: 0, state: { running: { startedAt: "2026-01-01T00:00:02Z" } } }],
      },
    } as unknown as V1Pod;
    const lean = trimPod(full);
    expect(lean.metadata?.annotations).toEqual({ "minicloud.io/expires-at": "2026-01-01T00:00:00Z" });
    expect(lean.metadata).not.toHaveProperty("managedFields");
    expect(lean.spec).not.toHaveProperty("volumes");
    expect(lean.spec?.containers).toEqual([{ name: "ssh", image: "img", resources: { limits: { cpu: "1" } } }]);
    expect(lean.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(lean.status?.startTime).toEqual(new Date("2026-01-01T00:00:01Z"));
    expect(lean.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(lean).length).toBeLessThan(JSON.stringify(full).length / 5);
  });
});
