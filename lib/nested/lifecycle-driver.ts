// Nested clusters in the durable workload machine (lib/workloads/lifecycle.ts). A create is
// the hosted control plane's steps, each recorded for the UI and each bounded:
//   certificates  namespace (the root), the apiserver's Service (its cluster IP goes into the
//                 serving certificate), the PKI (made once, sealed in the database), Secrets,
//                 etcd's Services and StatefulSet, the NetworkPolicy;
//   etcd          until every member answers /health; then the apiserver, controller-manager
//                 and scheduler Deployments (started before etcd answers, an apiserver only
//                 exits and is restarted with back-off: the datastore comes first, as hosted
//                 control planes do it);
//   apiserver     until /readyz answers ok;
//   controllers   until the controller-manager and the scheduler hold their leader leases and
//                 the `default` ServiceAccount exists (the controllers work);
//   registered    the cluster row of kind nested (lib/clusters), assignable to teams.
// A step that fails or runs out of time fails the create with its reason, and the machine
// removes what was made (the namespace, so everything in it, and the rows). Every method is
// idempotent: objects have fixed names inside the plane's own namespace.
import { AppsV1Api, CoreV1Api, NetworkingV1Api, type KubeConfig, type KubernetesObject, type V1Namespace, type V1Service } from "@kubernetes/client-node";
import { readClusterSettings } from "@/lib/clusters/settings";
import { registerNestedCluster, unregisterNestedCluster } from "@/lib/clusters/service";
import type { Db } from "@/lib/db/client";
import { clusters } from "@/lib/db/schema";
import { eq } from "drizzle-orm";
import { UnavailableError, type AppError } from "@/lib/errors";
import { getClusterConnection, reroutedKubeConfig, type ClusterConnection } from "@/lib/kube/clients";
import { kubeConfigFromStored } from "@/lib/kube/kubeconfig";
import { CLUSTER_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { kube, kubeCreateOrFind, kubeDelete, kubeOrNull } from "@/lib/kube/transport";
import { createClusterPki, ADMIN_USER, type ClusterPki, type ControlPlaneEndpoints } from "@/lib/pki/cluster-pki";
import { kubeconfigYaml } from "@/lib/pki/kubeconfig";
import { inventoryOf, type InventoriedKind } from "@/lib/workloads/inventory";
import { workloadLabels } from "@/lib/workloads/labels";
import { registerKind, workloadAuditTarget, type FoundWorkload, type KindDriver, type WorkloadRow } from "@/lib/workloads/lifecycle";
import { componentReadiness, etcdMemberHealth, leaderLeases, nestedReadyz } from "@/lib/nested/health";
import {
  apiserverDeployment,
  apiserverInClusterUrl,
  apiserverService,
  controllerManagerDeployment,
  etcdMembers,
  etcdServices,
  etcdStatefulSet,
  namespaceManifest,
  networkPolicy,
  pkiSecrets,
  schedulerDeployment,
  type PlaneContext,
} from "@/lib/nested/manifests";
import { asNestedRow, type NestedClusterRow } from "@/lib/nested/rows";
import { loadPki, recordStep, storePki } from "@/lib/nested/store";
import { apiserverTunnel, closeTunnel } from "@/lib/nested/tunnel";
import { OBJECT_NAMES as N, type StepName } from "@/lib/nested/types";

// The cluster row is registered and removed by the panel for the nested cluster's creator.
const LIFECYCLE_ACTOR_LABEL = "minicloud (nested cluster lifecycle)";

/**
 * How long each waiting step may take, and how often it looks (tests shorten them).
 * `objectsOnly`: stop after the objects are made, without waiting for the processes — for the
 * benchmark that measures making 100 planes' PKI and objects (bench/nested.ts), never the panel.
 */
export const nestedTimings = { stepTimeoutMs: 180_000, removalTimeoutMs: 180_000, pollMs: 1000, objectsOnly: false };

/** Hooks that let tests fail a step on purpose (the create must then be rolled back). */
export const nestedStepHooks: { beforeStep?: (step: StepName, row: NestedClusterRow) => void | Promise<void> } = {};

// Creates whose caller waits to hear that the intent is written (the machine calls `ensure`
// right after): the service answers then, and the steps go on.
const globalForStarts = globalThis as typeof globalThis & { __minicloudNestedStarts?: Map<string, () => void> };
const intentWritten = (globalForStarts.__minicloudNestedStarts ??= new Map());

/** Resolves once the create of `workloadId` has written its intent; call before starting the create. */
export function whenIntentWritten(workloadId: string): { written: Promise<void>; forget: () => void } {
  const written = new Promise<void>((resolve) => intentWritten.set(workloadId, () => resolve()));
  return { written, forget: () => intentWritten.delete(workloadId) };
}

interface Plane {
  row: NestedClusterRow;
  host: ClusterConnection;
  ctx: PlaneContext;
}

async function planeOf(db: Db, row: NestedClusterRow): Promise<Plane> {
  const host = await getClusterConnection(db, row.clusterId);
  const [cluster] = await db.select({ settings: clusters.settings }).from(clusters).where(eq(clusters.id, row.clusterId));
  const settings = readClusterSettings(cluster ?? { settings: {} });
  const labels = workloadLabels({ clusterId: row.clusterId, teamId: row.teamId, ownerId: row.createdBy, kind: "nested-cluster", workloadId: row.id });
  return { row, host, ctx: { namespace: row.namespace, labels, spec: row.spec, nodeSelector: settings.nodeSelector, tolerations: settings.tolerations } };
}

/** The endpoints the PKI must name, from the plane and its apiserver Service. */
export function endpointsOf(ctx: PlaneContext, service: V1Service | null, externalAddresses: string[] = []): ControlPlaneEndpoints {
  const clusterIp = service?.spec?.clusterIP;
  return {
    namespace: ctx.namespace,
    apiserverService: N.apiserverService,
    apiserverClusterIp: clusterIp && clusterIp !== "None" ? clusterIp : null,
    etcdClientService: N.etcdClientService,
    etcdPeerService: N.etcdPeerService,
    etcdStatefulSet: N.etcdStatefulSet,
    etcdReplicas: ctx.spec.etcdReplicas,
    hostClusterDomain: ctx.spec.hostClusterDomain,
    clusterDomain: ctx.spec.clusterDomain,
    serviceCidr: ctx.spec.serviceCidr,
    externalAddresses,
  };
}

/** The addresses outside the host cluster that reach the apiserver: the nodes' for NodePort, the balancer's for LoadBalancer. */
async function externalAddressesOf(plane: Plane, service: V1Service): Promise<string[]> {
  if (plane.ctx.spec.exposure === "LoadBalancer") return (service.status?.loadBalancer?.ingress ?? []).flatMap((i) => [i.ip, i.hostname].filter((a): a is string => Boolean(a)));
  if (plane.ctx.spec.exposure !== "NodePort") return [];
  const core = plane.host.kc.makeApiClient(CoreV1Api);
  const nodes = await kube(plane.host, "list the nodes", () => core.listNode());
  return nodes.items.flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === "InternalIP" || a.type === "ExternalIP").map((a) => a.address));
}

