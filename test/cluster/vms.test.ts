// VMs against the real control plane and the KubeVirt stand-in: create → Running → stop →
// Stopped → start → restart → delete (nothing left: VM, VMI, Secret, Service, row); the
// cloud-init Secret with the injected keys and host name merged with the user's cloud-config;
// an instancetype as the size; over-quota refusal before anything exists; a create failing
// half-way rolled back; and every VM action refused across teams (not found) and to viewers
// (forbidden), through the same action definitions the panel uses.
import { CoreV1Api, CustomObjectsApi, type KubernetesObject, type V1ResourceQuota, type V1Secret } from "@kubernetes/client-node";
import { and, eq } from "drizzle-orm";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect } from "vitest";
import { executeAction, type Caller } from "@/lib/actions/define-action";
import { assignCluster } from "@/lib/clusters/assignments";
import { QUOTA_NAME } from "@/lib/clusters/team-namespace";
import { auditEvents, clusters, workloads } from "@/lib/db/schema";
import { probeCluster } from "@/lib/clusters/probe";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { CLUSTER_LABEL, KIND_LABEL, TEAM_LABEL, WORKLOAD_LABEL, workloadSelector } from "@/lib/kube/labels";
import { addSshKey } from "@/lib/ssh-keys/service";
import { generateEd25519KeyPair } from "@/lib/ssh-keys/openssh-format";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { VM_OPERATIONS } from "@/lib/vms/choices";
import { KUBEVIRT, type VirtualMachine, type VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { MESH_SIDECAR_ANNOTATION } from "@/lib/vms/manifests";
import { getVm, listTeamVms, listVmTargets } from "@/lib/vms/queries";
import { createVmAction, deleteVmAction, operateVmAction } from "@/app/(panel)/t/[teamId]/vms/actions";
import { callerFor, createOrgWithTeams, createUser, grant } from "./cluster-fixtures";
import { adminKubeConfig, insertLocalCluster, test, uniqueName, useDatabase, waitFor } from "./helpers";

const DISK = "quay.io/kubevirt/cirros-container-disk-demo:latest";

describe("VMs", () => {
  const db = useDatabase();
  const kc = adminKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const world = {} as { clusterId: string; teamA: string; teamB: string; namespaceA: string; owner: Caller; ownerKey: string; viewer: Caller; outsider: Caller };

  beforeAll(async () => {
    // Impersonation on: team requests run as the team's group, fenced in by its Role.
    const cluster = await insertLocalCluster(db(), uniqueName("vms"), { vmImageCatalog: [{ label: "CirrOS", image: DISK }], impersonation: true });
    // The check on save finds KubeVirt, so each team's Role includes the VM rules.
    const check = await probeCluster(cluster, kc, { impersonation: true });
    expect(check.apis.kubevirt).toBe(true);
    await db().update(clusters).set({ lastCheck: check as unknown as Record<string, unknown> }).where(eq(clusters.id, cluster.id));
    const { orgId, teams } = await createOrgWithTeams(db(), 2);
    const admin = await createUser(db(), { platformAdmin: true });
    const owner = await createUser(db());
    const viewer = await createUser(db());
    const outsider = await createUser(db());
    await grant(db(), owner.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "member" });
    await grant(db(), viewer.id, { orgId, orgRole: "member", teamId: teams[0]!.id, teamRole: "viewer" });
    await grant(db(), outsider.id, { orgId, orgRole: "member", teamId: teams[1]!.id, teamRole: "member" });
    const adminActor = { userId: admin.id, label: admin.email };
    // No VM count here: the quota controller counts a custom resource only after its next full
    // resync once it has discovered it (minutes on a fresh control plane), and until then the
    // quota admission refuses every VM ("status unknown for quota"). The count is unit-tested.
    const quota = { cpuMillicores: 4000, memoryMib: 8192, maxPods: 10, maxVms: null, storageGib: null };
    const assignmentA = await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teams[0]!.id, quota });
    await assignCluster(db(), adminActor, { clusterId: cluster.id, teamId: teams[1]!.id, quota });
    const ownerKey = generateEd25519KeyPair("owner@laptop").publicKey;
    await addSshKey(db(), { userId: owner.id, label: owner.email }, { publicKey: ownerKey });
    Object.assign(world, {
      clusterId: cluster.id,
      teamA: teams[0]!.id,
      teamB: teams[1]!.id,
      namespaceA: assignmentA.namespace,
      owner: await callerFor(db(), owner),
      ownerKey: ownerKey.split(" ").slice(0, 2).join(" "),
      viewer: await callerFor(db(), viewer),
      outsider: await callerFor(db(), outsider),
    });
  });

  const request = (overrides: Record<string, unknown> = {}) => ({
    teamId: world.teamA,
    clusterId: world.clusterId,
    name: uniqueName("vm").replace("-", " "),
    image: DISK,
    runStrategy: "Always",
    size: "",
    cpuCores: "1",
    memoryMib: "1024",
    cloudInit: "",
    ...overrides,
  });
  const create = (caller: Caller, overrides: Record<string, unknown> = {}) => executeAction(createVmAction.definition, caller, request(overrides), db()).then((r) => r.result);
  const operate = (caller: Caller, workloadId: string, operation: string) => executeAction(operateVmAction.definition, caller, { workloadId, operation }, db());
  const remove = (caller: Caller, id: string, confirmName: string) => executeAction(deleteVmAction.definition, caller, { id, confirmName }, db());
  const rowOf = async (id: string) => (await db().select().from(workloads).where(eq(workloads.id, id)))[0];
  const auditOf = (id: string, action: string) => db().select().from(auditEvents).where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, action)));

  const vmTarget = (name?: string) => ({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", namespace: world.namespaceA, ...(name && { fieldSelector: `metadata.name=${name}` }) });
  const vmiTarget = (name: string) => ({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", namespace: world.namespaceA, fieldSelector: `metadata.name=${name}` });
  const waitForStatus = (name: string, status: string) =>
    waitFor<VirtualMachine>(kc, vmTarget(name), (vms) => vms[0]?.status?.printableStatus === status, { description: `VM ${name} ${status}` });
  const waitForRunningVmi = async (name: string) =>
    (await waitFor<VirtualMachineInstance>(kc, vmiTarget(name), (vmis) => vmis[0]?.status?.phase === "Running" && !vmis[0].metadata?.deletionTimestamp, { description: `VMI ${name} Running` }))[0]!;

  /** Waits (watching) until nothing labelled with the workload is left: VMs, VMIs, Secrets, Services. */
  async function waitUntilNothingLeft(workloadId: string): Promise<void> {
    const labelSelector = workloadSelector(workloadId);
    for (const [apiVersion, kind] of [["kubevirt.io/v1", "VirtualMachine"], ["kubevirt.io/v1", "VirtualMachineInstance"], ["v1", "Secret"], ["v1", "Service"]] as const) {
      await waitFor(kc, { apiVersion, kind, namespace: world.namespaceA, labelSelector }, (items) => items.length === 0, { description: `no ${kind} of workload ${workloadId}` });
    }
  }

  test("create → Running → stop → Stopped → start → restart → delete leaves nothing", async () => {
    const userConfig = "#cloud-config\npackages:\n  - htop\nwrite_files:\n  - path: /etc/motd\n    permissions: 0644\n    content: hello\n";
    const created = await create(world.owner, { cloudInit: userConfig, meshSidecar: "on" });
    expect(created.state).toBe("ready");
    const namespace = world.namespaceA;

    // The VM: our labels (the registration's id included) on it and its template, the sidecar annotation on the template only.
    const vm = (await custom.getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace, plural: KUBEVIRT.vms, name: created.name })) as VirtualMachine & {
      spec: { runStrategy: string; template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, any> } };
    };
    const ours = { [TEAM_LABEL]: world.teamA, [KIND_LABEL]: "vm", [WORKLOAD_LABEL]: created.id, [CLUSTER_LABEL]: world.clusterId };
    expect(vm.metadata?.labels).toMatchObject(ours);
    expect(vm.spec.template.metadata.labels).toMatchObject(ours);
    expect(vm.spec.template.metadata.annotations).toEqual({ [MESH_SIDECAR_ANNOTATION]: "true" });
    expect(vm.metadata?.annotations?.[MESH_SIDECAR_ANNOTATION]).toBeUndefined();
    expect(vm.spec.runStrategy).toBe("Always");
    expect(vm.spec.template.spec.domain.cpu).toEqual({ cores: 1 });
    expect(vm.spec.template.spec.domain.resources.requests).toEqual({ cpu: "1", memory: "1024Mi" });
    expect(vm.spec.template.spec.volumes).toEqual([
      { name: "boot", containerDisk: { image: DISK, imagePullPolicy: "IfNotPresent" } },
      { name: "cloudinit", cloudInitNoCloud: { userDataSecretRef: { name: `${created.name}-cloud-init` } } },
    ]);

    // The cloud-init Secret and the Service: labelled, owned by the VM.
    const secret = (await core.readNamespacedSecret({ name: `${created.name}-cloud-init`, namespace })) as V1Secret;
    const service = await core.readNamespacedService({ name: created.name, namespace });
    for (const child of [secret, service]) {
      expect(child.metadata?.labels).toMatchObject(ours);
      expect(child.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: "VirtualMachine", name: created.name, uid: vm.metadata!.uid })]);
    }
    expect(service.spec?.selector).toEqual({ [WORKLOAD_LABEL]: created.id });
    const userData = Buffer.from(secret.data!.userdata!, "base64").toString("utf8");
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    const panelKey = await getPanelTerminalKey(db());
    expect(parseYaml(userData)).toMatchObject({ hostname: created.name, ssh_authorized_keys: [world.ownerKey, panelKey.publicKey], packages: ["htop"] });
    expect(userData).toContain("permissions: 0644"); // as typed: cloud-init reads YAML 1.1

    // Running, seen through the panel's list and page.
    const vmi = await waitForRunningVmi(created.name);
    await waitForStatus(created.name, "Running");
    const listed = (await listTeamVms(db(), world.teamA)).find((v) => v.id === created.id)!;
    expect(listed.runtime).toMatchObject({ printableStatus: "Running", phase: "Running", ip: vmi.status!.interfaces![0]!.ipAddress, node: vmi.status!.nodeName, runStrategy: "Always" });
    const detail = await getVm(db(), world.teamA, created.id);
    expect(detail.conditions.some((c) => c.object === "VMI" && c.type === "Ready" && c.status === "True")).toBe(true);
    expect(detail.service).toEqual({ name: created.name, clusterIP: service.spec!.clusterIP });
    expect(detail).toMatchObject({ meshSidecar: true, hasCloudConfig: true, lifecycle: { state: "ready" } });

    // Pause freezes the guest (Paused), unpause lets it run again.
    await operate(world.owner, created.id, "pause");
    await waitForStatus(created.name, "Paused");
    await operate(world.owner, created.id, "unpause");
    await waitForStatus(created.name, "Running");

    // Stop → Stopped (Halted), start → Running, a second start refused in KubeVirt's words.
    await operate(world.owner, created.id, "stop");
    await waitForStatus(created.name, "Stopped");
    expect((await listTeamVms(db(), world.teamA)).find((v) => v.id === created.id)!.runtime).toMatchObject({ printableStatus: "Stopped", runStrategy: "Halted", ip: null });
    await expect(operate(world.owner, created.id, "stop")).rejects.toThrow(/.+/);
    await operate(world.owner, created.id, "start");
    const started = await waitForRunningVmi(created.name);
    await expect(operate(world.owner, created.id, "start")).rejects.toThrow(/already running/);
    // Restart: a new instance.
    await operate(world.owner, created.id, "restart");
    const restarted = (await waitFor<VirtualMachineInstance>(kc, vmiTarget(created.name), (v) => v[0]?.status?.phase === "Running" && v[0].metadata?.uid !== started.metadata?.uid, { description: "a new VMI" }))[0]!;
    expect(restarted.metadata?.uid).not.toBe(started.metadata?.uid);
    // Force stop (no grace period) → Stopped.
    await operate(world.owner, created.id, "forceStop");
    await waitForStatus(created.name, "Stopped");

    // Delete: the typed name must match; then every object and the row go.
    await expect(remove(world.owner, created.id, "something else")).rejects.toBeInstanceOf(ValidationError);
    await remove(world.owner, created.id, created.name);
    await waitUntilNothingLeft(created.id);
    expect(await rowOf(created.id)).toBeUndefined();
    for (const action of ["vm.create", "vm.delete", "vm.pause", "vm.unpause", "vm.stop", "vm.start", "vm.restart", "vm.force-stop"]) {
      expect((await auditOf(created.id, action)).map((r) => r.outcome), action).toEqual(["success"]);
    }
  });

  test("an instancetype gives the size: the VM names it, the row keeps its CPUs and memory for the quota, the form lists it", async () => {
    const name = uniqueName("mc-small");
    const group = { group: "instancetype.kubevirt.io", version: "v1beta1" };
    await custom.createClusterCustomObject({ ...group, plural: "virtualmachineclusterinstancetypes", body: { apiVersion: "instancetype.kubevirt.io/v1beta1", kind: "VirtualMachineClusterInstancetype", metadata: { name }, spec: { cpu: { guest: 2 }, memory: { guest: "2Gi" } } } });
    try {
      const [target] = await listVmTargets(db(), world.teamA);
      expect(target!.instancetypes, JSON.stringify(target!.instancetypes)).toMatchObject({ available: true, items: expect.arrayContaining([{ kind: "VirtualMachineClusterInstancetype", name, cpuCores: 2, memoryMib: 2048 }]) });
      const created = await create(world.owner, { size: `VirtualMachineClusterInstancetype/${name}`, cpuCores: "", memoryMib: "", runStrategy: "Halted" });
      const vm = (await custom.getNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: world.namespaceA, plural: KUBEVIRT.vms, name: created.name })) as { spec: { instancetype: unknown; runStrategy: string; template: { spec: { domain: Record<string, unknown> } } } };
      expect(vm.spec.instancetype).toEqual({ kind: "VirtualMachineClusterInstancetype", name });
      expect(vm.spec.runStrategy).toBe("Halted");
      expect(vm.spec.template.spec.domain.resources).toBeUndefined();
      expect((await getVm(db(), world.teamA, created.id)).cpuCores).toBe(2);
      const missing = await create(world.owner, { size: "VirtualMachineClusterInstancetype/no-such-size", cpuCores: "", memoryMib: "" }).catch((e: unknown) => e);
      expect((missing as ValidationError).fieldErrors).toEqual({ size: "This cluster has no instancetype “no-such-size”; choose another size." });
      await remove(world.owner, created.id, created.name);
      await waitUntilNothingLeft(created.id);
    } finally {
      await custom.deleteClusterCustomObject({ ...group, plural: "virtualmachineclusterinstancetypes", name });
    }
  });

  test("a VM over the quota, or with user data that would replace the injected parts, is refused before anything is created", async () => {
    // Start once earlier tests' VMs no longer count.
    await waitFor(kc, { apiVersion: "v1", kind: "ResourceQuota", namespace: world.namespaceA, fieldSelector: `metadata.name=${QUOTA_NAME}` }, (quotas) => {
      const used = (quotas[0] as V1ResourceQuota | undefined)?.status?.used;
      return used !== undefined && ["requests.cpu", "requests.memory"].every((key) => !used[key] || /^0[a-zA-Z]*$/.test(used[key]));
    });
    const rowsBefore = await db().select({ id: workloads.id }).from(workloads);
    const vmsBefore = await custom.listNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: world.namespaceA, plural: KUBEVIRT.vms });
    const refusal = await create(world.owner, { cpuCores: "6", memoryMib: "16384" }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    const { message, fieldErrors } = refusal as ValidationError;
    expect(message).toContain("Not enough CPU quota: asked 6 cores, 0 of 4 cores in use.");
    expect(message).toContain("Not enough memory quota: asked 16 GiB, 0 of 8 GiB in use.");
    expect(Object.keys(fieldErrors ?? {}).sort()).toEqual(["cpuCores", "memoryMib"]);

    const hostname = await create(world.owner, { cloudInit: "#cloud-config\npackages: [git]\nhostname: evil\n" }).catch((e: unknown) => e);
    expect((hostname as ValidationError).fieldErrors).toEqual({ cloudInit: "Line 3: “hostname” cannot be set: the panel sets the host name to the VM's name." });
    const offCatalog = await create(world.owner, { image: "evil/image:latest" }).catch((e: unknown) => e);
    expect((offCatalog as ValidationError).fieldErrors).toEqual({ image: "Choose a disk image from this cluster's VM catalog." });
    const noSize = await create(world.owner, { cpuCores: "", memoryMib: "" }).catch((e: unknown) => e);
    expect(Object.keys((noSize as ValidationError).fieldErrors ?? {}).sort()).toEqual(["cpuCores", "memoryMib"]);

    expect(await db().select({ id: workloads.id }).from(workloads)).toEqual(rowsBefore);
    const vmsAfter = await custom.listNamespacedCustomObject({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace: world.namespaceA, plural: KUBEVIRT.vms });
    expect((vmsAfter as { items: unknown[] }).items.length).toBe((vmsBefore as { items: unknown[] }).items.length);
  });

  test("a create that fails half-way removes what it made", async () => {
    // A quota the panel does not know about (an admin's own) refuses the cloud-init Secret after the VM exists.
    const namespace = world.namespaceA;
    const secrets = (await core.listNamespacedSecret({ namespace })).items.length;
    await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: "no-more-secrets" }, spec: { hard: { secrets: String(secrets) } } } });
    try {
      await waitFor(kc, { apiVersion: "v1", kind: "ResourceQuota", namespace, fieldSelector: "metadata.name=no-more-secrets" }, (q) => Boolean((q[0] as V1ResourceQuota | undefined)?.status?.used));
      const name = uniqueName("half");
      const failure = await create(world.owner, { name }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ForbiddenError);
      expect((failure as Error).message).toMatch(/exceeded quota: no-more-secrets/);
      const [errorRow] = await db().select().from(auditEvents).where(and(eq(auditEvents.action, "vm.create"), eq(auditEvents.outcome, "error")));
      expect(errorRow?.targetLabel).toMatch(new RegExp(`^${name}-`));
      const workloadId = errorRow!.targetId!;
      expect(await rowOf(workloadId)).toBeUndefined();
      await waitUntilNothingLeft(workloadId);
    } finally {
      await core.deleteNamespacedResourceQuota({ name: "no-more-secrets", namespace });
    }
  });

  test("other teams get not-found for every VM action and read; viewers read but may not change", async () => {
    const created = await create(world.owner, { runStrategy: "Halted" });
    const confirm = { id: created.id, confirmName: created.name };

    // A member of another team: not found everywhere.
    await expect(create(world.outsider)).rejects.toBeInstanceOf(NotFoundError);
    for (const operation of VM_OPERATIONS) await expect(operate(world.outsider, created.id, operation), operation).rejects.toBeInstanceOf(NotFoundError);
    await expect(executeAction(deleteVmAction.definition, world.outsider, confirm, db())).rejects.toBeInstanceOf(NotFoundError);
    await expect(getVm(db(), world.teamB, created.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listTeamVms(db(), world.teamB)).map((v) => v.id)).not.toContain(created.id);
    // A cluster not assigned to one's team cannot be named.
    await expect(create(world.outsider, { teamId: world.teamB, clusterId: crypto.randomUUID() })).rejects.toBeInstanceOf(ValidationError);

    // A viewer of the team: forbidden to change, allowed to read.
    await expect(create(world.viewer)).rejects.toBeInstanceOf(ForbiddenError);
    for (const operation of VM_OPERATIONS) await expect(operate(world.viewer, created.id, operation), operation).rejects.toBeInstanceOf(ForbiddenError);
    await expect(executeAction(deleteVmAction.definition, world.viewer, confirm, db())).rejects.toBeInstanceOf(ForbiddenError);
    const denied = await db().select().from(auditEvents).where(and(eq(auditEvents.actorId, world.viewer.actor.userId), eq(auditEvents.outcome, "denied")));
    expect(denied.map((r) => r.action).sort()).toEqual(["vm.create", "vm.delete", ...VM_OPERATIONS.map(() => "vm.operate")]);
    expect((await getVm(db(), world.teamA, created.id)).runtime.printableStatus).toMatch(/Stopped|Provisioning/);
    expect(await rowOf(created.id)).toBeDefined();

    await remove(world.owner, created.id, created.name);
    await waitUntilNothingLeft(created.id);
  });

  test("the reconciler finds a VM's objects and removes them when their row is gone (drift)", async () => {
    const created = await create(world.owner, { runStrategy: "Halted" });
    const { vmDriver } = await import("@/lib/vms/lifecycle-driver");
    const found = (await vmDriver.inventory(db(), world.clusterId)).find((f) => f.workloadId === created.id)!;
    expect(found).toMatchObject({ kind: "vm", anchored: true, namespace: world.namespaceA });
    expect(found.objects.map((o) => o.kind).sort()).toEqual(["Secret", "Service", "VirtualMachine"]);
    await db().delete(workloads).where(eq(workloads.id, created.id));
    await vmDriver.removeOrphan(db(), world.clusterId, found);
    await waitUntilNothingLeft(created.id);
    const left: KubernetesObject[] = (await vmDriver.inventory(db(), world.clusterId)).filter((f) => f.workloadId === created.id) as never;
    expect(left).toEqual([]);
  });
});
