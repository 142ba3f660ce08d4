// Live status end to end on the real API server: a member of team A hears team A's pod go
// Pending → Running and disappear; a member of team B hears nothing of it (nor of a pod in
// A's namespace that claims to be B's); revoked access and disabled users stop the flow;
// and the SSE handler streams `data:` lines to a signed-in principal only.
import { randomUUID } from "node:crypto";
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, onTestFinished } from "vitest";
import type { Principal } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import { clusterAssignments, organizations, teamMembers, teams, users } from "@/lib/db/schema";
import { workloadLabels } from "@/lib/workloads/labels";
import { stopAllWatchCaches, watchCacheFor } from "@/lib/kube/watch-cache";
import { stopAllVmWatchCaches } from "@/lib/vms/watch-cache";
import { createEventStream } from "@/lib/live/event-stream";
import { LiveHub, type LiveSubscriber } from "@/lib/live/hub";
import type { LiveMessage, PodMessage } from "@/lib/live/messages";
import { loadPrincipal } from "@/lib/tenancy/principal";
import { insertUser } from "../integration/support/fixtures";
import { createNamespace, insertLocalCluster, podSpec, test, uniqueName, useDatabase } from "./helpers";

/** Bytes to text, typed for the DOM lib's stricter stream generics. */
const textDecoder = () => new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>;


