// SSH pods: create, reset and delete. The database row is the record of intent and ownership;
// the cluster objects (Service → Secret, PVC, Pod) are made from it. A create that fails half
// way removes what it made; every change leaves an audit row.
import { CoreV1Api } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { auditSuccess, markAudited, recordAuditEvent, type Actor } from "@/lib/audit/service";
import { QUOTA_NAME } from "@/lib/clusters/assignments";
import type { Db } from "@/lib/db/client";
import { workloads } from "@/lib/db/schema";
import { AppError, NotFoundError, ValidationError } from "@/lib/errors";
import { kube, kubeOrNull } from "@/lib/kube/transport";
import { slugify, withRandomSuffix } from "@/lib/names";
import { parseInput } from "@/lib/parse-input";
import { teamClusterContext, workloadClusterContext, type TeamClusterContext } from "@/lib/workloads/cluster-context";
import { loginNameFor } from "@/lib/pods/login-name";
import { homeClaim, ownedByService, sshSecret, sshService } from "@/lib/pods/manifests";
import { createWorkloadPod, deleteWorkloadObjects, deleteWorkloadPods, objectsContextOf, readService, waitUntilPodsGone } from "@/lib/pods/objects";
import { quotaShortfalls } from "@/lib/pods/quota";
import { requireSshPodRow, type SshPodRow } from "@/lib/pods/rows";
import { createSshPodInputSchema, type CreateSshPodInput } from "@/lib/pods/schemas";
import type { SshPodSpec } from "@/lib/pods/types";
import { listSshKeys } from "@/lib/ssh-keys/service";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";
import { resolveTeamScope } from "@/lib/tenancy/principal";
import { getUser } from "@/lib/users/service";

/** What a create answers with. */
export interface CreatedSshPod {
  id: string;
  name: string;
  podName: string;
}

/** Who the time-to-live reaper acts as in audit rows. */
export const TTL_ACTOR_LABEL = "minicloud (time-to-live)";

async function auditTargetOf(db: Db, row: { id: string; teamId: string; name: string }) {
  const scope = await resolveTeamScope(db, row.teamId);
  return { targetType: "ssh_pod", targetId: row.id, targetLabel: row.name, orgId: scope.orgId, teamId: row.teamId };
}

/**
 * Creates an SSH pod for the acting user in a team's namespace of an assigned cluster.
 * Refused before anything is made: bad input (field errors), an image outside the cluster's
 * catalog, a cluster not assigned to the team, a pod that does not fit in the quota.
 */
export async function createSshPod(db: Db, actor: Actor, input: CreateSshPodInput): Promise<CreatedSshPod> {
  const request = parseInput(createSshPodInputSchema, input);
  const ctx = await teamClusterContext(db, request.teamId, request.clusterId);
  if (!ctx.settings.imageCatalog.some((entry) => entry.image === request.image)) {
    throw new ValidationError("Please correct the highlighted fields.", { image: "Choose an image from this cluster's catalog." });
  }
  const owner = await getUser(db, actor.userId);
  if (!owner) throw new NotFoundError("No such user.");

  // Read with the panel's own credentials: enforcing the quota is the panel's check, and the
  // team's impersonated role (when on) is not meant to read quota objects.
  const panelCore = ctx.connection.kc.makeApiClient(CoreV1Api);
  const quota = await kubeOrNull(ctx.connection, `read the quota of namespace ${ctx.namespace}`, () =>
    panelCore.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace: ctx.namespace }),
  );
  const shortfalls = quotaShortfalls(quota, request);
  if (shortfalls.length > 0) {
    const fieldErrors: Record<string, string> = {};
    for (const s of shortfalls) if (s.field) fieldErrors[s.field] = fieldErrors[s.field] ? `${fieldErrors[s.field]} ${s.message}` : s.message;
    throw new ValidationError(shortfalls.map((s) => s.message).join(" "), fieldErrors);
  }

  const [ownerKeys, panelKey] = await Promise.all([listSshKeys(db, owner.id), getPanelTerminalKey(db)]);
  const name = withRandomSuffix(slugify(request.name));
  const spec: SshPodSpec = {
    displayName: request.name,
    image: request.image,
    cpuMillicores: request.cpuMillicores,
    memoryMib: request.memoryMib,
    homeGib: request.homeGib,
    ttlMinutes: request.ttlMinutes,
    loginName: loginNameFor(owner.email),
    ownerEmail: owner.email,
    serviceName: name,
    secretName: `${name}-ssh`,
    pvcName: request.homeGib ? `${name}-home` : null,
  };
  const expiresAt = request.ttlMinutes ? new Date(Date.now() + request.ttlMinutes * 60_000) : null;
  const { orgId } = await resolveTeamScope(db, request.teamId);
  const [inserted] = await db
    .insert(workloads)
    .values({ teamId: request.teamId, clusterId: request.clusterId, kind: "ssh-pod", namespace: ctx.namespace, name, spec: { ...spec }, expiresAt, createdBy: owner.id })
    .returning();
  const row = { ...inserted!, spec } as SshPodRow;
  const target = { targetType: "ssh_pod", targetId: row.id, targetLabel: row.name, orgId, teamId: row.teamId };
  const detail = { clusterId: row.clusterId, namespace: row.namespace, image: spec.image, cpuMillicores: spec.cpuMillicores, memoryMib: spec.memoryMib, homeGib: spec.homeGib, ttlMinutes: spec.ttlMinutes };

  let podName: string;
  try {
    podName = await createObjects(ctx, row, [...ownerKeys.map((k) => k.publicKey), panelKey.publicKey]);
  } catch (error) {
    await rollBack(db, ctx, row);
    await recordAuditEvent(db, {
      actorId: actor.userId,
      actorLabel: actor.label,
      action: "pod.create",
      ...target,
      outcome: "error",
      detail: { ...detail, error: error instanceof AppError ? error.message : "unexpected error (details in the server log)" },
    });
    markAudited(error);
    throw error;
  }
  await auditSuccess(db, actor, { action: "pod.create", ...target, detail: { ...detail, podName } });
  return { id: row.id, name: row.name, podName };
}

