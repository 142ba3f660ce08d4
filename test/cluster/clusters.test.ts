// Registering host clusters against the real control plane: a good kubeconfig is checked and
// stored sealed; an unreachable one or one that runs programs is refused with nothing stored;
// a ServiceAccount with little RBAC is stored with what is missing in plain words. Settings,
// health, and disconnecting with and without deleting what minicloud made.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { CoreV1Api } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect } from "vitest";
import { assignCluster, getTeamAssignment } from "@/lib/clusters/assignments";
import { getClusterHealth } from "@/lib/clusters/health";
import { disconnectCluster, getCluster, listClusters, listManagedObjects, recheckCluster, registerCluster, updateClusterSettings } from "@/lib/clusters/service";
import { DEFAULT_SSH_IMAGE, readClusterSettings } from "@/lib/clusters/settings";
import { TEAM_ROLE_NAME } from "@/lib/clusters/team-namespace";
import { quantityValue, toMillicores } from "@/lib/kube/quantity";
import { openSecret } from "@/lib/crypto/secret-box";
import { clusterAssignments, clusters, workloads } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { ConflictError, UnavailableError, ValidationError } from "@/lib/errors";
import { kubeconfigSealContext } from "@/lib/kube/clients";
import { CLUSTER_LABEL, MANAGED_BY } from "@/lib/kube/labels";
import { auditRows, createOrgWithTeams, createUser, limitedKubeconfig } from "./cluster-fixtures";
import { clusterKubeconfigPath, podSpec, test, uniqueName, useDatabase } from "./helpers";

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const adminKubeconfigText = () => readFileSync(clusterKubeconfigPath(), "utf8");
const NO_QUOTA = { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null };

