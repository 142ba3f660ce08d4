// Host clusters: registration (check first, then store the kubeconfig sealed), re-checks,
// settings, and disconnecting. Credentials never leave this module except as a client
// config: listings and pages get names, addresses and the last check, never kubeconfigs.
//
// Registration policy: the kubeconfig is vetted in its raw form (lib/kube/kubeconfig.ts) and its
// server address against where the panel may connect (lib/clusters/server-address.ts); TLS
// verification switched off is accepted only as the admin's explicit, audited choice; one
// cluster (by its kube-system namespace's UID) is registered once. A cluster that cannot be
// reached, or that refuses the credentials, is refused with the reason (in our words, never
// the server's) and nothing is stored (there is nothing useful to keep). A
// reachable cluster whose credentials lack permissions is stored, with the check listing
// what is missing in plain words — the admin can fix RBAC in the cluster and re-check,
// the way cluster managers such as Rancher keep a registered cluster with its conditions.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { syncClusterTeamAccess } from "@/lib/clusters/assignments";
import { missingAccess, probeCluster, readStoredCheck, unreachableCheck, type ClusterCheck } from "@/lib/clusters/probe";
import { REQUIRED_ACCESS } from "@/lib/clusters/required-access";
import { clusterSettingsSchema, readClusterSettings, type ClusterSettings } from "@/lib/clusters/settings";
import { sealSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { isUuid } from "@/lib/db/ids";
import { clusterAssignments, clusters, teams, workloads } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { AppError, ConflictError, NotFoundError, UnavailableError, ValidationError } from "@/lib/errors";
import { buildConnection, forgetClusterConnection, getClusterConnection, guardServerAddress, kubeconfigSealContext, type ClusterConnection } from "@/lib/kube/clients";
import { isInsecureCluster, kubeConfigFromSelected, selectContext, storedKubeconfigText, vetKubeconfig } from "@/lib/kube/kubeconfig";
import { registrationSelector } from "@/lib/kube/labels";
import { addressPolicy, vetServerAddress } from "@/lib/clusters/server-address";
import { httpStatusOf, kube, kubeDelete, type ClusterRef } from "@/lib/kube/transport";
import { nameSchema, slugify } from "@/lib/names";
import { listNames } from "@/lib/orgs/service";
import { parseInput } from "@/lib/parse-input";

export type { ClusterCheck } from "@/lib/clusters/probe";

/** Where a cluster's credentials come from. */
export const clusterSourceSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("kubeconfig"),
      kubeconfig: z.string({ error: "Paste or upload a kubeconfig." }),
      context: z.string().trim().optional(),
      /** The admin's explicit choice to connect without verifying TLS (the kubeconfig turns it off, or is http://). */
      allowInsecureTls: z.boolean().default(false),
    }),
    z.object({ kind: z.literal("in-cluster") }),
  ],
  { error: "Choose a kubeconfig or this cluster." },
);

/** Register a host cluster. */
export const registerClusterInputSchema = z.object({ name: nameSchema, source: clusterSourceSchema });
export type RegisterClusterInput = z.input<typeof registerClusterInputSchema>;

const clusterIdSchema = z.uuid({ error: "No such cluster." });
/** Re-check a cluster's connection and permissions. */
export const recheckClusterInputSchema = z.object({ clusterId: clusterIdSchema });
/** Replace a cluster's settings (the stored shape; the form's text areas parse into it). */
export const updateClusterSettingsInputSchema = z.object({ clusterId: clusterIdSchema, settings: clusterSettingsSchema });
export type UpdateClusterSettingsInput = z.input<typeof updateClusterSettingsInputSchema>;
/** Disconnect a cluster: typed name; optionally delete what minicloud made in it. */
export const disconnectClusterInputSchema = z.object({
  clusterId: clusterIdSchema,
  confirmName: z.string({ error: "Type the cluster's name to confirm." }),
  deleteObjects: z.boolean().default(false),
});
export type DisconnectClusterInput = z.input<typeof disconnectClusterInputSchema>;