// Service first (the anchor every other object is owned by), then Secret, claim and Pod.
async function createObjects(ctx: TeamClusterContext, row: SshPodRow, keys: string[]): Promise<string> {
  const objects = objectsContextOf(row, ctx);
  const { connection, core, namespace } = ctx;
  const service = await kube(connection, `create service ${row.name}`, () => core.createNamespacedService({ namespace, body: sshService(objects) }));
  const owner = ownedByService(service);
  await kube(connection, `create secret ${row.spec.secretName}`, () => core.createNamespacedSecret({ namespace, body: sshSecret(objects, owner, keys) }));
  if (row.spec.pvcName) {
    const claim = homeClaim(objects, owner);
    await kube(connection, `create volume claim ${row.spec.pvcName}`, () => core.createNamespacedPersistentVolumeClaim({ namespace, body: claim }));
  }
  const pod = await createWorkloadPod(ctx, row, service);
  return pod.metadata!.name!;
}

// Removes what a failed create made, and its row. A failure here is logged, not thrown: the
// caller reports the error that made the create fail, and leftovers carry the workload's labels.
async function rollBack(db: Db, ctx: TeamClusterContext, row: SshPodRow): Promise<void> {
  try {
    await deleteWorkloadObjects(ctx, row.id, row.spec.serviceName);
  } catch (error) {
    console.error(`[minicloud] rolling back SSH pod ${row.namespace}/${row.name} left objects behind:`, error);
  }
  await db.delete(workloads).where(eq(workloads.id, row.id));
}

/** Recreates the pod from its stored spec (a new Pod); the Service, Secret and home volume stay. */
export async function resetSshPod(db: Db, actor: Actor, input: { teamId: string; workloadId: string }): Promise<{ podName: string }> {
  const row = await requireSshPodRow(db, input.teamId, input.workloadId);
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
  await auditSuccess(db, actor, { action: "pod.reset", ...(await auditTargetOf(db, row)), detail: { podName } });
  return { podName };
}

/** Deletes the SSH pod: every object it has in the cluster, then its row. Objects already gone are fine. */
export async function deleteSshPod(db: Db, actor: Actor, input: { teamId: string; workloadId: string }): Promise<void> {
  const row = await requireSshPodRow(db, input.teamId, input.workloadId);
  await removeSshPod(db, row, { actorId: actor.userId, actorLabel: actor.label, detail: {} });
}

/** Deletes a pod's objects and row and writes the `pod.delete` row (shared by users and the reaper). */
export async function removeSshPod(db: Db, row: SshPodRow, audit: { actorId: string | null; actorLabel: string; detail: Record<string, unknown> }): Promise<void> {
  const ctx = await workloadClusterContext(db, row);
  await deleteWorkloadObjects(ctx, row.id, row.spec.serviceName);
  const target = await auditTargetOf(db, row);
  await db.transaction(async (tx) => {
    const deleted = await tx.delete(workloads).where(eq(workloads.id, row.id)).returning({ id: workloads.id });
    // Someone else finished the delete meanwhile: their row describes it.
    if (deleted.length === 0) return;
    await recordAuditEvent(tx, { actorId: audit.actorId, actorLabel: audit.actorLabel, action: "pod.delete", ...target, outcome: "success", detail: audit.detail });
  });
}

/** Refuses a delete whose typed confirmation is not the pod's name (as shown, or its Kubernetes name). */
export async function confirmSshPodName(db: Db, teamId: string, workloadId: string, typed: string): Promise<void> {
  const row = await requireSshPodRow(db, teamId, workloadId);
  const value = typed.trim();
  if (value !== row.spec.displayName && value !== row.name) {
    const message = "Type the pod's name exactly to confirm.";
    throw new ValidationError(message, { confirmName: message });
  }
}