// Makes, or finds, each object (fixed names: a retry finds what an earlier attempt made).
async function ensureObject<T extends KubernetesObject>(plane: Plane, body: T, create: () => Promise<T>, read: () => Promise<T>): Promise<T> {
  return kubeCreateOrFind(plane.host, `${body.kind} ${body.metadata!.name} in ${plane.ctx.namespace}`, create, read);
}

async function ensureCertificates(db: Db, plane: Plane): Promise<ClusterPki> {
  const { host, ctx } = plane;
  const core = host.kc.makeApiClient(CoreV1Api);
  const namespace = ctx.namespace;
  const ns = namespaceManifest(ctx);
  await ensureObject<V1Namespace>(plane, ns, () => core.createNamespace({ body: ns }), () => core.readNamespace({ name: namespace }));
  const svc = apiserverService(ctx);
  const service = await ensureObject(plane, svc, () => core.createNamespacedService({ namespace, body: svc }), () => core.readNamespacedService({ name: svc.metadata!.name!, namespace }));
  const pki = (await loadPki(db, plane.row.id)) ?? (await storePki(db, plane.row.id, await createClusterPki(endpointsOf(ctx, service, await externalAddressesOf(plane, service)))));
  // The Secrets, then the components: each group at once (none depends on another in it).
  await Promise.all(
    pkiSecrets(ctx, pki).map((secret) =>
      ensureObject(plane, secret, () => core.createNamespacedSecret({ namespace, body: secret }), () => core.readNamespacedSecret({ name: secret.metadata!.name!, namespace })),
    ),
  );
  await ensureDatastore(plane);
  return pki;
}