/** A registered cluster as admins see it: no credentials. */
export interface ClusterSummary extends ClusterRef {
  slug: string;
  kind: "host" | "nested";
  inCluster: boolean;
  /** The panel's own local control plane (lib/local-cluster), shown with a "local (built-in)" badge. */
  builtIn: boolean;
  /** Whether the panel connects without verifying TLS (the admin chose so at registration). */
  insecureTls: boolean;
  /** The API server address (null when it cannot be read). */
  server: string | null;
  check: ClusterCheck | null;
  checkedAt: Date | null;
  settings: ClusterSettings;
  assignmentCount: number;
  createdAt: Date;
}

/** A cluster as org admins see it when assigning: its name and whether it is healthy. */
export interface AssignableCluster extends ClusterRef {
  reachable: boolean | null;
  nodes: { ready: number; total: number } | null;
}

type ClusterRow = typeof clusters.$inferSelect;

function nameTaken(): ConflictError {
  return new ConflictError("That name is taken.", { name: "A cluster with this name is already registered." });
}

function serverOf(row: ClusterRow): string | null {
  if (row.inCluster) return "in-cluster (the panel's service account)";
  try {
    return buildConnection(row).kc.getCurrentCluster()?.server ?? null;
  } catch {
    return null;
  }
}

function toSummary(row: ClusterRow, assignmentCount: number): ClusterSummary {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    kind: row.kind,
    inCluster: row.inCluster,
    builtIn: row.builtIn,
    insecureTls: row.insecureTls,
    server: serverOf(row),
    check: readStoredCheck(row.lastCheck),
    checkedAt: row.checkedAt,
    settings: readClusterSettings(row),
    assignmentCount,
    createdAt: row.createdAt,
  };
}

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** Whether the panel runs in a pod with a service account, so "this cluster" can be registered. */
export function runsInCluster(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST && process.env.KUBERNETES_SERVICE_PORT) && existsSync(SERVICE_ACCOUNT_TOKEN);
}

const INSECURE_TLS_FIELD = "allowInsecureTls";

// The client config a registration would use; input problems become field messages.
async function credentialsOf(name: string, source: z.output<typeof clusterSourceSchema>): Promise<{ kc: KubeConfig; stored: string | null; insecureTls: boolean }> {
  if (source.kind === "in-cluster") {
    if (!runsInCluster()) {
      const message = "The panel is not running inside a cluster, so “this cluster” is not available; paste a kubeconfig instead.";
      throw new ValidationError(message, { source: message });
    }
    return { kc: buildConnection({ id: "new", name, inCluster: true, kubeconfigEncrypted: null, settings: {} }).kc, stored: null, insecureTls: false };
  }
  const selected = selectContext(vetKubeconfig(source.kubeconfig), source.context || undefined);
  const insecureTls = isInsecureCluster(selected.cluster);
  if (insecureTls && !source.allowInsecureTls) {
    const message =
      "This kubeconfig connects without verifying TLS (insecure-skip-tls-verify or http://), so the panel could not tell the real API server from an impostor. Tick “Connect without verifying TLS” to register it anyway.";
    throw new ValidationError(message, { [INSECURE_TLS_FIELD]: message });
  }
  await vetServerAddress(selected.cluster.server, insecureTls, addressPolicy());
  const kc = kubeConfigFromSelected(selected);
  guardServerAddress(kc); // the probe's connections, too, go only where the vetting allowed
  return { kc, stored: storedKubeconfigText(selected), insecureTls };
}

function sameCluster(existing: string): ConflictError {
  const message = `This cluster is already registered as “${existing}” (the same kube-system namespace); use that registration, or disconnect it first.`;
  return new ConflictError(message, { kubeconfig: message });
}

