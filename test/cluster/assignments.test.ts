// Assigning clusters to teams against the real control plane: the namespace and what fences
// it in exist with our labels, quotas update in place, refusals change nothing, a failure
// half-way leaves nothing behind, impersonated team requests stay inside their namespace,
// and unassigning deletes the namespace and the rows.
import {
  CoreV1Api,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type V1Namespace,
  type V1ResourceQuota,
} from "@kubernetes/client-node";
import { and, eq } from "drizzle-orm";
import { describe, expect } from "vitest";
import { assignCluster, getTeamAssignment, listTeamAssignments, unassignCluster, describeTeamNamespace } from "@/lib/clusters/assignments";
import { LIMIT_RANGE_NAME, NETWORK_POLICY_NAME, QUOTA_NAME, TEAM_ROLE_NAME, teamNamespaceName } from "@/lib/clusters/team-namespace";
import { clusterAssignments, clusters, workloads } from "@/lib/db/schema";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import { getClusterConnection, teamIdentity } from "@/lib/kube/clients";
import { ASSIGNMENT_LABEL, MANAGED_BY, ORG_LABEL, TEAM_LABEL } from "@/lib/kube/labels";
import { kube } from "@/lib/kube/transport";
import { auditRows, createOrgWithTeams, createUser, limitedKubeconfig } from "./cluster-fixtures";
import { insertLocalCluster, podSpec, test, uniqueName, useDatabase, waitFor, waitForPod } from "./helpers";
import { registerCluster } from "@/lib/clusters/service";

const NO_QUOTA = { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null };

// Gone, or on its way (namespace deletion takes at least 5 s in any cluster).
async function namespaceGoneOrGoing(core: CoreV1Api, name: string): Promise<boolean> {
  const ns: V1Namespace | null = await core.readNamespace({ name }).catch(() => null);
  return ns === null || Boolean(ns.metadata?.deletionTimestamp);
}