describe("host clusters", () => {
  const db = useDatabase();
  const actor = async () => {
    const user = await createUser(db(), { platformAdmin: true });
    return { userId: user.id, label: user.email };
  };
  const countClusters = async () => (await db().select({ id: clusters.id }).from(clusters)).length;
  // One cluster is registered once, and every test here registers the local one: each test's
  // registration rows go when it ends (what they made in the cluster is the test's own business).
  afterEach(async () => {
    await db().delete(workloads);
    await db().delete(clusterAssignments);
    await db().delete(clusters);
  });

  test("registering with a good kubeconfig checks the cluster and stores the kubeconfig sealed", async () => {
    const who = await actor();
    const name = uniqueName("good");
    const { cluster, check } = await registerCluster(db(), who, { name, source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText(), context: "minicloud-local" } });
    expect(check).toMatchObject({ reachable: true, version: "v1.35.4", nodes: { ready: 3, total: 3 }, apis: { kubevirt: true, cdi: true, metrics: false }, missing: [] });
    expect(cluster).toMatchObject({ name, slug: name, kind: "host", inCluster: false, server: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) });
    expect(JSON.stringify(cluster)).not.toContain("client-key-data");

    const [row] = await db().select().from(clusters).where(eq(clusters.id, cluster.id));
    expect(row!.kubeconfigEncrypted).toBeTruthy();
    expect(row!.kubeconfigEncrypted).not.toContain("client-key-data");
    const opened = openSecret(getEnv().encryptionKey, kubeconfigSealContext(cluster.id), row!.kubeconfigEncrypted!);
    expect(opened).toContain("minicloud-local");
    expect(row!.lastCheck).toMatchObject({ reachable: true, missing: [] });
    expect(row!.checkedAt).toBeInstanceOf(Date);

    const audit = (await auditRows(db(), "cluster.register")).filter((r) => r.targetId === cluster.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: "success", actorId: who.userId, targetLabel: name, detail: expect.objectContaining({ source: "kubeconfig", version: "v1.35.4" }) });
    expect(JSON.stringify(audit[0]!.detail)).not.toContain("certificate");

    const again = registerCluster(db(), who, { name, source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText() } });
    await expect(again).rejects.toMatchObject({ fieldErrors: { name: "A cluster with this name is already registered." } });
    expect((await listClusters(db())).filter((c) => c.name === name)).toHaveLength(1);
  });

  test("an unreachable cluster is refused with the reason and nothing is stored", async () => {
    const who = await actor();
    const text = adminKubeconfigText().replace(/https:\/\/127\.0\.0\.1:\d+/, `https://127.0.0.1:${await closedPort()}`);
    const before = await countClusters();
    const call = registerCluster(db(), who, { name: uniqueName("gone"), source: { kind: "kubeconfig", kubeconfig: text } });
    await expect(call).rejects.toBeInstanceOf(UnavailableError);
    await expect(call).rejects.toThrow(/^Not registered: The cluster “gone-[0-9a-f]+” is unreachable: connection refused/);
    expect(await countClusters()).toBe(before);
  });

  test("a kubeconfig that runs a program, or is not one, gets a field message and nothing is stored", async () => {
    const who = await actor();
    const before = await countClusters();
    const exec = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
      users: [{ name: "u", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh", args: ["-c", "touch /tmp/pwned"] } } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
      "current-context": "c",
    };
    const refused = registerCluster(db(), who, { name: uniqueName("exec"), source: { kind: "kubeconfig", kubeconfig: JSON.stringify(exec) } });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ fieldErrors: { kubeconfig: expect.stringContaining("runs a program (exec)") } });

    const garbage = registerCluster(db(), who, { name: uniqueName("junk"), source: { kind: "kubeconfig", kubeconfig: "" } });
    await expect(garbage).rejects.toMatchObject({ fieldErrors: { kubeconfig: "Paste or upload a kubeconfig." } });
    const badContext = registerCluster(db(), who, { name: uniqueName("ctx"), source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText(), context: "nope" } });
    await expect(badContext).rejects.toMatchObject({ fieldErrors: { context: "Pick a context." } });
    const badName = registerCluster(db(), who, { name: "Bad_Name!", source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText() } });
    await expect(badName).rejects.toMatchObject({ fieldErrors: { name: expect.stringContaining("is not allowed") } });
    // Not running inside a cluster: "this cluster" is not available.
    const inCluster = registerCluster(db(), who, { name: uniqueName("here"), source: { kind: "in-cluster" } });
    await expect(inCluster).rejects.toMatchObject({ fieldErrors: { source: expect.stringContaining("not running inside a cluster") } });

    expect(await countClusters()).toBe(before);
    expect((await auditRows(db(), "cluster.register")).filter((r) => r.actorId === who.userId)).toHaveLength(0);
  });

  test("credentials with too little RBAC are stored with what is missing in plain words", async ({ kc, namespace }) => {
    const limited = await limitedKubeconfig(kc, namespace, [
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "create", "update", "delete"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
    ]);
    try {
      const { cluster, check } = await registerCluster(db(), await actor(), { name: uniqueName("weak"), source: { kind: "kubeconfig", kubeconfig: limited.kubeconfig } });
      expect(check.reachable).toBe(true);
      expect(check.nodes).toBeNull(); // may not list nodes
      const what = check.missing.map((m) => m.what);
      expect(what).toEqual(expect.arrayContaining(["create resourcequotas", "create pods", "create pods/exec", "get pods/exec", "create pods/portforward", "list nodes", "create virtualmachines.kubevirt.io"]));
      expect(what).not.toContain("create namespaces");
      expect(what).not.toContain("list pods");
      // Impersonation is off: not asked about.
      expect(what).not.toContain("impersonate users");
      expect(check.missing).toContainEqual({ what: "create pods/exec", why: "open browser terminals in pods" });
      expect(check.missing).toContainEqual({ what: "list nodes", why: "show nodes and their capacity" });
      expect((await getCluster(db(), cluster.id))?.check?.missing.length).toBe(check.missing.length);

      // Turning impersonation on is refused: the panel may not impersonate there.
      const settings = readClusterSettings({ settings: {} });
      const turnOn = updateClusterSettings(db(), await actor(), { clusterId: cluster.id, settings: { ...settings, impersonation: true } });
      await expect(turnOn).rejects.toMatchObject({ fieldErrors: { impersonation: "The panel may not impersonate users or impersonate groups in this cluster, which impersonation needs; grant it (see deploy/rbac.yaml) before turning impersonation on." } });
      expect(readClusterSettings((await db().select().from(clusters).where(eq(clusters.id, cluster.id)))[0]!).impersonation).toBe(false);
    } finally {
      await limited.cleanup();
    }
  });

  test("re-check stores the new result and is audited; health shows nodes, pods per node and requested against allocatable", async ({ kc, namespace }) => {
    const who = await actor();
    const { cluster } = await registerCluster(db(), who, { name: uniqueName("hc"), source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText() } });
    const check = await recheckCluster(db(), who, { clusterId: cluster.id });
    expect(check).toMatchObject({ reachable: true, missing: [] });
    expect((await auditRows(db(), "cluster.check")).filter((r) => r.targetId === cluster.id)).toHaveLength(1);

    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace,
      body: podSpec("sized", { containers: [{ name: "main", image: "debian", resources: { requests: { cpu: "250m", memory: "256Mi" } } }], nodeName: "mc-worker-1" }),
    });
    const health = await getClusterHealth(db(), cluster.id);
    expect(health).toMatchObject({ reachable: true, version: "v1.35.4", nodes: { ready: 3, total: 3 } });
    if (!health.reachable) throw new Error("unreachable");
    const worker = health.perNode.find((n) => n.name === "mc-worker-1")!;
    const node = await core.readNode({ name: "mc-worker-1" });
    expect(worker).toMatchObject({
      ready: true,
      allocatable: { cpuMillicores: toMillicores(node.status!.allocatable!.cpu), memoryBytes: quantityValue(node.status!.allocatable!.memory), pods: 110 },
    });
    expect(worker.allocatable.cpuMillicores).toBeGreaterThan(7000);
    expect(worker.pods).toBeGreaterThanOrEqual(1);
    expect(worker.requested.cpuMillicores).toBeGreaterThanOrEqual(250);
    expect(worker.requested.memoryBytes).toBeGreaterThanOrEqual(256 * 2 ** 20);
    expect(health.totals.allocatable.cpuMillicores).toBe(health.perNode.reduce((sum, n) => sum + n.allocatable.cpuMillicores, 0));
  });

  test("settings are validated, stored, audited, and impersonation creates and removes each team's Role", async ({ kc }) => {
    const who = await actor();
    const { cluster } = await registerCluster(db(), who, { name: uniqueName("set"), source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText() } });
    expect(readClusterSettings({ settings: {} }).imageCatalog).toEqual([{ label: "minicloud SSH (Debian)", image: DEFAULT_SSH_IMAGE }]);
    const { teams } = await createOrgWithTeams(db());
    const { namespace } = await assignCluster(db(), who, { clusterId: cluster.id, teamId: teams[0]!.id, quota: NO_QUOTA });
    const rbac = (await import("@kubernetes/client-node")).RbacAuthorizationV1Api;
    const roles = kc.makeApiClient(rbac);
    await expect(roles.readNamespacedRole({ name: TEAM_ROLE_NAME, namespace })).rejects.toMatchObject({ code: 404 });

    const settings = {
      nodeSelector: { "minicloud.io/pool": "dev" },
      tolerations: [{ key: "dedicated", operator: "Equal" as const, value: "dev", effect: "NoSchedule" as const }],
      storageClass: "fast",
      imageCatalog: [{ label: "Ubuntu", image: "ubuntu:24.04" }],
      vmImageCatalog: [{ label: "Fedora", image: "quay.io/containerdisks/fedora:41" }],
      vmGoldenImages: [{ label: "Debian 12", namespace: "golden-images", name: "debian-12" }],
      impersonation: true,
      removeOrphans: false,
      sshRoute: "port-forward" as const,
    };
    await updateClusterSettings(db(), who, { clusterId: cluster.id, settings });
    expect(readClusterSettings((await db().select().from(clusters).where(eq(clusters.id, cluster.id)))[0]!)).toEqual(settings);
    expect((await roles.readNamespacedRole({ name: TEAM_ROLE_NAME, namespace })).metadata?.labels?.[MANAGED_BY]).toBe("minicloud");
    await roles.readNamespacedRoleBinding({ name: TEAM_ROLE_NAME, namespace });

    const bad = updateClusterSettings(db(), who, { clusterId: cluster.id, settings: { ...settings, storageClass: "Not Valid" } });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);

    await updateClusterSettings(db(), who, { clusterId: cluster.id, settings: { ...settings, impersonation: false } });
    await expect(roles.readNamespacedRole({ name: TEAM_ROLE_NAME, namespace })).rejects.toMatchObject({ code: 404 });
    await expect(roles.readNamespacedRoleBinding({ name: TEAM_ROLE_NAME, namespace })).rejects.toMatchObject({ code: 404 });
    expect((await auditRows(db(), "cluster.settings")).filter((r) => r.targetId === cluster.id)).toHaveLength(2);
  });

  test("disconnecting without deleting objects keeps them in the cluster; refused while workloads remain", async ({ kc }) => {
    const who = await actor();
    const name = uniqueName("keep");
    const { cluster } = await registerCluster(db(), who, { name, source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText() } });
    const { teams } = await createOrgWithTeams(db());
    const team = teams[0]!;
    const { namespace } = await assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: NO_QUOTA });
    const [workload] = await db().insert(workloads).values({ teamId: team.id, clusterId: cluster.id, kind: "ssh-pod", namespace, name: "box", createdBy: who.userId }).returning();

    const managed = await listManagedObjects(db(), cluster.id);
    expect(managed.namespaces).toContain(namespace);

    const wrongName = disconnectCluster(db(), who, { clusterId: cluster.id, confirmName: "nope", deleteObjects: false });
    await expect(wrongName).rejects.toMatchObject({ fieldErrors: { confirmName: `Type “${name}” to confirm.` } });
    const withWorkloads = disconnectCluster(db(), who, { clusterId: cluster.id, confirmName: name, deleteObjects: false });
    await expect(withWorkloads).rejects.toBeInstanceOf(ConflictError);
    await expect(withWorkloads).rejects.toThrow("Workloads still run in this cluster: ssh-pod box.");
    expect(await getCluster(db(), cluster.id)).not.toBeNull();

    await db().delete(workloads).where(eq(workloads.id, workload!.id));
    await disconnectCluster(db(), who, { clusterId: cluster.id, confirmName: name, deleteObjects: false });
    expect(await getCluster(db(), cluster.id)).toBeNull();
    expect(await db().select().from(clusterAssignments).where(eq(clusterAssignments.clusterId, cluster.id))).toEqual([]);
    const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
    expect(ns.metadata?.deletionTimestamp).toBeUndefined();
    const audit = (await auditRows(db(), "cluster.disconnect")).filter((r) => r.targetId === cluster.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ deleteObjects: false, assignmentsRemoved: [team.name] });
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
  });

  test("disconnecting with “delete minicloud objects” deletes this registration's namespaces and labelled objects elsewhere, and the workload rows — nothing another registration made", async ({ kc, namespace: other }) => {
    const who = await actor();
    const name = uniqueName("wipe");
    const { cluster } = await registerCluster(db(), who, { name, source: { kind: "kubeconfig", kubeconfig: adminKubeconfigText() } });
    const { teams } = await createOrgWithTeams(db());
    const team = teams[0]!;
    const { namespace } = await assignCluster(db(), who, { clusterId: cluster.id, teamId: team.id, quota: NO_QUOTA });
    const core = kc.makeApiClient(CoreV1Api);
    // A labelled object of this registration outside any team namespace.
    await core.createNamespacedSecret({ namespace: other, body: { metadata: { name: "stray", labels: { [MANAGED_BY]: "minicloud", [CLUSTER_LABEL]: cluster.id } }, stringData: { a: "b" } } });
    await core.createNamespacedSecret({ namespace: other, body: { metadata: { name: "unrelated" }, stringData: { a: "b" } } });
    // Made by another registration of this cluster (another panel), or by a version that did not say which: not ours to delete.
    await core.createNamespacedSecret({ namespace: other, body: { metadata: { name: "other-panel", labels: { [MANAGED_BY]: "minicloud", [CLUSTER_LABEL]: randomUUID() } }, stringData: { a: "b" } } });
    await core.createNamespacedSecret({ namespace: other, body: { metadata: { name: "unattributed", labels: { [MANAGED_BY]: "minicloud" } }, stringData: { a: "b" } } });
    await db().insert(workloads).values({ teamId: team.id, clusterId: cluster.id, kind: "ssh-pod", namespace, name: "box", createdBy: who.userId });

    // The confirmation lists exactly what will go.
    const managed = await listManagedObjects(db(), cluster.id);
    const listedSecrets = managed.groups.find((g) => g.kind === "Secret")?.items ?? [];
    expect(listedSecrets).toContainEqual({ namespace: other, name: "stray" });
    expect(listedSecrets.filter((s) => s.namespace === other).map((s) => s.name)).toEqual(["stray"]);
    expect(managed.namespaces).toEqual([namespace]);

    const { deleted } = await disconnectCluster(db(), who, { clusterId: cluster.id, confirmName: name, deleteObjects: true });
    expect(deleted?.namespaces).toContain(namespace);
    const ns = await core.readNamespace({ name: namespace }).catch(() => null);
    expect(ns === null || Boolean(ns.metadata?.deletionTimestamp)).toBe(true);
    await expect(core.readNamespacedSecret({ name: "stray", namespace: other })).rejects.toMatchObject({ code: 404 });
    expect((await core.readNamespacedSecret({ name: "unrelated", namespace: other })).metadata?.name).toBe("unrelated");
    expect((await core.readNamespacedSecret({ name: "other-panel", namespace: other })).metadata?.name).toBe("other-panel");
    expect((await core.readNamespacedSecret({ name: "unattributed", namespace: other })).metadata?.name).toBe("unattributed");
    expect(await getCluster(db(), cluster.id)).toBeNull();
    expect(await getTeamAssignment(db(), cluster.id, team.id)).toBeNull();
    expect(await db().select().from(workloads).where(eq(workloads.clusterId, cluster.id))).toEqual([]);
    const audit = (await auditRows(db(), "cluster.disconnect")).filter((r) => r.targetId === cluster.id);
    expect(audit[0]!.detail).toMatchObject({ deleteObjects: true, workloadsRemoved: 1, namespacesDeleted: expect.arrayContaining([namespace]) });
  });

});
