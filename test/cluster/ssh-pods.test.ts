// SSH pods against the real control plane: create → Running → reset (home volume and Service
// kept, a new Pod) → delete (nothing left); time-to-live expiry; over-quota refusal before
// anything exists; a create failing half-way rolled back; and every pod action, page read and
// the REST list refused across teams (not found) and to viewers (forbidden), through the same
// action definitions and handler the panel uses.
import {
  CoreV1Api,
  type KubernetesObject,
  type V1PersistentVolumeClaim,
  type V1ResourceQuota,
  type V1Pod,
  type V1Secret,
} from "@kubernetes/client-node";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect } from "vitest";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import { createApiToken } from "@/lib/api-tokens/service";
import { assignCluster } from "@/lib/clusters/assignments";
import { QUOTA_NAME } from "@/lib/clusters/team-namespace";
import { auditEvents, workloads } from "@/lib/db/schema";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { KIND_LABEL, OWNER_EMAIL_ANNOTATION, TEAM_LABEL, WORKLOAD_LABEL, workloadSelector } from "@/lib/kube/labels";
import { listTeamPodsResponse, podLogsResponse } from "@/lib/api/pods";
import { getSshPod, listTeamSshPods, readSshPodLogs } from "@/lib/pods/queries";
import { reconcileUnderLease, TTL_ACTOR_LABEL } from "@/lib/workloads/reconciler";
import type { SshPodView } from "@/lib/pods/types";
import { addSshKey } from "@/lib/ssh-keys/service";
import { generateEd25519KeyPair } from "@/lib/ssh-keys/openssh-format";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { createSshPodAction, deleteSshPodAction, resetSshPodAction } from "@/app/(panel)/t/[teamId]/pods/actions";
import { callerFor, createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { adminKubeConfig, insertLocalCluster, isRunningWithIp, test, uniqueName, useDatabase, waitFor, waitForPod } from "./helpers";

const IMAGE = "debian:bookworm-slim";

describe("SSH pods", () => {
  const db = useDatabase();
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const world = {} as {
    clusterId: string;
    teamA: string;
    teamB: string;
    namespaceA: string;
    owner: Caller;
    ownerEmail: string;
    ownerKey: string;
    viewer: Caller;
    outsider: Caller;
    outsiderToken: string;
    viewerToken: string;
  };

  beforeAll(async () => {
    // Impersonation on: team requests run as the team's group, fenced in by its Role.
    const cluster = await insertLocalCluster(db(), uniqueName("pods"), { imageCatalog: [{ label: "Debian", image: IMAGE }], impersonation: true });
    const { orgId, teams } = await createOrgWithTeams(db(), 2);
    const teamA = teams[0]!;
    const teamB = teams[1]!;
    const admin = await createUser(db(), { platformAdmin: true });
    const owner = await createUser(db());
    const viewer = await createUser(db());
    const outsider = await createUser(db());
    await grant(db(), owner.id, { orgId, orgRole: "member", teamId: teamA.id, teamRole: "member" });
    await grant(db(), viewer.id, { orgId, orgRole: "member", teamId: teamA.id, teamRole: "viewer" });
    await grant(db(), outsider.id, { orgId, orgRole: "member", teamId: teamB.id, teamRole: "member" });
    const adminActor = { userId: admin.id, label: admin.email };
    const quota = { cpuMillicores: 4000, memoryMib: 8192, maxPods: 10, maxVms: null, storageGib: 20 };
    const assignmentA = await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teamA.id, quota });
    await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teamB.id, quota });
    const ownerKey = generateEd25519KeyPair("owner@laptop").publicKey;
    await addSshKey(db(), { userId: owner.id, label: owner.email }, { publicKey: ownerKey });
    Object.assign(world, {
      clusterId: cluster.id,
      teamA: teamA.id,
      teamB: teamB.id,
      namespaceA: assignmentA.namespace,
      owner: await callerFor(db(), owner),
      ownerEmail: owner.email,
      ownerKey: ownerKey.split(" ").slice(0, 2).join(" "),
      viewer: await callerFor(db(), viewer),
      outsider: await callerFor(db(), outsider),
      outsiderToken: (await createApiToken(db(), { userId: outsider.id, label: outsider.email }, { name: "cli" })).plaintext,
      viewerToken: (await createApiToken(db(), { userId: viewer.id, label: viewer.email }, { name: "cli" })).plaintext,
    });
  });

  const request = (overrides: Record<string, unknown> = {}) => ({
    teamId: world.teamA,
    clusterId: world.clusterId,
    name: uniqueName("dev box").replace("-", " "),
    image: IMAGE,
    cpuMillicores: "500",
    memoryMib: "512",
    homeGib: "",
    ttlMinutes: "",
    ...overrides,
  });
  const create = (caller: Caller, overrides: Record<string, unknown> = {}) =>
    executeAction(createSshPodAction.definition, caller, request(overrides), db()).then((r) => r.result);

  /** Every Service, Secret, claim and Pod labelled with the workload. */
  async function objectsOf(workloadId: string, namespace = world.namespaceA): Promise<KubernetesObject[]> {
    const labelSelector = workloadSelector(workloadId);
    const [services, secrets, claims, pods] = await Promise.all([
      core.listNamespacedService({ namespace, labelSelector }),
      core.listNamespacedSecret({ namespace, labelSelector }),
      core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }),
      core.listNamespacedPod({ namespace, labelSelector }),
    ]);
    return [...services.items, ...secrets.items, ...claims.items, ...pods.items];
  }

  /** Waits (watching) until nothing labelled with the workload is left in each kind. */
  async function waitUntilNothingLeft(workloadId: string): Promise<void> {
    const labelSelector = workloadSelector(workloadId);
    for (const kind of ["Service", "Secret", "PersistentVolumeClaim", "Pod"]) {
      await waitFor(kc, { apiVersion: "v1", kind, namespace: world.namespaceA, labelSelector }, (items) => items.length === 0, {
        description: `no ${kind} of workload ${workloadId}`,
      });
    }
  }

  const rowOf = async (id: string) => (await db().select().from(workloads).where(eq(workloads.id, id)))[0];
  const auditOf = (id: string, action: string) =>
    db().select().from(auditEvents).where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, action)));

  test("create → Running → reset keeps the home volume and Service → delete leaves nothing", async () => {
    const created = await create(world.owner, { homeGib: "1" });
    const { namespaceA: namespace } = world;

    // The Service anchors everything; the Secret, claim and Pod are owned by it.
    const service = await core.readNamespacedService({ name: created.name, namespace });
    expect(service.spec?.ports?.[0]?.port).toBe(22);
    expect(service.spec?.selector).toEqual({ [WORKLOAD_LABEL]: created.id });
    // One of each: Service, Secret, claim, Pod.
    expect(await objectsOf(created.id)).toHaveLength(4);
    const [secrets, claims, pods] = await Promise.all([
      core.listNamespacedSecret({ namespace, labelSelector: workloadSelector(created.id) }),
      core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector: workloadSelector(created.id) }),
      core.listNamespacedPod({ namespace, labelSelector: workloadSelector(created.id) }),
    ]);
    const secret = secrets.items[0] as V1Secret;
    const claim = claims.items[0] as V1PersistentVolumeClaim;
    const pod = pods.items[0] as V1Pod;
    for (const object of [service, secret, claim, pod]) {
      expect(object.metadata?.labels).toMatchObject({ [TEAM_LABEL]: world.teamA, [KIND_LABEL]: "ssh-pod", [WORKLOAD_LABEL]: created.id });
      expect(object.metadata?.annotations?.[OWNER_EMAIL_ANNOTATION]).toBe(world.ownerEmail);
    }
    for (const child of [secret, claim, pod]) {
      expect(child.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: "Service", name: created.name, uid: service.metadata!.uid })]);
    }
    // authorized_keys: the owner's key and the panel's terminal key, nothing else.
    const keys = Buffer.from(secret.data!.authorized_keys!, "base64").toString("utf8").trim().split("\n");
    const panelKey = await getPanelTerminalKey(db());
    expect(keys).toEqual([world.ownerKey, panelKey.publicKey]);
    // The pod: requests = limits, the owner's login name, no service account token, the claim at /home.
    const container = pod.spec!.containers[0]!;
    expect(container.resources).toEqual({ requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
    expect(container.env).toContainEqual({ name: "MINICLOUD_USER", value: world.ownerEmail.split("@")[0] });
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.enableServiceLinks).toBe(false);
    expect(pod.spec?.volumes?.find((v) => v.name === "home")?.persistentVolumeClaim?.claimName).toBe(claim.metadata!.name);

    const running = await waitForPod(kc, namespace, created.podName, isRunningWithIp);
    const list = await listTeamSshPods(db(), world.teamA);
    const row = list.find((p) => p.id === created.id)!;
    expect(row.runtime).toMatchObject({ status: "Running", podName: created.podName, ip: running.status!.podIP, node: running.spec!.nodeName });
    expect(row.owner.email).toBe(world.ownerEmail);
    const detail = await getSshPod(db(), world.teamA, created.id);
    expect(detail.conditions.map((c) => c.type)).toContain("Ready");
    expect(detail.service).toEqual({ name: created.name, clusterIP: service.spec!.clusterIP });
    expect(detail.pvc?.phase).toBe("Bound");
    expect(detail.events.some((e) => e.reason === "Scheduled")).toBe(true);
    const logs = await readSshPodLogs(db(), world.teamA, created.id);
    expect(logs.podName).toBe(created.podName);
    // kwok serves every container the same log file; what matters is that it came through.
    expect(logs.text).toContain("container started");

    // Reset: a new Pod (new name and uid), the same Service and claim.
    const reset = await executeAction(resetSshPodAction.definition, world.owner, { workloadId: created.id }, db());
    expect(reset.result.podName).not.toBe(created.podName);
    const fresh = await waitForPod(kc, namespace, reset.result.podName, isRunningWithIp);
    expect(fresh.metadata?.uid).not.toBe(running.metadata?.uid);
    expect((await core.readNamespacedService({ name: created.name, namespace })).metadata?.uid).toBe(service.metadata?.uid);
    expect((await core.readNamespacedPersistentVolumeClaim({ name: claim.metadata!.name!, namespace })).metadata?.uid).toBe(claim.metadata?.uid);
    expect((await core.listNamespacedPod({ namespace, labelSelector: workloadSelector(created.id) })).items.map((p) => p.metadata?.name)).toEqual([reset.result.podName]);

    // Delete: the typed name must match; then every object and the row go.
    await expect(executeAction(deleteSshPodAction.definition, world.owner, { id: created.id, confirmName: "something else" }, db())).rejects.toBeInstanceOf(ValidationError);
    await executeAction(deleteSshPodAction.definition, world.owner, { id: created.id, confirmName: created.name }, db());
    await waitUntilNothingLeft(created.id);
    expect(await rowOf(created.id)).toBeUndefined();
    for (const action of ["pod.create", "pod.reset", "pod.delete"]) {
      expect((await auditOf(created.id, action)).map((r) => r.outcome)).toEqual(["success"]);
    }
  });

  test("a second reset while one is running is refused, so the workload never ends up with two pods", async () => {
    const created = await create(world.owner, {});
    const { namespaceA: namespace } = world;
    await waitForPod(kc, namespace, created.podName, isRunningWithIp);
    const reset = () => executeAction(resetSshPodAction.definition, world.owner, { workloadId: created.id }, db());
    const [first, second] = await Promise.allSettled([reset(), reset()]);
    expect(first.status).toBe("fulfilled");
    expect(second.status).toBe("rejected");
    const refusal = (second as PromiseRejectedResult).reason;
    expect(refusal).toBeInstanceOf(ValidationError);
    expect(refusal.message).toMatch(/already being reset/);
    const podName = (first as PromiseFulfilledResult<{ result: { podName: string } }>).value.result.podName;
    expect((await core.listNamespacedPod({ namespace, labelSelector: workloadSelector(created.id) })).items.map((p) => p.metadata?.name)).toEqual([podName]);
    expect((await auditOf(created.id, "pod.reset")).map((r) => r.outcome)).toEqual(["success"]);
    // Once the first is done, resetting again works.
    const again = await reset();
    expect(again.result.podName).not.toBe(podName);
    await executeAction(deleteSshPodAction.definition, world.owner, { id: created.id, confirmName: created.name }, db());
    await waitUntilNothingLeft(created.id);
  });

  test("an expired time-to-live deletes the pod and leaves an audit row", async () => {
    const created = await create(world.owner, { ttlMinutes: "60" });
    const row = (await rowOf(created.id))!;
    expect(row.expiresAt!.getTime() - row.createdAt.getTime()).toBeGreaterThan(59 * 60_000);
    // Not yet expired: a pass leaves it alone.
    expect((await reconcileUnderLease(db(), "ttl-test", { now: new Date() }))?.deleted).not.toContain(created.id);
    const result = await reconcileUnderLease(db(), "ttl-test", { now: new Date(Date.now() + 61 * 60_000) });
    expect(result?.deleted).toContain(created.id);
    await waitUntilNothingLeft(created.id);
    expect(await rowOf(created.id)).toBeUndefined();
    const [audit] = await auditOf(created.id, "pod.delete");
    expect(audit).toMatchObject({ actorId: null, actorLabel: TTL_ACTOR_LABEL, outcome: "success", teamId: world.teamA, detail: { expiredAt: row.expiresAt!.toISOString() } });
  });

  test("a pod over the quota is refused with the numbers, before anything is created", async () => {
    // The quota controller counts a deleted pod out a moment after it is gone: start once the
    // earlier tests' pods no longer count, so "in use" is 0 as the expectations say.
    await waitFor(kc, { apiVersion: "v1", kind: "ResourceQuota", namespace: world.namespaceA, fieldSelector: `metadata.name=${QUOTA_NAME}` }, (quotas) => {
      const used = (quotas[0] as V1ResourceQuota | undefined)?.status?.used;
      return used !== undefined && ["requests.cpu", "requests.memory", "requests.storage"].every((key) => !used[key] || /^0[a-zA-Z]*$/.test(used[key]));
    });
    const rowsBefore = await db().select({ id: workloads.id }).from(workloads);
    const servicesBefore = (await core.listNamespacedService({ namespace: world.namespaceA })).items.length;
    const refusal = await create(world.owner, { cpuMillicores: "6000", memoryMib: "16384", homeGib: "25" }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    const { message, fieldErrors } = refusal as ValidationError;
    expect(message).toContain("Not enough CPU quota: asked 6 cores, 0 of 4 cores in use.");
    expect(message).toContain("Not enough memory quota: asked 16 GiB, 0 of 8 GiB in use.");
    expect(message).toContain("Not enough storage quota: asked 25 GiB, 0 of 20 GiB in use.");
    expect(Object.keys(fieldErrors ?? {}).sort()).toEqual(["cpuMillicores", "homeGib", "memoryMib"]);
    expect(await db().select({ id: workloads.id }).from(workloads)).toEqual(rowsBefore);
    expect((await core.listNamespacedService({ namespace: world.namespaceA })).items.length).toBe(servicesBefore);
    // Field checks and the catalog come first.
    const bad = await create(world.owner, { name: "Bad_Name!", cpuMillicores: "50", image: "evil/image:latest" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(Object.keys((bad as ValidationError).fieldErrors ?? {}).sort()).toEqual(["cpuMillicores", "name"]);
    const offCatalog = await create(world.owner, { image: "evil/image:latest" }).catch((e: unknown) => e);
    expect((offCatalog as ValidationError).fieldErrors).toEqual({ image: "Choose an image from this cluster's catalog." });
  });

  test("a create that fails half-way removes what it made", async () => {
    // A quota the panel does not know about (an admin's own) refuses the Pod after the
    // Service, Secret and claim exist.
    const namespace = world.namespaceA;
    await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: "no-more-pods" }, spec: { hard: { pods: "0" } } } });
    try {
      await waitFor(kc, { apiVersion: "v1", kind: "ResourceQuota", namespace, fieldSelector: "metadata.name=no-more-pods" }, (q) => Boolean((q[0] as { status?: { hard?: object } })?.status?.hard));
      const name = uniqueName("half");
      const failure = await create(world.owner, { name, homeGib: "1" }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ForbiddenError);
      expect((failure as Error).message).toMatch(/exceeded quota: no-more-pods/);
      const [errorRow] = await db().select().from(auditEvents).where(and(eq(auditEvents.action, "pod.create"), eq(auditEvents.outcome, "error")));
      expect(errorRow?.targetLabel).toMatch(new RegExp(`^${name}-`));
      const workloadId = errorRow!.targetId!;
      expect(await rowOf(workloadId)).toBeUndefined();
      await waitUntilNothingLeft(workloadId);
    } finally {
      await core.deleteNamespacedResourceQuota({ name: "no-more-pods", namespace });
    }
  });

  test("other teams get not-found for every pod action and read; viewers read but may not change", async () => {
    const created = await create(world.owner);
    const ref = { workloadId: created.id };

    // A member of another team: not found everywhere.
    await expect(create(world.outsider)).rejects.toBeInstanceOf(NotFoundError);
    await expect(executeAction(resetSshPodAction.definition, world.outsider, ref, db())).rejects.toBeInstanceOf(NotFoundError);
    await expect(executeAction(deleteSshPodAction.definition, world.outsider, { id: created.id, confirmName: created.name }, db())).rejects.toBeInstanceOf(NotFoundError);
    // Reads are scoped by team: the pod id under the outsider's own team is not found either.
    await expect(getSshPod(db(), world.teamB, created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(readSshPodLogs(db(), world.teamB, created.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listTeamSshPods(db(), world.teamB)).map((p) => p.id)).not.toContain(created.id);
    // A pod of another team's cluster cannot be created in one's own namespace by naming it.
    await expect(create(world.outsider, { teamId: world.teamB, clusterId: crypto.randomUUID() })).rejects.toBeInstanceOf(ValidationError);

    // A viewer of the team: forbidden to change, allowed to read.
    await expect(create(world.viewer)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(executeAction(resetSshPodAction.definition, world.viewer, ref, db())).rejects.toBeInstanceOf(ForbiddenError);
    await expect(executeAction(deleteSshPodAction.definition, world.viewer, { id: created.id, confirmName: created.name }, db())).rejects.toBeInstanceOf(ForbiddenError);
    const denied = await db().select().from(auditEvents).where(and(eq(auditEvents.actorId, world.viewer.actor.userId), eq(auditEvents.outcome, "denied")));
    expect(denied.map((r) => r.action).sort()).toEqual(["pod.create", "pod.delete", "pod.reset"]);
    expect(await rowOf(created.id)).toBeDefined();

    // REST: 404 for a team the caller cannot see, 200 for their own, 401 without credentials.
    const get = (teamId: string, token?: string, query = "") =>
      listTeamPodsResponse(new Request(`http://localhost/api/teams/${teamId}/pods${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }), teamId, db());
    const foreign = await get(world.teamA, world.outsiderToken);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(await foreign.json())).not.toContain(created.id);
    expect((await get(world.teamB, world.outsiderToken)).status).toBe(200);
    const own = await get(world.teamA, world.viewerToken);
    expect(own.status).toBe(200);
    const { pods } = (await own.json()) as { pods: SshPodView[] };
    expect(pods.find((p) => p.id === created.id)?.runtime.status).toMatch(/Pending|ContainerCreating|Running/);
    expect(((await (await get(world.teamA, world.viewerToken, "?mine=1")).json()) as { pods: SshPodView[] }).pods).toEqual([]);
    expect((await get(world.teamA, "mc_not_a_real_token")).status).toBe(401);
    const logsOf = (teamId: string, token: string) =>
      podLogsResponse(new Request(`http://localhost/api/teams/${teamId}/pods/${created.id}/logs`, { headers: { authorization: `Bearer ${token}` } }), teamId, created.id, db());
    expect((await logsOf(world.teamA, world.outsiderToken)).status).toBe(404);
    expect((await logsOf(world.teamB, world.outsiderToken)).status).toBe(404);
    expect((await logsOf(world.teamA, world.viewerToken)).status).toBe(200);
    expect((await get(world.teamA, world.viewerToken.slice(0, -2) + "xx")).status).toBe(401);

    await executeAction(deleteSshPodAction.definition, world.owner, { id: created.id, confirmName: created.name }, db());
    await waitUntilNothingLeft(created.id);
  });

  test("the panel's terminal key is made once, however many ask at the same time", async () => {
    const keys = await Promise.all([getPanelTerminalKey(db()), getPanelTerminalKey(db()), getPanelTerminalKey(db())]);
    expect(new Set(keys.map((k) => k.publicKey)).size).toBe(1);
    expect(keys[0]!.publicKey).toMatch(/^ssh-ed25519 \S+ minicloud-panel$/);
  });
});
