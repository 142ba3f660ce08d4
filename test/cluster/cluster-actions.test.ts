// Who may register and assign clusters, through the action definitions the forms use: only
// platform admins register; an org admin assigns only to their organization's teams; a team
// member cannot assign. Denials are audited and change nothing, in the database or the cluster.
import { readFileSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { describe, expect } from "vitest";
import { executeAction } from "@/lib/actions/define-action";
import { getTeamAssignment } from "@/lib/clusters/assignments";
import { listClusters } from "@/lib/clusters/service";
import { teamNamespaceName } from "@/lib/clusters/team-namespace";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { listContextsAction, registerClusterAction, updateClusterSettingsAction } from "@/app/(panel)/admin/clusters/actions";
import { assignClusterAction, unassignClusterAction } from "@/app/(panel)/orgs/[orgId]/clusters/actions";
import { auditRows, callerFor, createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { clusterKubeconfigPath, insertLocalCluster, test, uniqueName, useDatabase } from "./helpers";

describe("cluster actions: authorization", () => {
  const db = useDatabase();
  const kubeconfig = () => readFileSync(clusterKubeconfigPath(), "utf8");

  test("only platform admins read kubeconfig contexts and register clusters; a refusal is audited and stores nothing", async () => {
    const admin = await callerFor(db(), await createUser(db(), { platformAdmin: true }));
    const { orgId } = await createOrgWithTeams(db());
    const ownerUser = await createUser(db());
    await grant(db(), ownerUser.id, { orgId, orgRole: "owner" });
    const owner = await callerFor(db(), ownerUser);

    const contexts = await executeAction(listContextsAction.definition, admin, { kubeconfig: kubeconfig() }, db());
    expect(contexts.result).toEqual([{ name: "minicloud-local", server: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), insecure: false }]);
    await expect(executeAction(listContextsAction.definition, owner, { kubeconfig: kubeconfig() }, db())).rejects.toBeInstanceOf(ForbiddenError);

    const name = uniqueName("byowner");
    const refused = executeAction(registerClusterAction.definition, owner, { name, source: "kubeconfig", kubeconfig: kubeconfig() }, db());
    await expect(refused).rejects.toBeInstanceOf(ForbiddenError);
    expect((await listClusters(db())).some((c) => c.name === name)).toBe(false);
    const denied = (await auditRows(db(), "cluster.register")).filter((r) => r.actorId === owner.actor.userId);
    expect(denied).toMatchObject([{ outcome: "denied", detail: { permission: "clusters:register" } }]);

    const ok = await executeAction(registerClusterAction.definition, admin, { name, source: "kubeconfig", kubeconfig: kubeconfig(), context: "" }, db());
    expect(ok.result.missing).toBe(0);
    const settings = executeAction(updateClusterSettingsAction.definition, owner, { clusterId: ok.result.id, imageCatalog: "x = debian:12" }, db());
    await expect(settings).rejects.toBeInstanceOf(ForbiddenError);
    // The form's fields reach the service: a bad line is a field message.
    const badSettings = executeAction(updateClusterSettingsAction.definition, admin, { clusterId: ok.result.id, imageCatalog: "", nodeSelector: "oops" }, db());
    await expect(badSettings).rejects.toMatchObject({ fieldErrors: { nodeSelector: "Line 1: write key=value.", imageCatalog: "List at least one image." } });
  });

  test("an org admin assigns to their own organization's teams only; a team member cannot assign", async ({ kc }) => {
    const cluster = await insertLocalCluster(db());
    const a = await createOrgWithTeams(db(), 1);
    const b = await createOrgWithTeams(db(), 1);
    const adminAUser = await createUser(db());
    await grant(db(), adminAUser.id, { orgId: a.orgId, orgRole: "admin" });
    const memberUser = await createUser(db());
    await grant(db(), memberUser.id, { orgId: a.orgId, orgRole: "member", teamId: a.teams[0]!.id, teamRole: "admin" });
    const adminA = await callerFor(db(), adminAUser);
    const member = await callerFor(db(), memberUser);
    const form = (teamId: string) => ({ clusterId: cluster.id, teamId, cpuCores: "1.5", memory: "2", memoryUnit: "GiB", maxPods: "10", maxVms: "", storageGib: "" });
    const core = kc.makeApiClient(CoreV1Api);

    // Another organization's team: not even visible.
    await expect(executeAction(assignClusterAction.definition, adminA, form(b.teams[0]!.id), db())).rejects.toBeInstanceOf(NotFoundError);
    expect(await getTeamAssignment(db(), cluster.id, b.teams[0]!.id)).toBeNull();
    await expect(core.readNamespace({ name: teamNamespaceName(b.orgSlug, b.teams[0]!.slug) })).rejects.toMatchObject({ code: 404 });

    // A team admin who is a plain org member sees the org but may not assign.
    await expect(executeAction(assignClusterAction.definition, member, form(a.teams[0]!.id), db())).rejects.toBeInstanceOf(ForbiddenError);
    expect(await getTeamAssignment(db(), cluster.id, a.teams[0]!.id)).toBeNull();
    const denials = (await auditRows(db(), "cluster.assign")).filter((r) => r.outcome === "denied" && [adminA.actor.userId, member.actor.userId].includes(r.actorId!));
    expect(denials).toHaveLength(2);

    // Bad input: field messages under the form's names, nothing assigned.
    const bad = executeAction(assignClusterAction.definition, adminA, { ...form(a.teams[0]!.id), cpuCores: "lots", memory: "1.3", memoryUnit: "MiB" }, db());
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toMatchObject({
      fieldErrors: { cpuCores: "Enter CPU cores as a number, e.g. 0.5 or 2, or leave it empty for no limit." },
    });
    expect(await getTeamAssignment(db(), cluster.id, a.teams[0]!.id)).toBeNull();

    const { result } = await executeAction(assignClusterAction.definition, adminA, form(a.teams[0]!.id), db());
    expect(result).toMatchObject({ namespace: teamNamespaceName(a.orgSlug, a.teams[0]!.slug), created: true });
    expect(await getTeamAssignment(db(), cluster.id, a.teams[0]!.id)).toMatchObject({ quota: { cpuMillicores: 1500, memoryMib: 2048, maxPods: 10, maxVms: null, storageGib: null } });

    // Lowering below use is a field message on the form's own field.
    await core.createNamespacedPod({ namespace: result.namespace, body: { metadata: { name: "p1" }, spec: { containers: [{ name: "c", image: "debian" }] } } });
    await core.createNamespacedPod({ namespace: result.namespace, body: { metadata: { name: "p2" }, spec: { containers: [{ name: "c", image: "debian" }] } } });
    const low = executeAction(assignClusterAction.definition, adminA, { ...form(a.teams[0]!.id), cpuCores: "0.1" }, db());
    await expect(low).rejects.toMatchObject({ fieldErrors: { cpuCores: "The team already uses 200 millicores of CPU here; set at least that much, or free some first." } });

    await expect(executeAction(unassignClusterAction.definition, member, { clusterId: cluster.id, teamId: a.teams[0]!.id, confirmName: result.namespace }, db())).rejects.toBeInstanceOf(ForbiddenError);
    expect(await getTeamAssignment(db(), cluster.id, a.teams[0]!.id)).not.toBeNull();
    await executeAction(unassignClusterAction.definition, adminA, { clusterId: cluster.id, teamId: a.teams[0]!.id, confirmName: result.namespace }, db());
    expect(await getTeamAssignment(db(), cluster.id, a.teams[0]!.id)).toBeNull();
  });
});