describe("cluster assignments", () => {
  const db = useDatabase();
  const actor = async () => {
    const user = await createUser(db(), { platformAdmin: true });
    return { userId: user.id, label: user.email };
  };

  test("assigning creates the namespace, quota, limits and same-namespace policy with our labels, and pods are admitted at once", async ({ kc }) => {
    const cluster = await insertLocalCluster(db());
    const { orgId, orgSlug, teams } = await createOrgWithTeams(db());
    const team = teams[0]!;
    const who = await actor();
    const quota = { cpuMillicores: 2000, memoryMib: 4096, maxPods: 5, maxVms: 2, storageGib: 20 };

    const assignment = await assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota });
    expect(assignment.namespace).toBe(`mc-${orgSlug}-${team.slug}`);
    expect(assignment.created).toBe(true);

    const core = kc.makeApiClient(CoreV1Api);
    const expectedLabels = { [MANAGED_BY]: "minicloud", [ORG_LABEL]: orgId, [TEAM_LABEL]: team.id, [ASSIGNMENT_LABEL]: assignment.id };
    const ns = await core.readNamespace({ name: assignment.namespace });
    expect(ns.metadata?.labels).toMatchObject(expectedLabels);

    const rq = await core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: assignment.namespace });
    expect(rq.metadata?.labels).toMatchObject(expectedLabels);
    expect(rq.spec?.hard).toEqual({
      "requests.cpu": "2",
      "requests.memory": "4Gi",
      pods: "5",
      "count/virtualmachines.kubevirt.io": "2",
      "requests.storage": "20Gi",
    });
    // Counted already: the service waited for the quota controller.
    expect(rq.status?.hard).toEqual(rq.spec?.hard);

    const lr = await core.readNamespacedLimitRange({ name: LIMIT_RANGE_NAME, namespace: assignment.namespace });
    expect(lr.metadata?.labels).toMatchObject(expectedLabels);
    expect(lr.spec?.limits[0]).toMatchObject({ type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" } });

    const np = await kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: NETWORK_POLICY_NAME, namespace: assignment.namespace });
    expect(np.metadata?.labels).toMatchObject(expectedLabels);
    expect(np.spec?.podSelector).toEqual({});
    expect(np.spec?.policyTypes).toEqual(["Ingress"]);
    expect(np.spec?.ingress).toEqual([{ _from: [{ podSelector: {} }] }]);

    // No impersonation on this cluster: no team Role.
    await expect(kc.makeApiClient(RbacAuthorizationV1Api).readNamespacedRole({ name: TEAM_ROLE_NAME, namespace: assignment.namespace })).rejects.toMatchObject({ code: 404 });

    // A pod without requests is admitted immediately, with the LimitRange's defaults.
    const pod = await core.createNamespacedPod({ namespace: assignment.namespace, body: podSpec("first") });
    expect(pod.spec?.containers[0]?.resources?.requests).toEqual({ cpu: "100m", memory: "128Mi" });
    await waitForPod(kc, assignment.namespace, "first", (p) => p.status?.phase === "Running");

    const [row] = await db().select().from(clusterAssignments).where(eq(clusterAssignments.id, assignment.id));
    expect(row).toMatchObject({ clusterId: cluster.id, teamId: team.id, namespace: assignment.namespace, ...quota });
    expect(await getTeamAssignment(db(), cluster.id, team.id)).toMatchObject({ id: assignment.id, clusterName: cluster.name, quota });
    expect(await listTeamAssignments(db(), team.id)).toEqual([expect.objectContaining({ id: assignment.id, namespace: assignment.namespace })]);

    const audit = (await auditRows(db(), "cluster.assign")).filter((r) => r.teamId === team.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: "success", actorId: who.userId, orgId, targetId: cluster.id, detail: expect.objectContaining({ namespace: assignment.namespace, quota }) });

    await unassignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, confirmName: assignment.namespace });
  });

  test("re-assigning updates the quota in place; a quota below current use is refused with a field message and changes nothing", async ({ kc }) => {
    const cluster = await insertLocalCluster(db());
    const { teams } = await createOrgWithTeams(db());
    const team = teams[0]!;
    const who = await actor();
    const first = await assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: { ...NO_QUOTA, maxPods: 4, cpuMillicores: 1000 } });
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: first.namespace, body: podSpec("a") });
    await core.createNamespacedPod({ namespace: first.namespace, body: podSpec("b") });
    // Wait until the quota controller has counted both pods.
    await waitFor<V1ResourceQuota>(kc, { apiVersion: "v1", kind: "ResourceQuota", namespace: first.namespace }, (quotas) => quotas[0]?.status?.used?.pods === "2", {
      description: "two pods counted in the quota",
    });

    const second = await assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: { ...NO_QUOTA, maxPods: 6, memoryMib: 2048 } });
    expect(second).toMatchObject({ id: first.id, namespace: first.namespace, created: false });
    const rq = await core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: first.namespace });
    expect(rq.spec?.hard).toEqual({ pods: "6", "requests.memory": "2Gi" });
    expect(rq.status?.hard).toEqual(rq.spec?.hard);

    const auditBefore = (await auditRows(db(), "cluster.assign")).filter((r) => r.teamId === team.id);
    expect(auditBefore).toHaveLength(2);
    expect(auditBefore[1]!.detail).toMatchObject({ previousQuota: expect.objectContaining({ maxPods: 4, cpuMillicores: 1000 }) });

    const lower = assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: { ...NO_QUOTA, maxPods: 1 } });
    await expect(lower).rejects.toBeInstanceOf(ValidationError);
    await expect(lower).rejects.toMatchObject({ fieldErrors: { maxPods: "The team already uses 2 pods here; set at least that much, or free some first." } });
    const unchanged = await core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: first.namespace });
    expect(unchanged.spec?.hard).toEqual({ pods: "6", "requests.memory": "2Gi" });
    expect(await getTeamAssignment(db(), cluster.id, team.id)).toMatchObject({ quota: { ...NO_QUOTA, maxPods: 6, memoryMib: 2048 } });
    expect((await auditRows(db(), "cluster.assign")).filter((r) => r.teamId === team.id)).toHaveLength(2);

    // Bad input: field messages, nothing written.
    const bad = assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: { ...NO_QUOTA, maxPods: -1, cpuMillicores: 1.5 } });
    await expect(bad).rejects.toMatchObject({ fieldErrors: { maxPods: "The pod count cannot be negative.", cpuMillicores: "Enter CPU (millicores) as a whole number." } });
    expect(await getTeamAssignment(db(), cluster.id, team.id)).toMatchObject({ quota: { ...NO_QUOTA, maxPods: 6, memoryMib: 2048 } });

    await unassignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, confirmName: first.namespace });
  });

  test("a namespace of the same name not made by minicloud for this team is refused, untouched, and no row is written", async ({ kc }) => {
    const cluster = await insertLocalCluster(db());
    const { orgSlug, teams } = await createOrgWithTeams(db());
    const team = teams[0]!;
    const name = teamNamespaceName(orgSlug, team.slug);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name, labels: { owner: "someone-else" } } } });
    try {
      const call = assignCluster(db(), await actor(), { clusterId: cluster.id, teamId: team.id, quota: { ...NO_QUOTA, maxPods: 3 } });
      await expect(call).rejects.toBeInstanceOf(ConflictError);
      await expect(call).rejects.toThrow(`Namespace “${name}” already exists in cluster “${cluster.name}” and was not made by minicloud for this team`);
      const ns = await core.readNamespace({ name });
      expect(ns.metadata?.labels).toEqual({ owner: "someone-else", "kubernetes.io/metadata.name": name });
      expect(ns.metadata?.deletionTimestamp).toBeUndefined();
      await expect(core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: name })).rejects.toMatchObject({ code: 404 });
      expect(await getTeamAssignment(db(), cluster.id, team.id)).toBeNull();
      expect((await auditRows(db(), "cluster.assign")).filter((r) => r.teamId === team.id)).toHaveLength(0);
    } finally {
      await core.deleteNamespace({ name }).catch(() => {});
    }
  });

  test("a failure half-way (the cluster refuses a later object) removes the namespace it created and writes no row", async ({ kc, namespace }) => {
    // The panel's credentials here may create namespaces and quotas but not LimitRanges.
    const limited = await limitedKubeconfig(kc, namespace, [
      { apiGroups: [""], resources: ["namespaces", "resourcequotas"], verbs: ["get", "list", "watch", "create", "update", "delete"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"], verbs: ["create"] },
    ]);
    try {
      const who = await actor();
      const { cluster } = await registerCluster(db(), who, { name: uniqueName("limited"), source: { kind: "kubeconfig", kubeconfig: limited.kubeconfig } });
      const { orgSlug, teams } = await createOrgWithTeams(db());
      const team = teams[0]!;
      const call = assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: { ...NO_QUOTA, maxPods: 3 } });
      await expect(call).rejects.toBeInstanceOf(ForbiddenError);
      await expect(call).rejects.toThrow(/does not allow the panel to (read|create) LimitRange/);
      const name = teamNamespaceName(orgSlug, team.slug);
      expect(await namespaceGoneOrGoing(kc.makeApiClient(CoreV1Api), name)).toBe(true);
      expect(await getTeamAssignment(db(), cluster.id, team.id)).toBeNull();
      expect((await auditRows(db(), "cluster.assign")).filter((r) => r.teamId === team.id)).toHaveLength(0);
    } finally {
      await limited.cleanup();
    }
  });

  test("with impersonation, the team's group gets a Role in its namespace and team requests are refused in another team's namespace", async ({ kc }) => {
    const cluster = await insertLocalCluster(db(), uniqueName("imp"), { impersonation: true });
    const { teams } = await createOrgWithTeams(db(), 2);
    const [a, b] = teams as [(typeof teams)[0], (typeof teams)[0]];
    const who = await actor();
    const nsA = (await assignCluster(db(), who, { clusterId: cluster.id, teamId: a.id, quota: { ...NO_QUOTA, maxPods: 10 } })).namespace;
    const nsB = (await assignCluster(db(), who, { clusterId: cluster.id, teamId: b.id, quota: { ...NO_QUOTA, maxPods: 10 } })).namespace;

    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readNamespacedRole({ name: TEAM_ROLE_NAME, namespace: nsA });
    expect(role.metadata?.labels?.[TEAM_LABEL]).toBe(a.id);
    expect(role.rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resources: ["pods/exec", "pods/portforward"], verbs: ["get", "create"] }),
        expect.objectContaining({ resources: ["pods/log"], verbs: ["get"] }),
      ]),
    );
    const binding = await rbac.readNamespacedRoleBinding({ name: TEAM_ROLE_NAME, namespace: nsA });
    expect(binding.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: teamIdentity(a.id).group }]);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TEAM_ROLE_NAME });

    const connection = await getClusterConnection(db(), cluster.id);
    expect(connection.impersonation).toBe(true);
    const asA = connection.forTeam(a.id).makeApiClient(CoreV1Api);
    await kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: nsA, body: podSpec("mine") });
    const own = await kube(connection, `list pods in ${nsA}`, () => asA.listNamespacedPod({ namespace: nsA }));
    expect(own.items.map((p) => p.metadata?.name)).toEqual(["mine"]);
    await expect(kube(connection, `list pods in ${nsB}`, () => asA.listNamespacedPod({ namespace: nsB }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(kube(connection, "list namespaces", () => asA.listNamespace())).rejects.toBeInstanceOf(ForbiddenError);

    await unassignCluster(db(), who, { clusterId: cluster.id, teamId: a.id, confirmName: nsA });
    await unassignCluster(db(), who, { clusterId: cluster.id, teamId: b.id, confirmName: nsB });
  });

  test("unassigning lists the namespace's contents, needs the typed namespace name, then deletes the namespace, the assignment and the team's workload rows there", async ({ kc }) => {
    const cluster = await insertLocalCluster(db());
    const { teams } = await createOrgWithTeams(db());
    const team = teams[0]!;
    const who = await actor();
    const { namespace } = await assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: NO_QUOTA });
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace, body: podSpec("web") });
    await core.createNamespacedService({ namespace, body: { metadata: { name: "web" }, spec: { ports: [{ port: 22 }], selector: { app: "web" } } } });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: "keys" }, stringData: { a: "b" } } });
    await db().insert(workloads).values({ teamId: team.id, clusterId: cluster.id, kind: "ssh-pod", namespace, name: "web", createdBy: who.userId });

    const contents = await describeTeamNamespace(db(), cluster.id, team.id);
    expect(contents).toMatchObject({ namespace, exists: true, pods: ["web"], services: ["web"], persistentVolumeClaims: [] });
    expect(contents.virtualMachines).toEqual([]); // the stand-in KubeVirt API is installed
    expect(contents.secretCount).toBeGreaterThanOrEqual(1);

    const wrong = unassignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, confirmName: "nope" });
    await expect(wrong).rejects.toMatchObject({ fieldErrors: { confirmName: `Type “${namespace}” to confirm.` } });
    expect((await core.readNamespace({ name: namespace })).metadata?.deletionTimestamp).toBeUndefined();
    expect(await getTeamAssignment(db(), cluster.id, team.id)).not.toBeNull();

    const result = await unassignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, confirmName: namespace });
    expect(result).toEqual({ namespace, workloadsRemoved: 1 });
    expect(await namespaceGoneOrGoing(core, namespace)).toBe(true);
    expect(await getTeamAssignment(db(), cluster.id, team.id)).toBeNull();
    expect(await db().select().from(workloads).where(and(eq(workloads.clusterId, cluster.id), eq(workloads.teamId, team.id)))).toEqual([]);
    const audit = (await auditRows(db(), "cluster.unassign")).filter((r) => r.teamId === team.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ namespace, namespaceDeleted: true, workloadsRemoved: ["ssh-pod web"] });
    expect(await db().select().from(clusters).where(eq(clusters.id, cluster.id))).toHaveLength(1);
  });
});
