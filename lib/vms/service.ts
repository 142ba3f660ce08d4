// VMs: create, operate (start, stop, force stop, restart, pause, unpause) and delete. The
// database row is the record of intent and ownership; the cluster objects (VirtualMachine →
// cloud-init Secret, Service) are made from it through the durable workload machine
// (lib/workloads/lifecycle.ts, with lib/vms/lifecycle-driver.ts): nothing is lost or orphaned
// when a create or delete is interrupted; every change leaves an audit row.
import { randomUUID } from "node:crypto";
import { CoreV1Api } from "@kubernetes/client-node";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { QUOTA_NAME } from "@/lib/clusters/assignments";
import type { Db } from "@/lib/db/client";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { httpStatusOf, kube, kubeOrNull } from "@/lib/kube/transport";
import { plannedNamesProblem } from "@/lib/kube/object-names";
import { slugify, withRandomSuffix } from "@/lib/names";
import { parseInput } from "@/lib/parse-input";
import { getUser } from "@/lib/users/service";
import { teamClusterContext, workloadClusterContext, type TeamClusterContext } from "@/lib/workloads/cluster-context";
import { requireTypedName } from "@/lib/workloads/form-fields";
import { createWorkload, deleteWorkload, requireReady, workloadAuditTarget } from "@/lib/workloads/lifecycle";
import { nodeFitRefusal } from "@/lib/workloads/node-fit";
import { quotaRefusal, quotaShortfalls } from "@/lib/workloads/quota";
import { VM_OPERATION_LABELS, type VmOperation } from "@/lib/vms/choices";
import { readInstancetype } from "@/lib/vms/instancetypes";
import { bootSourceAuditDetail, resolveBootSource } from "@/lib/vms/disks/boot-source";
import { dataVolumeNameFor } from "@/lib/vms/disks/manifests";
import { plannedVmObjectNames } from "@/lib/vms/manifests";
import { putSubresource, readVm, readVmi, type SubresourceVerb } from "@/lib/vms/objects";
import { requireVmRow } from "@/lib/vms/rows";
import { createVmInputSchema, vmOperationSchema, type CreateVmInput, type VmOperationInput } from "@/lib/vms/schemas";
import type { VmSpec } from "@/lib/vms/types";
import "@/lib/vms/lifecycle-driver"; // registers VMs with the workload lifecycle

/** What a create answers with: ready, or still being created (the outcome is not known yet; the panel finishes or cleans up). */
export type CreatedVm = { id: string; name: string } & ({ state: "ready" } | { state: "creating"; message: string });

/**
 * Creates a VM for the acting user in a team's namespace of an assigned cluster. Refused
 * before anything is made: bad input (field errors, the cloud-config's included), a disk image
 * outside the cluster's VM catalog, a cluster not assigned to the team, an instancetype the
 * cluster does not have, a VM that does not fit in the quota (VM count, CPU, memory, and the
 * pod it runs in) or on any node.
 */
export async function createVm(db: Db, actor: Actor, input: CreateVmInput): Promise<CreatedVm> {
  const request = parseInput(createVmInputSchema, input);
  const id = randomUUID();
  const name = withRandomSuffix(slugify(request.name));
  const names = { vmName: name, secretName: `${name}-cloud-init`, serviceName: name };
  const namesProblem = plannedNamesProblem(plannedVmObjectNames({ ...names, disk: request.bootSource === "catalog" ? null : { dataVolumeName: dataVolumeNameFor(name), sizeGib: 1, source: { type: "upload" } } }));
  if (namesProblem) {
    const message = `“${request.name}” cannot name a VM: ${namesProblem}.`;
    throw new ValidationError(message, { name: message });
  }
  const ctx = await teamClusterContext(db, request.teamId, request.clusterId);
  const boot = await resolveBootSource(ctx, request, name);
  const owner = await getUser(db, actor.userId);
  if (!owner) throw new NotFoundError("No such user.");
  const size = request.size ? await readInstancetype(ctx.connection, ctx.namespace, request.size) : { cpuCores: request.cpuCores!, memoryMib: request.memoryMib! };
  await refuseWhatDoesNotFit(ctx, size, boot.disk?.sizeGib ?? 0);

  const spec: VmSpec = {
    displayName: request.name,
    image: boot.image,
    disk: boot.disk,
    runStrategy: request.runStrategy,
    cpuCores: size.cpuCores,
    memoryMib: size.memoryMib,
    instancetype: request.size,
    meshSidecar: request.meshSidecar,
    cloudConfig: request.cloudInit,
    ownerEmail: owner.email,
    ...names,
  };
  const detail = {
    clusterId: request.clusterId,
    namespace: ctx.namespace,
    ...bootSourceAuditDetail(boot),
    runStrategy: spec.runStrategy,
    cpuCores: spec.cpuCores,
    memoryMib: spec.memoryMib,
    instancetype: spec.instancetype?.name ?? null,
    meshSidecar: spec.meshSidecar,
    cloudConfig: spec.cloudConfig !== null,
  };
  // Through the durable machine: intent with its audit row, then the objects (lib/vms/lifecycle-driver.ts).
  const outcome = await createWorkload(
    db,
    actor,
    { id, teamId: request.teamId, clusterId: request.clusterId, kind: "vm", namespace: ctx.namespace, name, spec: { ...spec }, expiresAt: null, createdBy: owner.id },
    detail,
  );
  if (outcome.state === "ready") return { id, name, state: "ready" };
  return { id, name, state: "creating", message: outcome.message };
}

