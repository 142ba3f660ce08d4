// Who may do what to a team's VMs, through both doors — the panel's server actions and the REST
// API with personal tokens — for every role and scope: the team's admin, member and viewer; the
// organization's owner, admin and plain member; a member of another team of the same
// organization; the owner of another organization; a platform admin. Reads (list, get), create,
// every power operation and delete. Allowed callers get past authorization (an operation a
// stopped VM cannot take is refused by KubeVirt's rules, which proves the check passed without
// booting guests); viewers are forbidden; everyone who may not see the team is told "not
// found", exactly as for a team or VM that does not exist. Every refusal leaves a denied audit
// row and changes nothing, and a VM of another team is never reached through one's own team's
// path. Against the real control plane and the KubeVirt stand-in, with VMs created stopped.
import { CustomObjectsApi } from "@kubernetes/client-node";
import { and, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect } from "vitest";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import { createApiToken } from "@/lib/api-tokens/service";
import { createVmResponse, deleteVmResponse, listTeamVmsResponse, powerVmResponse, vmResponse } from "@/lib/api/vms";
import { assignCluster } from "@/lib/clusters/assignments";
import { auditEvents, workloads } from "@/lib/db/schema";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { VM_OPERATIONS, type VmOperation } from "@/lib/vms/choices";
import { KUBEVIRT } from "@/lib/vms/kubevirt";
import { createVm, deleteVm } from "@/lib/vms/service";
import { createVmAction, deleteVmAction, operateVmAction } from "@/app/(panel)/t/[teamId]/vms/actions";
import { callerFor, createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { adminKubeConfig, insertLocalCluster, test, uniqueName, useDatabase, waitFor } from "./helpers";

const DISK = "quay.io/kubevirt/cirros-container-disk-demo:latest";
const ROLES = ["teamAdmin", "teamMember", "teamViewer", "orgOwner", "orgAdmin", "orgMember", "otherTeamMember", "otherOrgOwner", "platformAdmin"] as const;
type Role = (typeof ROLES)[number];

/** What each role may do to team A's VMs: read, change, or nothing (and then not even know of the team). */
const EXPECTED: Record<Role, "change" | "read" | "none"> = {
  teamAdmin: "change",
  teamMember: "change",
  teamViewer: "read",
  orgOwner: "change",
  orgAdmin: "change",
  orgMember: "none",
  otherTeamMember: "none",
  otherOrgOwner: "none",
  platformAdmin: "change",
};

const REST_NAMES: Record<VmOperation, string> = { start: "start", stop: "stop", forceStop: "force-stop", restart: "restart", pause: "pause", unpause: "unpause" };

describe("VM access by role, through actions and REST", () => {
  const db = useDatabase();
  const kc = adminKubeConfig();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const world = {} as { clusterId: string; teamA: string; teamB: string; namespaceA: string; callers: Record<Role, Caller>; tokens: Record<Role, string>; owner: Caller; vmA: { id: string; name: string }; vmB: { id: string; name: string } };

  beforeAll(async () => {
    const cluster = await insertLocalCluster(db(), uniqueName("vm-access"), { vmImageCatalog: [{ label: "CirrOS", image: DISK }] });
    const { orgId, teams } = await createOrgWithTeams(db(), 2);
    const other = await createOrgWithTeams(db(), 1);
    const users = Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, await createUser(db(), { platformAdmin: role === "platformAdmin" })] as const))) as Record<Role, { id: string; email: string }>;
    await grant(db(), users.teamAdmin.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "admin" });
    await grant(db(), users.teamMember.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "member" });
    await grant(db(), users.teamViewer.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "viewer" });
    await grant(db(), users.orgOwner.id, { orgId, orgRole: "owner" });
    await grant(db(), users.orgAdmin.id, { orgId, orgRole: "admin" });
    await grant(db(), users.orgMember.id, { orgId, orgRole: "member" });
    await grant(db(), users.otherTeamMember.id, { orgId, orgRole: "member", teamId: teams[1]!.id, teamRole: "member" });
    await grant(db(), users.otherOrgOwner.id, { orgId: other.orgId, orgRole: "owner" });
    const admin = { userId: users.platformAdmin.id, label: users.platformAdmin.email };
    const quota = { cpuMillicores: 16000, memoryMib: 32768, maxPods: 50, maxVms: null, storageGib: null };
    const assignmentA = await assignCluster(db(), admin, { clusterId: cluster.id, teamId: teams[0]!.id, quota });
    await assignCluster(db(), admin, { clusterId: cluster.id, teamId: teams[1]!.id, quota });
    const callers = {} as Record<Role, Caller>;
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES) {
      callers[role] = await callerFor(db(), users[role]);
      tokens[role] = (await createApiToken(db(), callers[role].actor, { name: "vm access" })).plaintext;
    }
    const base = { clusterId: cluster.id, image: DISK, runStrategy: "Halted" as const, size: null, cpuCores: 1, memoryMib: 256, cloudInit: "" };
    const vmA = await createVm(db(), callers.teamMember.actor, { ...base, teamId: teams[0]!.id, name: uniqueName("a") });
    const vmB = await createVm(db(), callers.otherTeamMember.actor, { ...base, teamId: teams[1]!.id, name: uniqueName("b") });
    Object.assign(world, { clusterId: cluster.id, teamA: teams[0]!.id, teamB: teams[1]!.id, namespaceA: assignmentA.namespace, callers, tokens, vmA, vmB });
  });

  const url = (path: string) => `http://127.0.0.1/api/teams/${path}`;
  const rest = (role: Role, method: string, path: string, body?: unknown) =>
    new Request(url(path), { method, headers: { authorization: `Bearer ${world.tokens[role]}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const createBody = (name: string) => ({ clusterId: world.clusterId, name, image: DISK, runStrategy: "Halted", cpuCores: 1, memoryMib: 256 });
  const deniedRows = (role: Role) => db().select().from(auditEvents).where(and(eq(auditEvents.actorId, world.callers[role].actor.userId), eq(auditEvents.outcome, "denied")));
  const vmRowsOfTeamA = () => db().select({ id: workloads.id }).from(workloads).where(and(eq(workloads.teamId, world.teamA), eq(workloads.kind, "vm")));
  const errorOf = async (response: Response) => ((await response.json()) as { error?: { code: string; message: string } }).error;

  test.each(ROLES)("%s", async (role) => {
    const expected = EXPECTED[role];
    const caller = world.callers[role];
    const { vmA, teamA } = world;
    const deniedBefore = (await deniedRows(role)).length;
    const rowsBefore = (await vmRowsOfTeamA()).map((r) => r.id).sort();
    const refusal = expected === "read" ? ForbiddenError : NotFoundError;
    const refusalStatus = expected === "read" ? 403 : 404;

    // Reads, through REST (the panel's pages use the same queries behind loadTeamForPage).
    const list = await listTeamVmsResponse(rest(role, "GET", `${teamA}/vms`), teamA, db());
    const get = await vmResponse(rest(role, "GET", `${teamA}/vms/${vmA.id}`), teamA, vmA.id, db());
    if (expected === "none") {
      expect([list.status, get.status]).toEqual([404, 404]);
      expect((await errorOf(list))?.message).toBe("No such team.");
    } else {
      expect([list.status, get.status]).toEqual([200, 200]);
      expect(((await list.json()) as { vms: { id: string }[] }).vms.map((v) => v.id)).toContain(vmA.id);
      expect(((await get.json()) as { vm: { id: string; runtime: { printableStatus: string } } }).vm).toMatchObject({ id: vmA.id, runtime: { printableStatus: expect.stringMatching(/Stopped|Provisioning/) } });
    }

    // Power, every operation, through both doors. An allowed caller reaches the VM, which is
    // stopped: KubeVirt's rules (or the panel's "not running") refuse the operation, proving the
    // check passed. Start is left out for allowed callers (it would boot a guest); the journey
    // and test/cluster/vms.test.ts start VMs.
    for (const operation of VM_OPERATIONS) {
      if (expected === "change" && operation === "start") continue;
      const viaAction = await executeAction(operateVmAction.definition, caller, { workloadId: vmA.id, operation }, db()).catch((e: unknown) => e);
      const viaRest = await powerVmResponse(rest(role, "POST", `${teamA}/vms/${vmA.id}/power`, { operation: REST_NAMES[operation] }), teamA, vmA.id, db());
      if (expected === "change") {
        expect(viaAction, `${operation} via action`).toBeInstanceOf(ConflictError);
        expect(viaRest.status, `${operation} via REST: ${JSON.stringify(await errorOf(viaRest.clone()))}`).toBe(409);
      } else {
        expect(viaAction, `${operation} via action`).toBeInstanceOf(refusal);
        expect(viaRest.status, `${operation} via REST`).toBe(refusalStatus);
      }
    }

    // Create and delete, through both doors.
    const createdViaAction = await executeAction(createVmAction.definition, caller, { ...createBody(uniqueName("ui")), teamId: teamA, size: "" }, db()).then(
      (r) => r.result,
      (e: unknown) => e,
    );
    const createdViaRest = await createVmResponse(rest(role, "POST", `${teamA}/vms`, createBody(uniqueName("api"))), teamA, db());
    if (expected === "change") {
      expect(createdViaAction).toMatchObject({ state: "ready" });
      expect(createdViaRest.status).toBe(201);
      const { vm } = (await createdViaRest.json()) as { vm: { id: string; name: string } };
      const ui = createdViaAction as { id: string; name: string };
      await executeAction(deleteVmAction.definition, caller, { id: ui.id, confirmName: ui.name }, db());
      const deleted = await deleteVmResponse(rest(role, "DELETE", `${teamA}/vms/${vm.id}`), teamA, vm.id, db());
      expect(deleted.status).toBe(200);
      expect(await deleted.json()).toEqual({ state: "deleted" });
      for (const id of [ui.id, vm.id]) {
        await waitFor(kc, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", namespace: world.namespaceA, labelSelector: `minicloud.io/workload=${id}` }, (items) => items.length === 0, { description: `VM ${id} gone` });
      }
      // Audited as the caller, for both doors.
      const rows = await db().select().from(auditEvents).where(and(eq(auditEvents.actorId, caller.actor.userId), inArray(auditEvents.targetId, [ui.id, vm.id])));
      expect(rows.filter((r) => r.outcome === "success").map((r) => r.action).sort()).toEqual(["vm.create", "vm.create", "vm.delete", "vm.delete"]);
    } else {
      expect(createdViaAction).toBeInstanceOf(refusal);
      expect(createdViaRest.status).toBe(refusalStatus);
      expect(await executeAction(deleteVmAction.definition, caller, { id: vmA.id, confirmName: vmA.name }, db()).catch((e: unknown) => e)).toBeInstanceOf(refusal);
      expect((await deleteVmResponse(rest(role, "DELETE", `${teamA}/vms/${vmA.id}`), teamA, vmA.id, db())).status).toBe(refusalStatus);
      // Each refusal audited (reads only when the team itself is hidden), and nothing changed.
      const operations = VM_OPERATIONS.length * 2;
      const reads = expected === "none" ? 2 : 0;
      expect((await deniedRows(role)).length - deniedBefore).toBe(reads + operations + 2 + 2);
      expect((await vmRowsOfTeamA()).map((r) => r.id).sort()).toEqual(rowsBefore);
      await custom.getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: world.namespaceA, plural: KUBEVIRT.vms, name: vmA.name });
    }
  });

  test("through one's own team's path, another team's VM is not found, and a malformed body is refused without a row", async () => {
    const { teamA, vmB } = world;
    const member: Role = "teamMember";
    expect((await vmResponse(rest(member, "GET", `${teamA}/vms/${vmB.id}`), teamA, vmB.id, db())).status).toBe(404);
    expect((await powerVmResponse(rest(member, "POST", `${teamA}/vms/${vmB.id}/power`, { operation: "start" }), teamA, vmB.id, db())).status).toBe(404);
    expect((await deleteVmResponse(rest(member, "DELETE", `${teamA}/vms/${vmB.id}`), teamA, vmB.id, db())).status).toBe(404);
    // The team in the body is ignored: the path's team is the one acted on.
    const sneaky = await createVmResponse(rest(member, "POST", `${world.teamB}/vms`, { ...createBody(uniqueName("x")), teamId: teamA }), world.teamB, db());
    expect(sneaky.status).toBe(404);
    expect((await db().select().from(workloads).where(eq(workloads.id, vmB.id))).length).toBe(1);

    const before = (await vmRowsOfTeamA()).length;
    const notJson = await createVmResponse(new Request(url(`${teamA}/vms`), { method: "POST", headers: { authorization: `Bearer ${world.tokens[member]}`, "content-type": "text/plain" }, body: "{}" }), teamA, db());
    expect([notJson.status, (await errorOf(notJson))?.message]).toEqual([400, "Send the request body as JSON (Content-Type: application/json)."]);
    const broken = await createVmResponse(new Request(url(`${teamA}/vms`), { method: "POST", headers: { authorization: `Bearer ${world.tokens[member]}`, "content-type": "application/json" }, body: "{nope" }), teamA, db());
    expect([broken.status, (await errorOf(broken))?.message]).toEqual([400, "The request body is not valid JSON."]);
    const badFields = await createVmResponse(rest(member, "POST", `${teamA}/vms`, { ...createBody("Bad Name!"), cpuCores: 999 }), teamA, db());
    expect(badFields.status).toBe(400);
    expect(Object.keys(((await badFields.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors).sort()).toEqual(["cpuCores", "name"]);
    const badOperation = await powerVmResponse(rest(member, "POST", `${teamA}/vms/${world.vmA.id}/power`, { operation: "explode" }), teamA, world.vmA.id, db());
    expect([badOperation.status, (await errorOf(badOperation))?.message]).toEqual([400, "Please correct the highlighted fields."]);
    const noToken = await listTeamVmsResponse(new Request(url(`${teamA}/vms`), { headers: { authorization: "Bearer mc_not-a-token" } }), teamA, db());
    expect(noToken.status).toBe(401);
    expect((await vmRowsOfTeamA()).length).toBe(before);
  });

  test("cleanup: the VMs made for these tests are deleted", async () => {
    await deleteVm(db(), world.callers.teamMember.actor, { teamId: world.teamA, workloadId: world.vmA.id });
    await deleteVm(db(), world.callers.otherTeamMember.actor, { teamId: world.teamB, workloadId: world.vmB.id });
    expect(await db().select().from(workloads).where(inArray(workloads.id, [world.vmA.id, world.vmB.id]))).toEqual([]);
  });
});
