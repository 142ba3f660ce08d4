// The reconciler against the real control plane: a workload whose objects were deleted behind
// the panel's back becomes lost (audited, with its reason); objects labelled with this
// registration whose workload has no row are drift — listed for the admin, removed by the
// admin (audited) or by the reconciler where the cluster's settings say so; objects of another
// registration are never touched.
import { randomUUID } from "node:crypto";
import { CoreV1Api, type V1Service } from "@kubernetes/client-node";
import { and, eq } from "drizzle-orm";
import { describe, expect } from "vitest";
import { assignCluster } from "@/lib/clusters/assignments";
import { DEFAULT_SSH_IMAGE, readClusterSettings } from "@/lib/clusters/settings";
import { auditEvents, clusters, workloads } from "@/lib/db/schema";
import { CLUSTER_LABEL, KIND_LABEL, MANAGED_BY, MANAGED_BY_VALUE, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { createSshPod } from "@/lib/pods/service";
import { findDrift, removeOrphan } from "@/lib/workloads/drift";
import { reconcileOnce } from "@/lib/workloads/reconciler";
import { removeOrphanAction } from "@/app/(panel)/admin/drift/actions";
import { executeAction } from "@/lib/actions/define-action";
import { ForbiddenError } from "@/lib/errors";
import { auditRows, callerFor, createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { insertLocalCluster, test, uniqueName, useDatabase, waitFor } from "./helpers";

const NO_QUOTA = { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null };
const later = () => new Date(Date.now() + 3_600_000); // past every grace period

/** A Service labelled as an SSH pod's of registration `clusterId`, with no row behind it. */
function orphanService(name: string, clusterId: string): V1Service {
  return {
    metadata: { name, labels: { [MANAGED_BY]: MANAGED_BY_VALUE, [KIND_LABEL]: "ssh-pod", [WORKLOAD_LABEL]: randomUUID(), [CLUSTER_LABEL]: clusterId } },
    spec: { ports: [{ port: 22 }] },
  };
}

describe("the workload reconciler", () => {
  const db = useDatabase();

  test("a pod whose objects vanished is marked lost with its reason and one audit row", async ({ kc }) => {
    const cluster = await insertLocalCluster(db());
    const user = await createUser(db());
    const actor = { userId: user.id, label: user.email };
    const { teams } = await createOrgWithTeams(db());
    const { namespace } = await assignCluster(db(), actor, { clusterId: cluster.id, teamId: teams[0]!.id, quota: NO_QUOTA });
    const created = await createSshPod(db(), actor, { teamId: teams[0]!.id, clusterId: cluster.id, name: uniqueName("lost"), image: DEFAULT_SSH_IMAGE, cpuMillicores: "100", memoryMib: "128", homeGib: "", ttlMinutes: "" });
    expect(created.state).toBe("ready");
    const core = kc.makeApiClient(CoreV1Api);
    await core.deleteNamespacedService({ name: created.name, namespace });
    await waitFor(kc, { apiVersion: "v1", kind: "Service", namespace, fieldSelector: `metadata.name=${created.name}` }, (s) => s.length === 0);

    const report = await reconcileOnce(db(), { now: later() });
    expect(report.lost).toEqual([created.id]);
    const [row] = await db().select().from(workloads).where(eq(workloads.id, created.id));
    expect(row).toMatchObject({ state: "lost", stateReason: expect.stringContaining("gone from the cluster") });
    expect((await auditRows(db(), "workload.lost")).map((r) => r.targetId)).toEqual([created.id]);
    // A second pass changes nothing and writes nothing.
    expect((await reconcileOnce(db(), { now: later() })).lost).toEqual([]);
    expect(await auditRows(db(), "workload.lost")).toHaveLength(1);
    const drift = (await findDrift(db(), later())).find((d) => d.clusterId === cluster.id)!;
    expect(drift.lost.map((l) => l.id)).toEqual([created.id]);
  });

  test("objects made before they carried the registration's label still count for their row: not lost, not drift", async ({ kc, namespace }) => {
    const cluster = await insertLocalCluster(db());
    const user = await createUser(db());
    const { teams } = await createOrgWithTeams(db());
    const [row] = await db()
      .insert(workloads)
      .values({ teamId: teams[0]!.id, clusterId: cluster.id, kind: "ssh-pod", namespace, name: uniqueName("old"), createdBy: user.id, spec: {}, stateChangedAt: new Date(Date.now() - 3_600_000) })
      .returning();
    const old = orphanService(row!.name, cluster.id);
    delete old.metadata!.labels![CLUSTER_LABEL];
    old.metadata!.labels![WORKLOAD_LABEL] = row!.id;
    await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace, body: old });
    expect((await reconcileOnce(db(), { now: later() })).lost).not.toContain(row!.id);
    expect((await db().select().from(workloads).where(eq(workloads.id, row!.id)))[0]!.state).toBe("ready");
    // With no row, such objects are not this registration's to remove.
    await db().delete(workloads).where(eq(workloads.id, row!.id));
    expect((await findDrift(db(), later())).find((d) => d.clusterId === cluster.id)!.orphans).toEqual([]);
  });

  test("orphans of this registration are listed and removed by the admin; another registration's are left alone", async ({ kc, namespace }) => {
    const cluster = await insertLocalCluster(db());
    const core = kc.makeApiClient(CoreV1Api);
    const ours = orphanService(uniqueName("orphan"), cluster.id);
    const theirs = orphanService(uniqueName("theirs"), randomUUID());
    await core.createNamespacedService({ namespace, body: ours });
    await core.createNamespacedService({ namespace, body: theirs });
    const workloadId = ours.metadata!.labels![WORKLOAD_LABEL]!;

    // Young orphans may be creates in progress: not drift yet.
    expect((await findDrift(db())).find((d) => d.clusterId === cluster.id)!.orphans).toEqual([]);
    const drift = (await findDrift(db(), later())).find((d) => d.clusterId === cluster.id)!;
    expect(drift.orphans.map((o) => [o.workloadId, o.namespace, o.objects])).toEqual([[workloadId, namespace, [{ kind: "Service", name: ours.metadata!.name }]]]);
    // The reconciler lists, it does not remove: the setting is off.
    expect((await reconcileOnce(db(), { now: later() })).orphansRemoved).toEqual([]);

    // Only platform admins may: an organization's owner is refused, audited, and nothing goes.
    const { orgId } = await createOrgWithTeams(db());
    const ownerUser = await createUser(db());
    await grant(db(), ownerUser.id, { orgId, orgRole: "owner" });
    const refused = executeAction(removeOrphanAction.definition, await callerFor(db(), ownerUser), { clusterId: cluster.id, workloadId }, db());
    await expect(refused).rejects.toBeInstanceOf(ForbiddenError);
    expect((await auditRows(db(), "workload.orphan-removed")).map((r) => r.outcome)).toEqual(["denied"]);
    expect((await core.readNamespacedService({ name: ours.metadata!.name!, namespace })).metadata?.name).toBe(ours.metadata!.name);

    const admin = await createUser(db(), { platformAdmin: true });
    await executeAction(removeOrphanAction.definition, await callerFor(db(), admin), { clusterId: cluster.id, workloadId }, db());
    await waitFor(kc, { apiVersion: "v1", kind: "Service", namespace, fieldSelector: `metadata.name=${ours.metadata!.name}` }, (s) => s.length === 0);
    expect((await core.readNamespacedService({ name: theirs.metadata!.name!, namespace })).metadata?.name).toBe(theirs.metadata!.name);
    const [, audit] = await auditRows(db(), "workload.orphan-removed");
    expect(audit).toMatchObject({ actorId: admin.id, targetId: cluster.id, detail: { workloadId, kind: "ssh-pod" } });
    // A workload with a row is never drift.
    await expect(removeOrphan(db(), { userId: admin.id, label: admin.email }, { clusterId: cluster.id, workloadId })).rejects.toThrow("Nothing of that workload is left in the cluster.");
  });

  test("with the cluster's setting on, the reconciler removes orphans by itself, audited", async ({ kc, namespace }) => {
    const cluster = await insertLocalCluster(db(), uniqueName("auto"), { removeOrphans: true });
    expect(readClusterSettings((await db().select().from(clusters).where(eq(clusters.id, cluster.id)))[0]!).removeOrphans).toBe(true);
    const core = kc.makeApiClient(CoreV1Api);
    const ours = orphanService(uniqueName("auto"), cluster.id);
    await core.createNamespacedService({ namespace, body: ours });
    const workloadId = ours.metadata!.labels![WORKLOAD_LABEL]!;
    const report = await reconcileOnce(db(), { now: later() });
    expect(report.orphansRemoved).toContain(workloadId);
    await waitFor(kc, { apiVersion: "v1", kind: "Service", namespace, fieldSelector: `metadata.name=${ours.metadata!.name}` }, (s) => s.length === 0);
    const rows = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "workload.orphan-removed"), eq(auditEvents.targetId, cluster.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorId: null, actorLabel: "minicloud (reconciler)" });
  });
});