// etcd (Services, StatefulSet) and the NetworkPolicy, each at once.
async function ensureDatastore(plane: Plane): Promise<void> {
  const { host, ctx } = plane;
  const core = host.kc.makeApiClient(CoreV1Api);
  const apps = host.kc.makeApiClient(AppsV1Api);
  const networking = host.kc.makeApiClient(NetworkingV1Api);
  const namespace = ctx.namespace;
  const sts = etcdStatefulSet(ctx);
  const policy = networkPolicy(ctx);
  await Promise.all([
    ...etcdServices(ctx).map((svc) =>
      ensureObject(plane, svc, () => core.createNamespacedService({ namespace, body: svc }), () => core.readNamespacedService({ name: svc.metadata!.name!, namespace })),
    ),
    ensureObject(plane, sts, () => apps.createNamespacedStatefulSet({ namespace, body: sts }), () => apps.readNamespacedStatefulSet({ name: sts.metadata!.name!, namespace })),
    ensureObject(plane, policy, () => networking.createNamespacedNetworkPolicy({ namespace, body: policy }), () => networking.readNamespacedNetworkPolicy({ name: policy.metadata!.name!, namespace })),
  ]);
}

// The apiserver, controller-manager and scheduler Deployments, at once.
async function ensureDeployments(plane: Plane): Promise<void> {
  const { host, ctx } = plane;
  const apps = host.kc.makeApiClient(AppsV1Api);
  const namespace = ctx.namespace;
  await Promise.all(
    [apiserverDeployment(ctx), controllerManagerDeployment(ctx), schedulerDeployment(ctx)].map((deployment) =>
      ensureObject(plane, deployment, () => apps.createNamespacedDeployment({ namespace, body: deployment }), () => apps.readNamespacedDeployment({ name: deployment.metadata!.name!, namespace })),
    ),
  );
}

/** Polls `check` until it answers ok or the step's time runs out; the last reason names what was wrong. */
async function waitUntil(what: string, check: () => Promise<{ ok: boolean; reason?: string }>): Promise<void> {
  const deadline = Date.now() + nestedTimings.stepTimeoutMs;
  let last = "";
  for (;;) {
    try {
      const result = await check();
      if (result.ok) return;
      last = result.reason ?? "";
    } catch (error) {
      last = (error as AppError).message ?? String(error);
    }
    if (Date.now() > deadline) {
      throw new UnavailableError(`${what} within ${Math.round(nestedTimings.stepTimeoutMs / 1000)} s${last ? `: ${last}` : "."}`);
    }
    await new Promise((r) => setTimeout(r, nestedTimings.pollMs));
  }
}

async function awaitEtcd(plane: Plane, pki: ClusterPki): Promise<void> {
  const { host, ctx } = plane;
  const namespace = ctx.namespace;
  await waitUntil("The etcd members did not become healthy", async () => {
    for (const member of etcdMembers(ctx.spec)) {
      const health = await etcdMemberHealth(host, namespace, member, pki);
      if (!health.healthy) return { ok: false, reason: `${member}: ${health.reason}` };
    }
    return { ok: true };
  });
}

/** A client for the nested apiserver with the admin's certificate, as the panel reaches it. */
export async function nestedAdminConfig(db: Db, row: NestedClusterRow, pki: ClusterPki): Promise<{ stored: string; kc: KubeConfig }> {
  const stored = kubeconfigYaml({ clusterName: row.name, server: apiserverInClusterUrl(row), caPem: pki.cas.ca.certPem, userName: ADMIN_USER, credentials: { certificate: pki.leaves.admin } });
  const route = await apiserverTunnel(db, { workloadId: row.id, hostClusterId: row.clusterId, namespace: row.namespace });
  return { stored, kc: reroutedKubeConfig(kubeConfigFromStored(stored), route) };
}

async function awaitApiserver(db: Db, plane: Plane, pki: ClusterPki): Promise<KubeConfig> {
  const { kc } = await nestedAdminConfig(db, plane.row, pki);
  await waitUntil("The nested API server did not become ready", () => nestedReadyz(kc));
  return kc;
}

async function awaitControllers(plane: Plane, nested: KubeConfig): Promise<void> {
  const nestedRef = { id: plane.row.id, name: plane.row.spec.displayName };
  const nestedCore = nested.makeApiClient(CoreV1Api);
  await waitUntil("The controllers did not become ready", async () => {
    const leases = await leaderLeases(nestedRef, nested);
    if (!leases.controllerManager) return { ok: false, reason: "the controller-manager holds no leader lease yet" };
    if (!leases.scheduler) return { ok: false, reason: "the scheduler holds no leader lease yet" };
    const account = await kubeOrNull(nestedRef, "read the default ServiceAccount", () => nestedCore.readNamespacedServiceAccount({ name: "default", namespace: "default" }), { timeoutMs: 5000 });
    return account ? { ok: true } : { ok: false, reason: "the controller-manager has not made the default ServiceAccount yet" };
  });
}

async function step<T>(db: Db, row: NestedClusterRow, name: StepName, work: () => Promise<T>): Promise<T> {
  await recordStep(db, row.id, name, "running").catch(() => {});
  try {
    await nestedStepHooks.beforeStep?.(name, row);
    return await work();
  } catch (error) {
    await recordStep(db, row.id, name, "failed", (error as Error).message).catch(() => {});
    throw error;
  }
}