/** The registration already holding cluster identity `identity`, if any. */
async function registrationOf(db: Db, identity: string): Promise<string | null> {
  const [row] = await db.select({ name: clusters.name }).from(clusters).where(eq(clusters.identity, identity));
  return row?.name ?? null;
}

/**
 * Registers a host cluster: parses the credentials (field messages on bad input), checks the
 * cluster, then stores it with the kubeconfig sealed and the check. Refused, storing nothing,
 * when the cluster cannot be reached or rejects the credentials.
 */
export async function registerCluster(db: Db, actor: Actor, input: RegisterClusterInput): Promise<{ cluster: ClusterSummary; check: ClusterCheck }> {
  const { name, source } = parseInput(registerClusterInputSchema, input);
  const slug = slugify(name);
  const [clash] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.slug, slug));
  if (clash) throw nameTaken();
  const { kc, stored, insecureTls } = await credentialsOf(name, source);
  const id = randomUUID();

  let check: ClusterCheck;
  try {
    check = await probeCluster({ id, name }, kc, { impersonation: false });
  } catch (error) {
    if (error instanceof AppError) throw new UnavailableError(`Not registered: ${error.message}`);
    throw error;
  }
  const identity = check.identity ?? null;
  const existing = identity ? await registrationOf(db, identity) : null;
  if (existing) throw sameCluster(existing);

  try {
    const row = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(clusters)
        .values({
          id,
          name,
          slug,
          kind: "host",
          inCluster: source.kind === "in-cluster",
          insecureTls,
          identity,
          kubeconfigEncrypted: stored === null ? null : sealSecret(getEnv().encryptionKey, kubeconfigSealContext(id), stored),
          lastCheck: check as unknown as Record<string, unknown>,
          checkedAt: new Date(check.checkedAt),
        })
        .returning();
      await auditSuccess(tx, actor, {
        action: "cluster.register",
        targetType: "cluster",
        targetId: id,
        targetLabel: name,
        detail: {
          source: source.kind,
          server: kc.getCurrentCluster()?.server ?? null,
          insecureTls,
          version: check.version,
          nodes: check.nodes,
          missing: check.missing.map((m) => m.what),
        },
      });
      return row!;
    });
    return { cluster: toSummary(row, 0), check };
  } catch (error) {
    if (isUniqueViolation(error, "clusters_slug_key")) throw nameTaken();
    if (identity && isUniqueViolation(error, "clusters_identity_key")) throw sameCluster((await registrationOf(db, identity)) ?? "another name");
    throw error;
  }
}

/** Every registered cluster, by name (for platform admins). */
export async function listClusters(db: Db): Promise<ClusterSummary[]> {
  const rows = await db.select().from(clusters).orderBy(asc(clusters.name));
  const counts = await db.select({ clusterId: clusterAssignments.clusterId, n: count() }).from(clusterAssignments).groupBy(clusterAssignments.clusterId);
  const byCluster = new Map(counts.map((c) => [c.clusterId, c.n]));
  return rows.map((row) => toSummary(row, byCluster.get(row.id) ?? 0));
}

/** One cluster (no credentials), or null. */
export async function getCluster(db: Db, clusterId: string): Promise<ClusterSummary | null> {
  if (!isUuid(clusterId)) return null;
  const [row] = await db.select().from(clusters).where(eq(clusters.id, clusterId));
  if (!row) return null;
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(clusterAssignments).where(eq(clusterAssignments.clusterId, clusterId));
  return toSummary(row, n);
}

/** The clusters an org admin may assign to teams: names and health only. */
export async function listAssignableClusters(db: Db): Promise<AssignableCluster[]> {
  const rows = await db.select({ id: clusters.id, name: clusters.name, lastCheck: clusters.lastCheck }).from(clusters).orderBy(asc(clusters.name));
  return rows.map((row) => {
    const check = readStoredCheck(row.lastCheck);
    return { id: row.id, name: row.name, reachable: check?.reachable ?? null, nodes: check?.nodes ?? null };
  });
}

