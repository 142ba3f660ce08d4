// SSH pods: create, reset and delete. The database row is the record of intent and ownership;
// the cluster objects (Service → Secret, PVC, Pod) are made from it through the durable
// workload machine (lib/workloads/lifecycle.ts, with lib/pods/lifecycle-driver.ts): nothing is
// lost or orphaned when a create or delete is interrupted; every change leaves an audit row.
import { randomUUID } from "node:crypto";
import { CoreV1Api } from "@kubernetes/client-node";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { QUOTA_NAME } from "@/lib/clusters/assignments";
import type { Db } from "@/lib/db/client";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { plannedNamesProblem } from "@/lib/kube/object-names";
import { kube, kubeOrNull } from "@/lib/kube/transport";
import { slugify, withRandomSuffix } from "@/lib/names";
import { parseInput } from "@/lib/parse-input";
import { firstPodName } from "@/lib/pods/lifecycle-driver";
import { teamClusterContext, workloadClusterContext } from "@/lib/workloads/cluster-context";
import { loginNameFor } from "@/lib/pods/login-name";
import { plannedObjectNames } from "@/lib/pods/manifests";
import { nodeFitRefusal } from "@/lib/workloads/node-fit";
import { createWorkloadPod, deleteWorkloadPods, readService, waitUntilPodsGone } from "@/lib/pods/objects";
import { quotaRefusal, quotaShortfalls } from "@/lib/workloads/quota";
import { requireSshPodRow, type SshPodRow } from "@/lib/pods/rows";
import { createSshPodInputSchema, type CreateSshPodInput } from "@/lib/pods/schemas";
import type { SshPodSpec } from "@/lib/pods/types";
import { getUser } from "@/lib/users/service";
import { requireTypedName } from "@/lib/workloads/form-fields";
import { createWorkload, deleteWorkload, requireReady, workloadAuditTarget } from "@/lib/workloads/lifecycle";

/** What a create answers with: ready, or still being created (the outcome is not known yet; the panel finishes or cleans up). */
export type CreatedSshPod = { id: string; name: string; podName: string } & ({ state: "ready" } | { state: "creating"; message: string });

/**
 * Creates an SSH pod for the acting user in a team's namespace of an assigned cluster.
 * Refused before anything is made: bad input (field errors: a name whose objects Kubernetes
 * would refuse, an image that is not a reference, lenient numbers), an image outside the
 * cluster's catalog, a cluster not assigned to the team, a pod that does not fit in the quota
 * or on any node.
 */
export async function createSshPod(db: Db, actor: Actor, input: CreateSshPodInput): Promise<CreatedSshPod> {
  const request = parseInput(createSshPodInputSchema, input);
  const id = randomUUID();
  const name = withRandomSuffix(slugify(request.name));
  const names = { serviceName: name, secretName: `${name}-ssh`, pvcName: request.homeGib ? `${name}-home` : null };
  // Derived from the workload's id: a repeated create (the reconciler's) finds the same Pod.
  const podName = firstPodName({ id, name });
  // The final names, suffixes included, as Kubernetes will check them; the message speaks of the name typed.
  const namesProblem = plannedNamesProblem(plannedObjectNames(names, podName));
  if (namesProblem) {
    const message = `“${request.name}” cannot name an SSH pod: ${namesProblem}.`;
    throw new ValidationError(message, { name: message });
  }
  const ctx = await teamClusterContext(db, request.teamId, request.clusterId);
  if (!ctx.settings.imageCatalog.some((entry) => entry.image === request.image)) {
    throw new ValidationError("Please correct the highlighted fields.", { image: "Choose an image from this cluster's catalog." });
  }
  const owner = await getUser(db, actor.userId);
  if (!owner) throw new NotFoundError("No such user.");

  // Read with the panel's own credentials: enforcing the quota and the node sizes is the
  // panel's check, and the team's impersonated role (when on) may read neither.
  const panelCore = ctx.connection.kc.makeApiClient(CoreV1Api);
  const [quota, nodes] = await Promise.all([
    kubeOrNull(ctx.connection, `read the quota of namespace ${ctx.namespace}`, () => panelCore.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: ctx.namespace })),
    kube(ctx.connection, "list the nodes", () => panelCore.listNode()),
  ]);
  const shortfalls = quotaShortfalls(quota, { ...request, pods: 1, storageGib: request.homeGib ?? 0, volumes: request.homeGib ? 1 : 0 });
  if (shortfalls.length > 0) throw quotaRefusal(shortfalls, { cpu: "cpuMillicores", memory: "memoryMib", storage: "homeGib", volumes: "homeGib" });
  const tooBig = nodeFitRefusal(nodes.items, ctx.settings, request);
  if (tooBig) throw new ValidationError(tooBig.message, tooBig.fieldErrors);

  const spec: SshPodSpec = {
    displayName: request.name,
    image: request.image,
    cpuMillicores: request.cpuMillicores,
    memoryMib: request.memoryMib,
    homeGib: request.homeGib,
    ttlMinutes: request.ttlMinutes,
    loginName: loginNameFor(owner.email),
    ownerEmail: owner.email,
    ...names,
  };
  const expiresAt = request.ttlMinutes ? new Date(Date.now() + request.ttlMinutes * 60_000) : null;
  const detail = { clusterId: request.clusterId, namespace: ctx.namespace, image: spec.image, cpuMillicores: spec.cpuMillicores, memoryMib: spec.memoryMib, homeGib: spec.homeGib, ttlMinutes: spec.ttlMinutes };
  // Through the durable machine: intent with its audit row, then the objects (lib/pods/lifecycle-driver.ts).
  const outcome = await createWorkload(
    db,
    actor,
    { id, teamId: request.teamId, clusterId: request.clusterId, kind: "ssh-pod", namespace: ctx.namespace, name, spec: { ...spec }, expiresAt, createdBy: owner.id },
    detail,
  );
  if (outcome.state === "ready") return { id, name, podName: String(outcome.detail.podName), state: "ready" };
  return { id, name, podName, state: "creating", message: outcome.message };
}