async function ensurePlane(db: Db, workload: WorkloadRow): Promise<Record<string, unknown>> {
  intentWritten.get(workload.id)?.();
  const row = asNestedRow(workload);
  const plane = await planeOf(db, row);
  const pki = await step(db, row, "certificates", () => ensureCertificates(db, plane));
  if (nestedTimings.objectsOnly) {
    await ensureDeployments(plane);
    return { namespace: row.namespace, objectsOnly: true };
  }
  await step(db, row, "etcd", async () => {
    await awaitEtcd(plane, pki);
    await ensureDeployments(plane);
  });
  const nested = await step(db, row, "apiserver", () => awaitApiserver(db, plane, pki));
  await step(db, row, "controllers", () => awaitControllers(plane, nested));
  await step(db, row, "registered", async () => {
    const { stored, kc } = await nestedAdminConfig(db, row, pki);
    await registerNestedCluster(db, { userId: row.createdBy, label: LIFECYCLE_ACTOR_LABEL }, {
      id: row.id,
      name: row.spec.displayName,
      slug: row.name,
      parentClusterId: row.clusterId,
      namespace: row.namespace,
      version: row.spec.version,
      kubeconfig: stored,
      kc,
    });
  });
  await recordStep(db, row.id, "registered", "done");
  return { namespace: row.namespace, components: await componentReadiness(plane.host, row.namespace).catch(() => []) };
}

/** Removes the plane: its cluster row and assignments, then its namespace (everything in it), until gone. */
async function removePlane(db: Db, workload: WorkloadRow): Promise<void> {
  const row = asNestedRow(workload);
  await unregisterNestedCluster(db, { userId: row.createdBy, label: LIFECYCLE_ACTOR_LABEL }, row.id);
  await closeTunnel(row.id);
  const host = await getClusterConnection(db, row.clusterId);
  const core = host.kc.makeApiClient(CoreV1Api);
  const namespace = row.namespace;
  const existing = await kubeOrNull(host, `read namespace ${namespace}`, () => core.readNamespace({ name: namespace }));
  // Only our own namespace: one with this workload's label.
  if (!existing || existing.metadata?.labels?.[WORKLOAD_LABEL] !== row.id) return;
  await kubeDelete(host, `delete namespace ${namespace}`, () => core.deleteNamespace({ name: namespace, propagationPolicy: "Background" }));
  const deadline = Date.now() + nestedTimings.removalTimeoutMs;
  while (await kubeOrNull(host, `read namespace ${namespace}`, () => core.readNamespace({ name: namespace }))) {
    if (Date.now() > deadline) throw new UnavailableError(`The namespace ${namespace} is still being deleted; the panel will look again.`);
    await new Promise((r) => setTimeout(r, nestedTimings.pollMs));
  }
}

// What a plane is made of, listed across the host; the Namespace is the anchor (cluster-scoped:
// its own name is where the workload lives).
const KINDS_OF_OBJECTS: InventoriedKind[] = [
  {
    kind: "Namespace",
    list: async (connection, labelSelector) =>
      (await kube(connection, "list minicloud namespaces", () => connection.kc.makeApiClient(CoreV1Api).listNamespace({ labelSelector }))).items.map((n) => ({
        ...n,
        metadata: { ...n.metadata, namespace: n.metadata?.name },
      })),
  },
];

async function removeOrphan(db: Db, clusterId: string, orphan: FoundWorkload): Promise<void> {
  const connection = await getClusterConnection(db, clusterId);
  const core = connection.kc.makeApiClient(CoreV1Api);
  const found = await kubeOrNull(connection, `read namespace ${orphan.namespace}`, () => core.readNamespace({ name: orphan.namespace }));
  const labels = found?.metadata?.labels ?? {};
  if (!found || labels[WORKLOAD_LABEL] !== orphan.workloadId || labels[CLUSTER_LABEL] !== clusterId) return;
  await kubeDelete(connection, `delete namespace ${orphan.namespace}`, () => core.deleteNamespace({ name: orphan.namespace }));
}

/** The nested clusters' driver. */
export const nestedClusterDriver: KindDriver = {
  kind: "nested-cluster",
  actions: { create: "nested.create", delete: "nested.delete" },
  auditTarget: (db, row) => workloadAuditTarget(db, row, "nested_cluster"),
  ensure: ensurePlane,
  remove: removePlane,
  inventory: (db, clusterId) => inventoryOf(db, clusterId, "nested-cluster", "Namespace", KINDS_OF_OBJECTS),
  removeOrphan,
};

registerKind(nestedClusterDriver);