async function loadRow(db: Db, clusterId: string): Promise<ClusterRow> {
  const [row] = isUuid(clusterId) ? await db.select().from(clusters).where(eq(clusters.id, clusterId)) : [];
  if (!row) throw new NotFoundError("No such cluster.");
  return row;
}

/** Checks a registered cluster again and stores the result (an unreachable cluster is stored as such). */
export async function recheckCluster(db: Db, actor: Actor, input: { clusterId: string }): Promise<ClusterCheck> {
  const { clusterId } = parseInput(recheckClusterInputSchema, input);
  const row = await loadRow(db, clusterId);
  let check: ClusterCheck;
  try {
    const connection = await getClusterConnection(db, clusterId);
    // The address is vetted again: the policy or what its name resolves to may have changed.
    // The built-in cluster is the panel's own, on loopback by design (lib/clusters/built-in.ts).
    const server = connection.kc.getCurrentCluster()?.server;
    // A nested cluster's address is one the panel made (its apiserver's Service, reached through its
    // tunnel); the built-in cluster's is the panel's own loopback control plane.
    if (server && !row.inCluster && !row.builtIn && row.kind === "host") await vetServerAddress(server, row.insecureTls, addressPolicy());
    check = await probeCluster(connection, connection.kc, { impersonation: connection.impersonation });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    check = unreachableCheck(error.message);
  }
  // A registration from before identities were recorded learns its own, unless another holds it.
  const identity = row.identity ?? (check.identity && !(await registrationOf(db, check.identity)) ? check.identity : null);
  await db.transaction(async (tx) => {
    await tx
      .update(clusters)
      .set({ lastCheck: check as unknown as Record<string, unknown>, checkedAt: new Date(check.checkedAt), identity })
      .where(eq(clusters.id, clusterId));
    await auditSuccess(tx, actor, {
      action: "cluster.check",
      targetType: "cluster",
      targetId: clusterId,
      targetLabel: row.name,
      detail: { reachable: check.reachable, version: check.version, missing: check.missing.map((m) => m.what), ...(check.error && { error: check.error }) },
    });
  });
  return check;
}

/**
 * Replaces a cluster's settings. Turning impersonation on first checks that the panel may
 * impersonate and creates each team's Role and RoleBinding, so team requests never run as
 * an identity with no rights; turning it off removes them after the setting is saved.
 */
export async function updateClusterSettings(db: Db, actor: Actor, input: UpdateClusterSettingsInput): Promise<ClusterSettings> {
  const { clusterId, settings } = parseInput(updateClusterSettingsInputSchema, input);
  const row = await loadRow(db, clusterId);
  const before = readClusterSettings(row);
  const turningOn = settings.impersonation && !before.impersonation;
  const turningOff = !settings.impersonation && before.impersonation;
  if (turningOn) {
    const connection = await getClusterConnection(db, clusterId);
    const missing = await missingAccess(connection, connection.kc, REQUIRED_ACCESS.filter((entry) => entry.when === "impersonation"));
    if (missing.length > 0) {
      const message = `The panel may not ${missing.map((m) => m.what).join(" or ")} in this cluster, which impersonation needs; grant it (see deploy/rbac.yaml) before turning impersonation on.`;
      throw new ValidationError(message, { impersonation: message });
    }
    await syncClusterTeamAccess(db, clusterId, true);
  }
  await db.transaction(async (tx) => {
    await tx
      .update(clusters)
      .set({ settings: settings as unknown as Record<string, unknown> })
      .where(eq(clusters.id, clusterId));
    await auditSuccess(tx, actor, {
      action: "cluster.settings",
      targetType: "cluster",
      targetId: clusterId,
      targetLabel: row.name,
      detail: { from: before, to: settings },
    });
  });
  forgetClusterConnection(clusterId);
  if (turningOff) await syncClusterTeamAccess(db, clusterId, false);
  return settings;
}

