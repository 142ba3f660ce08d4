// Terminal sessions ending when their pod goes away, supervised through the cluster's shared
// watch cache (over a fake list/watch): one subscription for many sessions, deletion and
// "being deleted" both end a session, a pod the cache has not seen is asked of the API, and a
// replaced cache or a removed cluster is handled.
import type { V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CLUSTER_REMOVED, POD_DELETED, POD_DELETING, PodGoneWatcher } from "@/lib/console/bridges/pod/pod-watch";
import { NotFoundError } from "@/lib/errors";
import type { ListResult, ListWatch, WatchHandle } from "@/lib/kube/reflector";
import { createPodWatchCache, type ClusterWatchCache } from "@/lib/kube/watch-cache";

const cluster = { id: "c1", name: "lab" };

function pod(name: string, rv: string, extra: { deleting?: boolean } = {}): V1Pod {
  return {
    metadata: { name, namespace: "ns", uid: `uid-${name}`, resourceVersion: rv, ...(extra.deleting ? { deletionTimestamp: new Date() } : {}) },
    status: { phase: "Running" },
  };
}

/** A cache over a fake API whose list answers `items`; `send` delivers watch events. */
function fakeCache(items: V1Pod[]) {
  let send: ((type: string, object: unknown) => void) | undefined;
  const listWatch: ListWatch<V1Pod> = {
    list: async (): Promise<ListResult<V1Pod>> => ({ items, resourceVersion: "5" }),
    async watch(_rv, onEvent): Promise<WatchHandle> {
      send = onEvent;
      return { abort() {} };
    },
  };
  const cache = createPodWatchCache(cluster, listWatch);
  caches.push(cache);
  // Counts subscriptions and how many are still active.
  const real = cache.subscribe.bind(cache);
  const subscriptions = { active: 0 };
  const subscribe = vi.spyOn(cache, "subscribe").mockImplementation((listener) => {
    const unsubscribe = real(listener);
    subscriptions.active++;
    return () => {
      subscriptions.active--;
      unsubscribe();
    };
  });
  return {
    cache,
    subscribe,
    subscriptions,
    async send(type: string, object: V1Pod) {
      await vi.waitFor(() => expect(send).toBeDefined());
      send!(type, object);
    },
  };
}

const caches: ClusterWatchCache[] = [];
afterEach(() => {
  for (const cache of caches.splice(0)) cache.stop();
});

const alive = (p: V1Pod) => async () => p;

