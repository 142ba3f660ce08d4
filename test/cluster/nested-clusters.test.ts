// Nested clusters (hosted control planes) against the real local control plane: the pod runner
// plays the control plane's pods as real etcd / kube-apiserver / kube-controller-manager /
// kube-scheduler processes, so the nested cluster created through the service is a real one.
// Proven with the kubeconfig the panel offers for download; then assigned to a team like any
// other cluster, and deleted leaving no object in the host and no row. A create failing at a
// step is rolled back whole.
import { AuthenticationV1Api, CoordinationV1Api, CoreV1Api, KubeConfig, type V1Namespace } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { describe, expect } from "vitest";
import { assignCluster } from "@/lib/clusters/assignments";
import { QUOTA_NAME } from "@/lib/clusters/team-namespace";
import { clusterAssignments, clusters, nestedControlPlanes, workloads } from "@/lib/db/schema";
import { ValidationError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { WORKLOAD_LABEL } from "@/lib/kube/labels";
import { etcdMemberHealth, nestedGet, parseReadyz } from "@/lib/nested/health";
import { nestedStepHooks, nestedTimings } from "@/lib/nested/lifecycle-driver";
import { createNestedCluster, deleteNestedCluster, downloadAdminKubeconfig, getNestedCluster, lastCreateError } from "@/lib/nested/service";
import { loadPki } from "@/lib/nested/store";
import { STEPS } from "@/lib/nested/types";
import { openSecret } from "@/lib/crypto/secret-box";
import { getEnv } from "@/lib/env";
import { pkiSealContext } from "@/lib/nested/store";
import { auditRows, createOrgWithTeams, createUser } from "./cluster-fixtures";
import { insertLocalCluster, test, useDatabase } from "./helpers";

const LONG = 240_000;

async function until<T>(what: string, read: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const namespaceOf = (kc: KubeConfig, name: string): Promise<V1Namespace | null> => kc.makeApiClient(CoreV1Api).readNamespace({ name }).catch(() => null);

describe("nested clusters", () => {
  const db = useDatabase();

  async function setup() {
    const host = await insertLocalCluster(db());
    const { teams } = await createOrgWithTeams(db(), 2);
    const admin = await createUser(db(), { platformAdmin: true });
    const actor = { userId: admin.id, label: admin.email };
    // The host must be one of the owning team's clusters.
    await assignCluster(db(), actor, { clusterId: host.id, teamId: teams[0]!.id, quota: {} });
    return { host, owner: teams[0]!, other: teams[1]!, actor };
  }

  test(
    "a nested cluster created through the service is a working Kubernetes cluster, assignable to teams, and deleting it leaves nothing",
    async ({ kc }) => {
      const { host, owner, other, actor } = await setup();
      const started = await createNestedCluster(db(), actor, { teamId: owner.id, hostClusterId: host.id, name: "Demo plane", version: "v1.35.4" });
      const outcome = await started.done;
      expect(outcome.state).toBe("ready");

      const view = (await getNestedCluster(db(), started.id))!;
      expect(view.steps.map((s) => [s.step, s.state])).toEqual(STEPS.map((s) => [s, "done"]));
      expect(view.registered).toBe(true);
      expect(view.certificates.find((c) => c.name === "apiserver")!.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);

      // Registered as a cluster of kind nested, its parent recorded.
      const [registered] = await db().select().from(clusters).where(eq(clusters.id, started.id));
      expect(registered).toMatchObject({ kind: "nested", parentClusterId: host.id, nestedNamespace: started.namespace, nestedVersion: "v1.35.4" });

      // Private keys: sealed in the database; in the host only as Secrets of the nested namespace.
      const [plane] = await db().select().from(nestedControlPlanes).where(eq(nestedControlPlanes.workloadId, started.id));
      expect(plane!.pkiEncrypted).not.toContain("PRIVATE KEY");
      expect(openSecret(getEnv().encryptionKey, pkiSealContext(started.id), plane!.pkiEncrypted)).toContain("PRIVATE KEY");
      const hostCore = kc.makeApiClient(CoreV1Api);
      const secrets = await hostCore.listSecretForAllNamespaces({ labelSelector: `${WORKLOAD_LABEL}=${started.id}` });
      expect(new Set(secrets.items.map((s) => s.metadata!.namespace))).toEqual(new Set([started.namespace]));

      // The kubeconfig the panel offers for download.
      const download = await downloadAdminKubeconfig(db(), actor, { clusterId: started.id });
      expect((await auditRows(db(), "nested.kubeconfig.download")).at(-1)).toMatchObject({ targetId: started.id, outcome: "success" });
      const nested = new KubeConfig();
      nested.loadFromString(download.text);

      const readyz = await nestedGet(nested, "/readyz");
      expect(readyz).toEqual({ status: 200, body: "ok" });
      const verbose = await nestedGet(nested, "/readyz?verbose");
      expect("body" in verbose && parseReadyz(verbose.body).find((c) => c.name === "etcd")).toEqual({ name: "etcd", ok: true });

      const review = await nested.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" } });
      expect(review.status?.userInfo?.username).toBe("kubernetes-admin");
      expect(review.status?.userInfo?.groups).toContain("system:masters");

      const nestedCore = nested.makeApiClient(CoreV1Api);
      await nestedCore.createNamespace({ body: { metadata: { name: "inside" } } });
      // The nested controller-manager works: it gives the new namespace its default ServiceAccount.
      const account = await until("the default ServiceAccount in the nested namespace", () => nestedCore.readNamespacedServiceAccount({ name: "default", namespace: "inside" }));
      expect(account.metadata?.name).toBe("default");

      const lease = await nested.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: "kube-scheduler", namespace: "kube-system" });
      expect(lease.spec?.holderIdentity).toBeTruthy();

      const hostConnection = await getClusterConnection(db(), host.id);
      expect(await etcdMemberHealth(hostConnection, started.namespace, "etcd-0", (await loadPki(db(), started.id))!)).toEqual({ healthy: true });

      // Assigned to a team like any other cluster: the team's namespace and quota, inside the nested cluster.
      const assignment = await assignCluster(db(), actor, { clusterId: started.id, teamId: other.id, quota: { cpuMillicores: 1000, memoryMib: 2048, maxPods: 10 } });
      const teamNamespace = await nestedCore.readNamespace({ name: assignment.namespace });
      expect(teamNamespace.metadata?.name).toBe(assignment.namespace);
      const quota = await nestedCore.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: assignment.namespace });
      expect(quota.spec?.hard).toMatchObject({ "requests.cpu": "1", "requests.memory": "2Gi", pods: "10" });
      expect(await namespaceOf(kc, assignment.namespace)).toBeNull(); // not in the host

      // Deleting leaves no object in the host and no row.
      expect(await deleteNestedCluster(db(), actor, { clusterId: started.id, confirmName: "Demo plane" })).toBe("deleted");
      expect(await namespaceOf(kc, started.namespace)).toBeNull();
      for (const list of [
        hostCore.listPodForAllNamespaces({ labelSelector: `${WORKLOAD_LABEL}=${started.id}` }),
        hostCore.listSecretForAllNamespaces({ labelSelector: `${WORKLOAD_LABEL}=${started.id}` }),
        hostCore.listServiceForAllNamespaces({ labelSelector: `${WORKLOAD_LABEL}=${started.id}` }),
        hostCore.listPersistentVolumeClaimForAllNamespaces({ labelSelector: `${WORKLOAD_LABEL}=${started.id}` }),
      ]) {
        expect((await list).items).toEqual([]);
      }
      expect(await db().select().from(workloads).where(eq(workloads.id, started.id))).toEqual([]);
      expect(await db().select().from(clusters).where(eq(clusters.id, started.id))).toEqual([]);
      expect(await db().select().from(clusterAssignments).where(eq(clusterAssignments.clusterId, started.id))).toEqual([]);
      expect(await db().select().from(nestedControlPlanes).where(eq(nestedControlPlanes.workloadId, started.id))).toEqual([]);
      expect((await auditRows(db(), "nested.delete")).at(-1)).toMatchObject({ targetId: started.id, outcome: "success" });
    },
    LONG,
  );

  test(
    "a create failing at a step is rolled back: no namespace in the host, no rows, the reason kept",
    async ({ kc }) => {
      const { host, owner, actor } = await setup();
      for (const failing of ["etcd", "registered"] as const) {
        nestedStepHooks.beforeStep = (step) => {
          if (step === failing) throw new ValidationError(`the ${failing} step was refused (test)`);
        };
        try {
          const started = await createNestedCluster(db(), actor, { teamId: owner.id, hostClusterId: host.id, name: `fails at ${failing}`, version: "v1.35.4" });
          await expect(started.done).rejects.toThrow(`the ${failing} step was refused (test)`);
          expect(await namespaceOf(kc, started.namespace)).toBeNull();
          expect(await db().select().from(workloads).where(eq(workloads.id, started.id))).toEqual([]);
          expect(await db().select().from(clusters).where(eq(clusters.id, started.id))).toEqual([]);
          expect(await db().select().from(nestedControlPlanes).where(eq(nestedControlPlanes.workloadId, started.id))).toEqual([]);
          expect(await lastCreateError(db(), started.id)).toContain(`the ${failing} step was refused (test)`);
        } finally {
          nestedStepHooks.beforeStep = undefined;
        }
      }
    },
    LONG,
  );

  test(
    "etcd that never becomes healthy fails its step in plain words and the create is rolled back",
    async ({ kc }) => {
      const { host, owner, actor } = await setup();
      const saved = { ...nestedTimings };
      nestedTimings.stepTimeoutMs = 8_000;
      try {
        // An image the pod runner does not play: the pod "runs" on kwok, but no etcd answers.
        const started = await createNestedCluster(db(), actor, {
          teamId: owner.id,
          hostClusterId: host.id,
          name: "no etcd",
          version: "v1.35.4",
          images: { etcd: "registry.example.test/not-etcd:1" },
        });
        await expect(started.done).rejects.toThrow(/The etcd members did not become healthy within 8 s: etcd-0: /);
        expect(await namespaceOf(kc, started.namespace)).toBeNull();
        expect(await db().select().from(workloads).where(eq(workloads.id, started.id))).toEqual([]);
      } finally {
        Object.assign(nestedTimings, saved);
      }
    },
    LONG,
  );
});