/** One kind of object minicloud made in a cluster, with where each one is. */
export interface ManagedObjectGroup {
  kind: string;
  apiVersion: string;
  items: { namespace: string | null; name: string }[];
}

/** What carries minicloud's label in a cluster: namespaces first, then other kinds. */
export interface ManagedObjects {
  namespaces: string[];
  groups: ManagedObjectGroup[];
}

const MANAGED_KINDS = [
  { kind: "Pod", apiVersion: "v1", list: (core: CoreV1Api, labelSelector: string) => core.listPodForAllNamespaces({ labelSelector }) },
  { kind: "Service", apiVersion: "v1", list: (core: CoreV1Api, labelSelector: string) => core.listServiceForAllNamespaces({ labelSelector }) },
  { kind: "Secret", apiVersion: "v1", list: (core: CoreV1Api, labelSelector: string) => core.listSecretForAllNamespaces({ labelSelector }) },
  {
    kind: "PersistentVolumeClaim",
    apiVersion: "v1",
    list: (core: CoreV1Api, labelSelector: string) => core.listPersistentVolumeClaimForAllNamespaces({ labelSelector }),
  },
] as const;

const MANAGED_CUSTOM_KINDS = [
  { kind: "VirtualMachine", apiVersion: "kubevirt.io/v1", group: "kubevirt.io", version: "v1", plural: "virtualmachines" },
  { kind: "DataVolume", apiVersion: "cdi.kubevirt.io/v1beta1", group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes" },
] as const;

async function managedObjectsOf(connection: ClusterConnection): Promise<ManagedObjects> {
  // Only what this registration made: another registration of the same cluster (another
  // panel, or one from before) keeps its objects.
  const selector = registrationSelector(connection.id);
  const core = connection.kc.makeApiClient(CoreV1Api);
  const custom = connection.kc.makeApiClient(CustomObjectsApi);
  const namespaces = await kube(connection, "list minicloud namespaces", () => core.listNamespace({ labelSelector: selector }));
  const item = (o: KubernetesObject) => ({ namespace: o.metadata?.namespace ?? null, name: o.metadata?.name ?? "" });
  const groups: ManagedObjectGroup[] = [];
  for (const spec of MANAGED_KINDS) {
    const list = await kube(connection, `list minicloud ${spec.kind} objects`, (): Promise<{ items: KubernetesObject[] }> => spec.list(core, selector));
    groups.push({ kind: spec.kind, apiVersion: spec.apiVersion, items: list.items.map(item) });
  }
  for (const spec of MANAGED_CUSTOM_KINDS) {
    try {
      const list = (await kube(connection, `list minicloud ${spec.kind} objects`, () =>
        custom.listClusterCustomObject({ group: spec.group, version: spec.version, plural: spec.plural, labelSelector: selector }),
      )) as { items: KubernetesObject[] };
      groups.push({ kind: spec.kind, apiVersion: spec.apiVersion, items: list.items.map(item) });
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error; // 404: that API is not installed
    }
  }
  return { namespaces: namespaces.items.map((n) => n.metadata?.name ?? "").sort(), groups: groups.filter((g) => g.items.length > 0) };
}

/** Lists what minicloud made in a cluster through this registration (labelled with its id), grouped by kind. */
export async function listManagedObjects(db: Db, clusterId: string): Promise<ManagedObjects> {
  await loadRow(db, clusterId);
  return managedObjectsOf(await getClusterConnection(db, clusterId));
}

/**
 * Removes a cluster from the panel: its assignments and the cluster row. Objects in the
 * cluster are left alone unless `deleteObjects`, which deletes minicloud's namespaces (and
 * so their contents) and any other minicloud-labelled objects, and the cluster's workload
 * rows. Without `deleteObjects`, a cluster that still has workload rows is refused, since
 * those rows stand for things running there.
 */
export async function disconnectCluster(db: Db, actor: Actor, input: DisconnectClusterInput): Promise<{ deleted: ManagedObjects | null }> {
  const { clusterId, confirmName, deleteObjects } = parseInput(disconnectClusterInputSchema, input);
  const row = await loadRow(db, clusterId);
  if (confirmName.trim() !== row.name) {
    throw new ValidationError("Type the cluster's name exactly to confirm.", { confirmName: `Type “${row.name}” to confirm.` });
  }
  if (row.kind === "nested") throw new ConflictError("A nested cluster is removed with its control plane: delete it from its organization's nested clusters.");
  const nested = await db.select({ name: clusters.name }).from(clusters).where(eq(clusters.parentClusterId, clusterId));
  if (nested.length > 0) throw new ConflictError(`Delete the nested clusters running in it first: ${listNames(nested.map((n) => n.name))}.`);
  const remaining = await db
    .select({ kind: workloads.kind, name: workloads.name })
    .from(workloads)
    .where(eq(workloads.clusterId, clusterId))
    .orderBy(asc(workloads.kind), asc(workloads.name));
  if (remaining.length > 0 && !deleteObjects) {
    const message = `Workloads still run in this cluster: ${listNames(remaining.map((w) => `${w.kind} ${w.name}`))}. Delete them first, or tick “delete minicloud objects”.`;
    throw new ConflictError(message, { deleteObjects: message });
  }

  let deleted: ManagedObjects | null = null;
  if (deleteObjects) {
    const connection = await getClusterConnection(db, clusterId);
    deleted = await managedObjectsOf(connection);
    const objects = KubernetesObjectApi.makeApiClient(connection.kc);
    const core = connection.kc.makeApiClient(CoreV1Api);
    const gone = new Set(deleted.namespaces);
    for (const namespace of deleted.namespaces) {
      await kubeDelete(connection, `delete namespace ${namespace}`, () => core.deleteNamespace({ name: namespace }));
    }
    // Objects outside our namespaces go one by one; those inside go with their namespace.
    for (const group of deleted.groups) {
      for (const { namespace, name } of group.items) {
        if (namespace && gone.has(namespace)) continue;
        const header = { apiVersion: group.apiVersion, kind: group.kind, metadata: { name, ...(namespace && { namespace }) } };
        await kubeDelete(connection, `delete ${group.kind} ${namespace ? `${namespace}/` : ""}${name}`, () => objects.delete(header));
      }
    }
  }

  await db.transaction(async (tx) => {
    const assignments = await tx
      .delete(clusterAssignments)
      .where(eq(clusterAssignments.clusterId, clusterId))
      .returning({ namespace: clusterAssignments.namespace, teamId: clusterAssignments.teamId });
    const removed = deleteObjects ? await tx.delete(workloads).where(eq(workloads.clusterId, clusterId)).returning({ id: workloads.id }) : [];
    await tx.delete(clusters).where(eq(clusters.id, clusterId));
    const teamIds = assignments.map((a) => a.teamId);
    const teamNames = teamIds.length ? (await tx.select({ name: teams.name }).from(teams).where(inArray(teams.id, teamIds))).map((t) => t.name) : [];
    await auditSuccess(tx, actor, {
      action: "cluster.disconnect",
      targetType: "cluster",
      targetId: clusterId,
      targetLabel: row.name,
      detail: {
        deleteObjects,
        assignmentsRemoved: teamNames,
        workloadsRemoved: removed.length,
        ...(deleted && { namespacesDeleted: deleted.namespaces, objectsDeleted: deleted.groups.map((g) => `${g.items.length} ${g.kind}`) }),
      },
    });
  });
  forgetClusterConnection(clusterId);
  return { deleted };
}


/** A nested cluster to register once its control plane is ready (lib/nested makes it). */
export interface NestedClusterRegistration {
  /** The cluster row's id: the nested cluster's workload id. */
  id: string;
  name: string;
  slug: string;
  parentClusterId: string;
  namespace: string;
  version: string;
  /** The admin kubeconfig as stored (the apiserver's address inside the host cluster). */
  kubeconfig: string;
  /** A client for it as the panel reaches it (through its tunnel). */
  kc: KubeConfig;
}

/**
 * Registers a nested cluster as a cluster of kind `nested` with its parent recorded, checked as
 * any other; assignable to teams from then on. Idempotent: an existing row of the same id is kept.
 */
export async function registerNestedCluster(db: Db, actor: Actor, input: NestedClusterRegistration): Promise<ClusterCheck> {
  const [existing] = await db.select({ lastCheck: clusters.lastCheck }).from(clusters).where(eq(clusters.id, input.id));
  if (existing) return readStoredCheck(existing.lastCheck) ?? unreachableCheck("not checked yet");
  const check = await probeCluster({ id: input.id, name: input.name }, input.kc, { impersonation: false });
  await db.transaction(async (tx) => {
    await tx.insert(clusters).values({
      id: input.id,
      name: input.name,
      slug: input.slug,
      kind: "nested",
      parentClusterId: input.parentClusterId,
      nestedType: "hosted-control-plane",
      nestedVersion: input.version,
      nestedNamespace: input.namespace,
      identity: check.identity ?? null,
      kubeconfigEncrypted: sealSecret(getEnv().encryptionKey, kubeconfigSealContext(input.id), input.kubeconfig),
      lastCheck: check as unknown as Record<string, unknown>,
      checkedAt: new Date(check.checkedAt),
    });
    await auditSuccess(tx, actor, {
      action: "cluster.register",
      targetType: "cluster",
      targetId: input.id,
      targetLabel: input.name,
      detail: { source: "nested", parentClusterId: input.parentClusterId, namespace: input.namespace, version: check.version },
    });
  });
  return check;
}

/**
 * Removes a nested cluster's row and its assignments (the objects inside go with its control
 * plane). Refused while teams' workloads still run in it.
 */
export async function unregisterNestedCluster(db: Db, actor: Actor, clusterId: string): Promise<void> {
  const [row] = await db.select({ name: clusters.name, kind: clusters.kind }).from(clusters).where(eq(clusters.id, clusterId));
  if (!row) return;
  if (row.kind !== "nested") throw new ConflictError("Only a nested cluster is removed with its control plane.");
  const remaining = await db.select({ kind: workloads.kind, name: workloads.name }).from(workloads).where(eq(workloads.clusterId, clusterId));
  if (remaining.length > 0) {
    throw new ConflictError(`Workloads still run in the nested cluster “${row.name}”: ${listNames(remaining.map((w) => `${w.kind} ${w.name}`))}. Delete them first.`);
  }
  await db.transaction(async (tx) => {
    const assignments = await tx.delete(clusterAssignments).where(eq(clusterAssignments.clusterId, clusterId)).returning({ teamId: clusterAssignments.teamId });
    await tx.delete(clusters).where(eq(clusters.id, clusterId));
    await auditSuccess(tx, actor, {
      action: "cluster.unregister",
      targetType: "cluster",
      targetId: clusterId,
      targetLabel: row.name,
      detail: { source: "nested", assignmentsRemoved: assignments.length },
    });
  });
  forgetClusterConnection(clusterId);
}

/** Replaces a nested cluster's stored admin kubeconfig (after its certificates were rotated). */
export async function replaceNestedKubeconfig(db: Db, clusterId: string, kubeconfig: string): Promise<void> {
  await db
    .update(clusters)
    .set({ kubeconfigEncrypted: sealSecret(getEnv().encryptionKey, kubeconfigSealContext(clusterId), kubeconfig) })
    .where(and(eq(clusters.id, clusterId), eq(clusters.kind, "nested")));
  forgetClusterConnection(clusterId);
}
