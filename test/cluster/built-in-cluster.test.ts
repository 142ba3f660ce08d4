// The built-in cluster's registration against the real control plane: the first start registers
// it as "local" with its badge flag, audited; a restart (a fresh, empty control plane) keeps the
// same row with new credentials, and makes every team namespace again as its assignment says,
// on behalf of the admin who first registered it.
import { readFileSync } from "node:fs";
import { CoreV1Api, type V1Namespace } from "@kubernetes/client-node";
import { and, eq } from "drizzle-orm";
import { describe, expect } from "vitest";
import { assignCluster } from "@/lib/clusters/assignments";
import { builtInClusterId, registerBuiltInCluster, restoreBuiltInAssignments } from "@/lib/clusters/built-in";
import { QUOTA_NAME } from "@/lib/clusters/team-namespace";
import { auditEvents, clusters } from "@/lib/db/schema";
import { createOrgWithTeams, createUser } from "./cluster-fixtures";
import { clusterKubeconfigPath, test, useDatabase, waitFor } from "./helpers";

describe("the built-in cluster's registration", () => {
  const db = useDatabase();

  test("registers once, re-registers the same row after a restart and makes the team namespaces again", async ({ kc }) => {
    const kubeconfig = readFileSync(clusterKubeconfigPath(), "utf8");
    const admin = await createUser(db(), { platformAdmin: true });
    expect(await builtInClusterId(db())).toBeNull();

    const first = await registerBuiltInCluster(db(), { actorId: admin.id, actorLabel: admin.email }, kubeconfig);
    expect(first.restarted).toBe(false);
    expect(first.check.version).toBe("v1.35.4");
    const [row] = await db().select().from(clusters).where(eq(clusters.id, first.clusterId));
    expect(row).toMatchObject({ name: "local", builtIn: true, kind: "host" });
    expect(row?.identity).toBeTruthy();
    expect(await builtInClusterId(db())).toBe(first.clusterId);

    const { teams } = await createOrgWithTeams(db());
    const quota = { cpuMillicores: 1000, memoryMib: 1024, maxPods: 3, maxVms: null, storageGib: null };
    const assignment = await assignCluster(db(), { userId: admin.id, label: admin.email }, { clusterId: first.clusterId, teamId: teams[0]!.id, quota });

    // What a restart looks like to the panel: the control plane comes back without the namespace.
    const core = kc.makeApiClient(CoreV1Api);
    await core.deleteNamespace({ name: assignment.namespace });
    await waitFor<V1Namespace>(kc, { apiVersion: "v1", kind: "Namespace", fieldSelector: `metadata.name=${assignment.namespace}` }, (items) => items.length === 0, {
      description: `namespace ${assignment.namespace} gone`,
      timeoutMs: 60_000,
    });

    const panelStart = { actorId: null, actorLabel: "minicloud (panel start)" };
    const again = await registerBuiltInCluster(db(), panelStart, kubeconfig);
    expect(again).toMatchObject({ clusterId: first.clusterId, restarted: true });
    expect((await db().select().from(clusters)).length).toBe(1);
    expect(await restoreBuiltInAssignments(db(), first.clusterId, panelStart)).toEqual([]);

    const quotaObject = await core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: assignment.namespace });
    expect(quotaObject.spec?.hard).toMatchObject({ "requests.cpu": "1", pods: "3" });
    const restored = await db()
      .select({ actorId: auditEvents.actorId, actorLabel: auditEvents.actorLabel })
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, first.clusterId), eq(auditEvents.action, "cluster.assign")))
      .orderBy(auditEvents.seq);
    expect(restored).toHaveLength(2);
    expect(restored.at(-1)).toEqual({ actorId: admin.id, actorLabel: `${admin.email} (restored at panel start)` });
    const actions = (await db().select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.targetId, first.clusterId))).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["cluster.register", "cluster.built-in.restart"]));
  });
});