// The quota (VM count, CPU, memory, the pod KubeVirt runs the VM in, and its disk's storage and
// claim) and the node sizes, read with the panel's own credentials: enforcing them is the
// panel's check, and the team's impersonated role (when on) may read neither.
async function refuseWhatDoesNotFit(ctx: TeamClusterContext, size: { cpuCores: number; memoryMib: number }, diskGib: number): Promise<void> {
  const panelCore = ctx.connection.kc.makeApiClient(CoreV1Api);
  const [quota, nodes] = await Promise.all([
    kubeOrNull(ctx.connection, `read the quota of namespace ${ctx.namespace}`, () => panelCore.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: ctx.namespace })),
    kube(ctx.connection, "list the nodes", () => panelCore.listNode()),
  ]);
  const ask = { cpuMillicores: size.cpuCores * 1000, memoryMib: size.memoryMib };
  const shortfalls = quotaShortfalls(quota, { ...ask, vms: 1, pods: 1, storageGib: diskGib, volumes: diskGib > 0 ? 1 : 0 });
  if (shortfalls.length > 0) throw quotaRefusal(shortfalls, { cpu: "cpuCores", memory: "memoryMib", storage: "diskSizeGib", volumes: "diskSizeGib" });
  const tooBig = nodeFitRefusal(nodes.items, ctx.settings, ask, "VM");
  if (tooBig) {
    const fieldErrors = Object.fromEntries(Object.entries(tooBig.fieldErrors).map(([field, message]) => [field === "cpuMillicores" ? "cpuCores" : field, message]));
    throw new ValidationError(tooBig.message, fieldErrors);
  }
}

// How each operation reaches KubeVirt: a subresource verb, and for a forced stop no grace period.
const SUBRESOURCE: Record<VmOperation, { target: SubresourceVerb; body?: Record<string, unknown> }> = {
  start: { target: { on: "virtualmachines", verb: "start" } },
  stop: { target: { on: "virtualmachines", verb: "stop" } },
  forceStop: { target: { on: "virtualmachines", verb: "stop" }, body: { gracePeriod: 0 } },
  restart: { target: { on: "virtualmachines", verb: "restart" } },
  pause: { target: { on: "virtualmachineinstances", verb: "pause" } },
  unpause: { target: { on: "virtualmachineinstances", verb: "unpause" } },
};

/**
 * Starts, stops (gracefully or at once), restarts, pauses or unpauses a VM through KubeVirt's
 * subresources, and audits it. KubeVirt's refusals (already running, not running) come back in
 * its words; a cluster whose KubeVirt does not serve pause/unpause is said to not support it.
 */
export async function operateVm(db: Db, actor: Actor, input: VmOperationInput & { teamId: string }): Promise<{ operation: VmOperation }> {
  const { workloadId, operation } = parseInput(vmOperationSchema, input);
  const row = await requireVmRow(db, input.teamId, workloadId);
  requireReady(row, `The VM “${row.spec.displayName}”`, "operated");
  const ctx = await workloadClusterContext(db, row);
  const { target, body } = SUBRESOURCE[operation];
  if (!(await readVm(ctx, row.spec.vmName))) {
    throw new NotFoundError(`The VM “${row.spec.displayName}” has lost its VirtualMachine in the cluster; delete it and create a new one.`);
  }
  if (target.on === "virtualmachineinstances" && !(await readVmi(ctx, row.spec.vmName))) {
    throw new ConflictError(`The VM “${row.spec.displayName}” is not running, so it cannot be ${operation === "pause" ? "paused" : "unpaused"}.`);
  }
  try {
    await putSubresource(ctx, row.spec.vmName, target, body);
  } catch (error) {
    // The VM and its instance exist (read just now): a 404 means the verb itself is not served.
    if (httpStatusOf(error) === 404) throw new ValidationError(`${VM_OPERATION_LABELS[operation]} is not supported by this cluster (its KubeVirt does not offer it).`);
    throw error;
  }
  await auditSuccess(db, actor, { action: `vm.${operation === "forceStop" ? "force-stop" : operation}`, ...(await workloadAuditTarget(db, row, "vm")), detail: {} });
  return { operation };
}

/**
 * Deletes the VM durably: the row says `deleting` (with a pending audit row), the VM (and with it
 * its instance), its cloud-init Secret, its Service and its disk go — the disk is kept instead
 * when `keepDisk` is asked (relabelled as a kept disk, named in the audit row) — then the row.
 * Resolves `deleting` when the cluster did not answer: the reconciler finishes (keeping the disk
 * too: the choice is written with the `deleting` state), and the VMs list shows it meanwhile.
 */
export async function deleteVm(db: Db, actor: Actor, input: { teamId: string; workloadId: string; keepDisk?: boolean }): Promise<"deleted" | "deleting"> {
  const row = await requireVmRow(db, input.teamId, input.workloadId);
  const keep = Boolean(input.keepDisk && row.spec.disk);
  const spec = { ...row.spec, keepDisk: keep };
  const detail = keep ? { keptDisk: row.spec.disk!.dataVolumeName } : {};
  return deleteWorkload(db, { ...row, spec: { ...spec } }, { actorId: actor.userId, actorLabel: actor.label, detail }, { spec: { ...spec } });
}

/** Refuses a delete whose typed confirmation is not the VM's name (as shown, or its Kubernetes name). */
export async function confirmVmName(db: Db, teamId: string, workloadId: string, typed: string): Promise<void> {
  const row = await requireVmRow(db, teamId, workloadId);
  requireTypedName(typed, { displayName: row.spec.displayName, name: row.name }, "VM");
}