/** A subscriber that records what it hears and lets the test wait for a message. */
function listener(db: Db, principal: Principal) {
  const heard: LiveMessage[] = [];
  const waiters: Array<{ match: (m: LiveMessage) => boolean; resolve: (m: LiveMessage) => void }> = [];
  const state = { closed: false };
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
    close: () => void (state.closed = true),
  };
  return {
    subscriber,
    heard,
    state,
    until(match: (m: LiveMessage) => boolean, what: string, timeoutMs = 30_000): Promise<LiveMessage> {
      const seen = heard.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; heard ${JSON.stringify(heard)}`)), timeoutMs);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

const podOf = (workloadId: string, status?: string) => (m: LiveMessage) =>
  m.type === "pod" && m.workloadId === workloadId && (status === undefined || m.runtime.status === status);

/** A pod of team `teamId`'s workload, held Pending by a scheduling gate until released. */
function gatedPod(name: string, teamId: string, workloadId: string, ownerId: string): V1Pod {
  const pod = podSpec(name, { schedulingGates: [{ name: "minicloud.io/test-hold" }] });
  pod.metadata!.labels = { ...pod.metadata!.labels, ...workloadLabels({ clusterId: "test-cluster", teamId, ownerId, kind: "ssh-pod", workloadId }) };
  return pod;
}

describe("live status", () => {
  const db = useDatabase();
  let hub: LiveHub;
  let clusterId: string;
  const world = {} as { orgId: string; teamA: string; teamB: string; alice: string; bob: string };

  beforeAll(async () => {
    clusterId = (await insertLocalCluster(db())).id;
    const [org] = await db().insert(organizations).values({ name: uniqueName("Org"), slug: uniqueName("org") }).returning();
    const [a, b] = await db()
      .insert(teams)
      .values([
        { orgId: org!.id, name: "A", slug: uniqueName("a") },
        { orgId: org!.id, name: "B", slug: uniqueName("b") },
      ])
      .returning();
    const alice = await insertUser(db());
    const bob = await insertUser(db());
    await db().insert(teamMembers).values([
      { teamId: a!.id, userId: alice.userId, role: "member" },
      { teamId: b!.id, userId: bob.userId, role: "viewer" },
    ]);
    Object.assign(world, { orgId: org!.id, teamA: a!.id, teamB: b!.id, alice: alice.userId, bob: bob.userId });
    // Each test gives team A a new namespace, so placements are not reused between tests.
    hub = new LiveHub(db(), { batchMs: 20, placementTtlMs: 0, log: () => {} });
  });

  afterAll(() => {
    hub?.stop();
    stopAllWatchCaches();
    stopAllVmWatchCaches();
  });

  /**
   * Starts watching the cluster and waits for its cache's first list: changes are broadcast
   * after it (browsers refetch on connect for the rest), so on a busy machine a pod created
   * before the list is done would be in that list, not heard.
   */
  async function watchClusterAndWait() {
    await hub.rescan();
    await (await watchCacheFor(db(), clusterId)).ready(30_000);
  }

  /** Records team A's namespace (the test's) and team B's in the cluster assignments. */
  async function assign(namespaceA: string, namespaceB: string) {
    await db().delete(clusterAssignments);
    await db().insert(clusterAssignments).values([
      { clusterId, teamId: world.teamA, namespace: namespaceA },
      { clusterId, teamId: world.teamB, namespace: namespaceB },
    ]);
  }

  test("team A's member sees its pod go Pending → Running and be deleted; team B's member sees none of it", async ({ kc, namespace }) => {
    const namespaceB = uniqueName("b");
    await createNamespace(kc, namespaceB);
    onTestFinished(() => kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespaceB }).then(() => {}, () => {}));
    await assign(namespace, namespaceB);
    const core = kc.makeApiClient(CoreV1Api);
    const alice = listener(db(), (await loadPrincipal(db(), world.alice))!);
    const bob = listener(db(), (await loadPrincipal(db(), world.bob))!);
    const unsubscribe = [hub.subscribe(alice.subscriber), hub.subscribe(bob.subscriber)];
    await watchClusterAndWait();
    expect(hub.watchedClusterIds()).toContain(clusterId);

    const workloadId = randomUUID();
    await core.createNamespacedPod({ namespace, body: gatedPod("web", world.teamA, workloadId, world.alice) });
    const pending = (await alice.until(podOf(workloadId, "Pending"), "Pending")) as PodMessage;
    expect(pending).toMatchObject({ teamId: world.teamA, runtime: { podName: "web", node: null } });
    await alice.until((m) => m.type === "pods-changed" && m.teamId === world.teamA, "pods-changed on create");

    // Release the gate: the scheduler places it and kwok runs it.
    await core.patchNamespacedPod({ name: "web", namespace, body: [{ op: "remove", path: "/spec/schedulingGates" }] });
    const running = (await alice.until(podOf(workloadId, "Running"), "Running")) as PodMessage;
    expect(running.runtime.node).toMatch(/^mc-worker-/);
    expect(running.runtime.ip).toBeTruthy();

    // A pod in A's namespace that claims to be B's is not B's.
    const spoofId = randomUUID();
    await core.createNamespacedPod({ namespace, body: gatedPod("claims-b", world.teamB, spoofId, world.bob) });

    const changesBefore = alice.heard.filter((m) => m.type === "pods-changed").length;
    await core.deleteNamespacedPod({ name: "web", namespace, gracePeriodSeconds: 0 });
    await alice.until((m) => m.type === "pods-changed" && alice.heard.filter((h) => h.type === "pods-changed").length > changesBefore, "pods-changed on delete");

    // Bob does hear his own team's pod, and only that.
    const bobsId = randomUUID();
    await core.createNamespacedPod({ namespace: namespaceB, body: gatedPod("bobs", world.teamB, bobsId, world.bob) });
    await bob.until(podOf(bobsId, "Pending"), "bob hears his pod");
    await hub.flush();
    expect(bob.heard.every((m) => m.type !== "resync" && m.teamId === world.teamB)).toBe(true);
    expect(bob.heard.some((m) => m.type === "pod" && m.workloadId !== bobsId)).toBe(false);
    expect(bob.heard.filter((m) => m.type === "pods-changed")).toHaveLength(1); // his pod's, not the impostor's
    expect(alice.heard.every((m) => m.type !== "resync" && m.teamId === world.teamA)).toBe(true);
    expect(alice.heard.some(podOf(spoofId))).toBe(false);
    for (const stop of unsubscribe) stop();
  });

  test("revoked membership stops the flow at the next refresh; a disabled user is disconnected", async ({ kc, namespace }) => {
    await assign(namespace, uniqueName("b-ns"));
    const core = kc.makeApiClient(CoreV1Api);
    const carol = await insertUser(db());
    await db().insert(teamMembers).values({ teamId: world.teamA, userId: carol.userId, role: "viewer" });
    const alice = listener(db(), (await loadPrincipal(db(), world.alice))!);
    const carolListener = listener(db(), (await loadPrincipal(db(), carol.userId))!);
    const unsubscribe = [hub.subscribe(alice.subscriber), hub.subscribe(carolListener.subscriber)];
    await watchClusterAndWait();

    const first = randomUUID();
    await core.createNamespacedPod({ namespace, body: gatedPod("first", world.teamA, first, world.alice) });
    await carolListener.until(podOf(first, "Pending"), "carol hears first");

    await db().delete(teamMembers).where(eq(teamMembers.userId, carol.userId));
    await hub.refreshPrincipals();
    const heardBefore = carolListener.heard.length;
    const second = randomUUID();
    await core.createNamespacedPod({ namespace, body: gatedPod("second", world.teamA, second, world.alice) });
    await alice.until(podOf(second, "Pending"), "alice hears second");
    await hub.flush();
    expect(carolListener.heard).toHaveLength(heardBefore);
    expect(carolListener.state.closed).toBe(false);

    await db().update(users).set({ disabledAt: new Date() }).where(eq(users.id, world.alice));
    await hub.refreshPrincipals();
    expect(alice.state.closed).toBe(true);
    await db().update(users).set({ disabledAt: null }).where(eq(users.id, world.alice));
    for (const stop of unsubscribe) stop();
  });

  test("the SSE handler streams data: lines to a signed-in principal and refuses a signed-out one", async ({ kc, namespace }) => {
    await assign(namespace, uniqueName("b-ns"));
    const core = kc.makeApiClient(CoreV1Api);
    const principal = (await loadPrincipal(db(), world.alice))!;
    const signedIn = createEventStream(async () => hub, async () => ({ principal, refresh: () => loadPrincipal(db(), world.alice) }));
    const signedOut = createEventStream(async () => hub, async () => null);

    const refused = await signedOut(new Request("http://127.0.0.1/api/events"));
    expect(refused.status).toBe(401);

    const abort = new AbortController();
    const subscribersBefore = hub.subscriberCount;
    const response = await signedIn(new Request("http://127.0.0.1/api/events", { signal: abort.signal }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(hub.subscriberCount).toBe(subscribersBefore + 1);
    const reader = response.body!.pipeThrough(textDecoder()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}; got ${text}`);
        text += value;
      }
    };
    await readUntil(/retry: \d+\n/);
    await watchClusterAndWait();

    const workloadId = randomUUID();
    await core.createNamespacedPod({ namespace, body: gatedPod("sse", world.teamA, workloadId, world.alice) });
    await readUntil(new RegExp(`data: \\{"type":"pod","teamId":"${world.teamA}","workloadId":"${workloadId}"`));
    await readUntil(new RegExp(`data: \\{"type":"pods-changed","teamId":"${world.teamA}"\\}\\n\\n`));

    abort.abort();
    expect(hub.subscriberCount).toBe(subscribersBefore);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });
});