/** Recreates the pod from its stored spec (a new Pod); the Service, Secret and home volume stay. */
export async function resetSshPod(db: Db, actor: Actor, input: { teamId: string; workloadId: string }): Promise<{ podName: string }> {
  const row = await requireSshPodRow(db, input.teamId, input.workloadId);
  requireReady(row, `The SSH pod “${row.spec.displayName}”`, "reset");
  // Two resets at once would each create a new pod after the old one is gone: one pod too many.
  if (resetsInProgress.has(row.id)) throw new ValidationError(`The SSH pod “${row.spec.displayName}” is already being reset; wait for that to finish.`);
  resetsInProgress.add(row.id);
  try {
    return await replacePod(db, actor, row);
  } finally {
    resetsInProgress.delete(row.id);
  }
}

// Resets running in this process, by workload id (on globalThis: Next.js dev reloads modules).
// Resets on two replicas at the same moment are not caught here.
const globalForResets = globalThis as typeof globalThis & { __minicloudPodResets?: Set<string> };
const resetsInProgress = (globalForResets.__minicloudPodResets ??= new Set<string>());

async function replacePod(db: Db, actor: Actor, row: SshPodRow): Promise<{ podName: string }> {
  const ctx = await workloadClusterContext(db, row);
  const service = await readService(ctx, row.spec.serviceName);
  if (!service) {
    throw new NotFoundError(`The SSH pod “${row.spec.displayName}” has lost its Service in the cluster; delete it and create a new one.`);
  }
  await deleteWorkloadPods(ctx, row.id);
  await waitUntilPodsGone(ctx, row.id);
  const pod = await createWorkloadPod(ctx, row, service);
  const podName = pod.metadata!.name!;
  await auditSuccess(db, actor, { action: "pod.reset", ...(await workloadAuditTarget(db, row, "ssh_pod")), detail: { podName } });
  return { podName };
}

/**
 * Deletes the SSH pod durably: the row says `deleting` (with a pending audit row), every object
 * goes, then the row. Resolves `deleting` when the cluster did not answer: the reconciler
 * finishes, and the pods list shows it meanwhile.
 */
export async function deleteSshPod(db: Db, actor: Actor, input: { teamId: string; workloadId: string }): Promise<"deleted" | "deleting"> {
  const row = await requireSshPodRow(db, input.teamId, input.workloadId);
  return deleteWorkload(db, { ...row, spec: { ...row.spec } }, { actorId: actor.userId, actorLabel: actor.label, detail: {} });
}

/** Refuses a delete whose typed confirmation is not the pod's name (as shown, or its Kubernetes name). */
export async function confirmSshPodName(db: Db, teamId: string, workloadId: string, typed: string): Promise<void> {
  const row = await requireSshPodRow(db, teamId, workloadId);
  requireTypedName(typed, { displayName: row.spec.displayName, name: row.name }, "pod");
}