describe("pod-gone watcher", () => {
  it("serves every session of a cluster from one subscription and ends only the sessions of the pod that went away", async () => {
    const a = pod("a", "1");
    const b = pod("b", "1");
    const fake = fakeCache([a, b]);
    const watcher = new PodGoneWatcher({ cacheFor: async () => fake.cache });
    const ended: string[] = [];
    await watcher.watch("c1", a, alive(a), (m) => ended.push(`a1: ${m}`));
    await watcher.watch("c1", a, alive(a), (m) => ended.push(`a2: ${m}`));
    await watcher.watch("c1", b, alive(b), (m) => ended.push(`b: ${m}`));
    expect(fake.subscribe).toHaveBeenCalledTimes(1);
    expect(watcher.watchedPodCount()).toBe(2);

    await fake.send("MODIFIED", pod("a", "6", { deleting: true }));
    expect(ended).toEqual([`a1: ${POD_DELETING}`, `a2: ${POD_DELETING}`]);
    // Ended once: the DELETED that follows says nothing more.
    await fake.send("DELETED", pod("a", "7", { deleting: true }));
    expect(ended).toHaveLength(2);

    await fake.send("DELETED", pod("b", "8"));
    expect(ended).toEqual([`a1: ${POD_DELETING}`, `a2: ${POD_DELETING}`, `b: ${POD_DELETED}`]);
    expect(watcher.watchedPodCount()).toBe(0);
  });

  it("a stopped watch hears nothing, and the last one to stop unsubscribes from the cache", async () => {
    const a = pod("a", "1");
    const fake = fakeCache([a]);
    const watcher = new PodGoneWatcher({ cacheFor: async () => fake.cache });
    const onGone = vi.fn();
    const stop = await watcher.watch("c1", a, alive(a), onGone);
    const stop2 = await watcher.watch("c1", a, alive(a), onGone);
    stop();
    expect(fake.subscriptions.active).toBe(1);
    stop2();
    expect(fake.subscriptions.active).toBe(0);
    expect(watcher.watchedPodCount()).toBe(0);
    await fake.send("DELETED", a);
    expect(onGone).not.toHaveBeenCalled();
    // A new session subscribes again.
    await watcher.watch("c1", a, alive(a), onGone);
    expect(fake.subscribe).toHaveBeenCalledTimes(2);
    expect(fake.subscriptions.active).toBe(1);
  });

  it("ends a session whose pod is already being deleted in the cache", async () => {
    const a = pod("a", "1", { deleting: true });
    const fake = fakeCache([a]);
    const watcher = new PodGoneWatcher({ cacheFor: async () => fake.cache });
    const onGone = vi.fn();
    await watcher.watch("c1", pod("a", "1"), alive(a), onGone);
    await vi.waitFor(() => expect(onGone).toHaveBeenCalledWith(POD_DELETING));
  });

  it("asks the API about a pod the cache does not hold: a pod that is there keeps its session, one that is not ends it", async () => {
    const fake = fakeCache([]);
    const watcher = new PodGoneWatcher({ cacheFor: async () => fake.cache });
    const newer = pod("newer", "9");
    const keep = vi.fn();
    const readNewer = vi.fn(async () => newer);
    await watcher.watch("c1", newer, readNewer, keep);
    await vi.waitFor(() => expect(readNewer).toHaveBeenCalled());
    const gone = vi.fn();
    await watcher.watch("c1", pod("vanished", "3"), async () => null, gone);
    await vi.waitFor(() => expect(gone).toHaveBeenCalledWith(POD_DELETED));
    // Replaced under the same name: another uid is not this session's pod.
    const replaced = vi.fn();
    await watcher.watch("c1", pod("old", "3"), async () => ({ ...pod("old", "4"), metadata: { ...pod("old", "4").metadata, uid: "uid-new" } }), replaced);
    await vi.waitFor(() => expect(replaced).toHaveBeenCalledWith(POD_DELETED));
    expect(keep).not.toHaveBeenCalled();
    // The kept session still ends when its pod is deleted later.
    await fake.send("ADDED", newer);
    await fake.send("DELETED", newer);
    expect(keep).toHaveBeenCalledWith(POD_DELETED);
  });

  it("moves to the replacement cache when the cluster's credentials change, and checks each pod there", async () => {
    const a = pod("a", "1");
    const b = pod("b", "1");
    const first = fakeCache([a, b]);
    const second = fakeCache([a]); // b was deleted while the caches changed over
    let current = first;
    const watcher = new PodGoneWatcher({ cacheFor: async () => current.cache });
    const onA = vi.fn();
    const onB = vi.fn();
    await watcher.watch("c1", a, alive(a), onA);
    await watcher.watch("c1", b, async () => null, onB);
    current = second;
    first.cache.stop();
    await vi.waitFor(() => expect(onB).toHaveBeenCalledWith(POD_DELETED));
    expect(second.subscribe).toHaveBeenCalledTimes(1);
    expect(first.subscriptions.active).toBe(0);
    expect(onA).not.toHaveBeenCalled();
    await second.send("DELETED", a);
    expect(onA).toHaveBeenCalledWith(POD_DELETED);
  });

  it("ends every session of a cluster that was removed from the panel", async () => {
    const a = pod("a", "1");
    const fake = fakeCache([a]);
    let removed = false;
    const watcher = new PodGoneWatcher({
      cacheFor: async () => {
        if (removed) throw new NotFoundError("No such cluster.");
        return fake.cache;
      },
    });
    const onGone = vi.fn();
    await watcher.watch("c1", a, alive(a), onGone);
    removed = true;
    fake.cache.stop();
    await vi.waitFor(() => expect(onGone).toHaveBeenCalledWith(CLUSTER_REMOVED));
    expect(watcher.watchedPodCount()).toBe(0);
  });
});
