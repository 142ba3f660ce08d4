// Nested clusters (hosted control planes): create, follow, download a kubeconfig, rotate
// certificates, delete. The workload row (kind `nested-cluster`, owned by a team, in its own
// namespace of the host) is the record of intent; its objects are made through the durable
// machine (lib/nested/lifecycle-driver.ts), which records each step for the UI. Once ready the
// nested cluster is also a registered cluster (kind nested, parent recorded) with the same id.
// Authorization is the action layer's: org admins of the owning team's organization.
import { randomUUID } from "node:crypto";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { and, desc, eq, inArray } from "drizzle-orm";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { replaceNestedKubeconfig } from "@/lib/clusters/service";
import type { Db } from "@/lib/db/client";
import { auditEvents, clusters, organizations, teams, users, workloads } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { kube, kubeOrNull } from "@/lib/kube/transport";
import { slugify, withRandomSuffix } from "@/lib/names";
import { parseInput } from "@/lib/parse-input";
import { certificateExpiries, rotateLeaves, type CertificateExpiry } from "@/lib/pki/cluster-pki";
import { kubeconfigYaml } from "@/lib/pki/kubeconfig";
import { teamClusterContext } from "@/lib/workloads/cluster-context";
import { requireTypedName } from "@/lib/workloads/form-fields";
import { createWorkload, deleteWorkload, requireReady, workloadAuditTarget, type CreateOutcome } from "@/lib/workloads/lifecycle";
import { componentReadiness, leaderLeases, nestedReadyz, type ReadyzCheck } from "@/lib/nested/health";
import { endpointsOf, nestedAdminConfig, whenIntentWritten } from "@/lib/nested/lifecycle-driver";
import { pkiSecrets, type PlaneContext } from "@/lib/nested/manifests";
import { asNestedRow, requireNestedRow, type NestedClusterRow } from "@/lib/nested/rows";
import {
  createNestedClusterInputSchema,
  deleteNestedClusterInputSchema,
  NAMESPACE_PREFIX,
  rotateNestedCertificatesInputSchema,
  type CreateNestedClusterInput,
} from "@/lib/nested/schemas";
import { loadPki, loadPlaneRecord, replacePki } from "@/lib/nested/store";
import { apiserverTunnel } from "@/lib/nested/tunnel";
import { APISERVER_PORT, OBJECT_NAMES, type NestedClusterSpec, type StepProgress } from "@/lib/nested/types";
import { upstreamImages, type NestedVersion } from "@/lib/nested/versions";
import { workloadLabels } from "@/lib/workloads/labels";
import "@/lib/nested/lifecycle-driver";

/** The nested cluster's own Service range and DNS domain (its pods never meet the host's). */
const NESTED_SERVICE_CIDR = "10.112.0.0/16";
const CLUSTER_DOMAIN = "cluster.local";
const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** What a create answers: the cluster's id and namespace, and the create itself (it runs on after the answer). */
export interface StartedNestedCluster {
  id: string;
  name: string;
  namespace: string;
  /** Settles when the create has finished (ready, or still being created), or rejects with why it failed and was rolled back. */
  done: Promise<CreateOutcome>;
}


/**
 * Creates a nested cluster. Refused before anything is made: bad input (field errors), a host
 * cluster not assigned to the owning team, a host that is itself nested. Answers once the
 * intent is written; the steps go on (the page follows them) — `done` settles when they end.
 */
export async function createNestedCluster(db: Db, actor: Actor, input: CreateNestedClusterInput): Promise<StartedNestedCluster> {
  const request = parseInput(createNestedClusterInputSchema, input);
  // The host must be one of the owning team's clusters.
  await teamClusterContext(db, request.teamId, request.hostClusterId);
  const [host] = await db.select({ kind: clusters.kind, name: clusters.name }).from(clusters).where(eq(clusters.id, request.hostClusterId));
  if (host?.kind !== "host") {
    const message = "A nested cluster runs in a host cluster; choose one that is not itself nested.";
    throw new ValidationError(message, { hostClusterId: message });
  }
  const id = randomUUID();
  const name = withRandomSuffix(slugify(request.name));
  const namespace = `${NAMESPACE_PREFIX}${name}`;
  const version = request.version as NestedVersion;
  const upstream = upstreamImages(version);
  const spec: NestedClusterSpec = {
    displayName: request.name,
    version,
    etcdReplicas: request.etcdReplicas as 1 | 3,
    etcdStorageGib: request.etcdStorageGib,
    apiserverReplicas: request.apiserverReplicas,
    exposure: request.exposure,
    images: {
      etcd: request.images.etcd ?? upstream.etcd,
      apiserver: request.images.apiserver ?? upstream.apiserver,
      controllerManager: request.images.controllerManager ?? upstream.controllerManager,
      scheduler: request.images.scheduler ?? upstream.scheduler,
    },
    serviceCidr: NESTED_SERVICE_CIDR,
    clusterDomain: CLUSTER_DOMAIN,
    hostClusterDomain: CLUSTER_DOMAIN,
  };
  const detail = { hostClusterId: request.hostClusterId, namespace, version, etcdReplicas: spec.etcdReplicas, apiserverReplicas: spec.apiserverReplicas, exposure: spec.exposure, images: spec.images };
  // The intent is written before the machine calls the driver; register for that moment first.
  const intent = whenIntentWritten(id);
  const done = createWorkload(db, actor, { id, teamId: request.teamId, clusterId: request.hostClusterId, kind: "nested-cluster", namespace, name, spec, createdBy: actor.userId }, detail);
  done.catch(() => {}); // the caller follows the steps; a refusal is in the audit row and answered by lastCreateError
  // A create that failed before its intent was written (a database error) settles `done` first: the caller hears it.
  const first = await Promise.race([intent.written.then(() => null), done.then(() => null, (error: unknown) => ({ error }))]);
  intent.forget();
  if (first) throw first.error;
  return { id, name, namespace, done };
}

/** A nested cluster as its page shows it. */
export interface NestedClusterView {
  id: string;
  name: string;
  displayName: string;
  namespace: string;
  state: NestedClusterRow["state"];
  stateReason: string | null;
  spec: NestedClusterSpec;
  teamId: string;
  teamName: string;
  orgId: string;
  hostClusterId: string;
  hostClusterName: string;
  /** Whether it is registered as a cluster (assignable), under the same id. */
  registered: boolean;
  steps: StepProgress[];
  certificates: CertificateExpiry[];
  certificatesRotatedAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

async function viewsOf(db: Db, rows: NestedClusterRow[]): Promise<NestedClusterView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const hostIds = [...new Set(rows.map((r) => r.clusterId))];
  const teamIds = [...new Set(rows.map((r) => r.teamId))];
  const [registered, hosts, owners, creators] = await Promise.all([
    db.select({ id: clusters.id }).from(clusters).where(inArray(clusters.id, ids)),
    db.select({ id: clusters.id, name: clusters.name }).from(clusters).where(inArray(clusters.id, hostIds)),
    db.select({ id: teams.id, name: teams.name, orgId: teams.orgId }).from(teams).where(inArray(teams.id, teamIds)),
    db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, rows.map((r) => r.createdBy))),
  ]);
  return Promise.all(
    rows.map(async (row) => {
      const [record, pki] = await Promise.all([loadPlaneRecord(db, row.id), loadPki(db, row.id)]);
      const team = owners.find((t) => t.id === row.teamId);
      return {
        id: row.id,
        name: row.name,
        displayName: row.spec.displayName,
        namespace: row.namespace,
        state: row.state,
        stateReason: row.stateReason,
        spec: row.spec,
        teamId: row.teamId,
        teamName: team?.name ?? "",
        orgId: team?.orgId ?? "",
        hostClusterId: row.clusterId,
        hostClusterName: hosts.find((h) => h.id === row.clusterId)?.name ?? "",
        registered: registered.some((r) => r.id === row.id),
        steps: record?.steps ?? [],
        certificates: pki ? certificateExpiries(pki) : [],
        certificatesRotatedAt: record?.rotatedAt ?? null,
        createdBy: creators.find((c) => c.id === row.createdBy)?.email ?? "",
        createdAt: row.createdAt,
      };
    }),
  );
}

/** One nested cluster, or null. */
export async function getNestedCluster(db: Db, id: string): Promise<NestedClusterView | null> {
  const row = await requireNestedRow(db, id).catch(() => null);
  return row ? (await viewsOf(db, [row]))[0]! : null;
}

/** The nested clusters of an organization's teams (every one when `orgId` is omitted), newest first. */
export async function listNestedClusters(db: Db, filter: { orgId?: string } = {}): Promise<NestedClusterView[]> {
  const rows = await db
    .select({ workload: workloads })
    .from(workloads)
    .innerJoin(teams, eq(teams.id, workloads.teamId))
    .innerJoin(organizations, eq(organizations.id, teams.orgId))
    .where(and(eq(workloads.kind, "nested-cluster"), filter.orgId ? eq(teams.orgId, filter.orgId) : undefined))
    .orderBy(desc(workloads.createdAt));
  return viewsOf(db, rows.map((r) => asNestedRow(r.workload)));
}

/** Why the last create of `id` failed (after its rollback the row is gone; the audit row keeps the reason), or null. */
export async function lastCreateError(db: Db, id: string): Promise<string | null> {
  const [event] = await db
    .select({ detail: auditEvents.detail, outcome: auditEvents.outcome })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "nested.create"), eq(auditEvents.targetId, id)))
    .orderBy(desc(auditEvents.createdAt))
    .limit(1);
  if (event?.outcome !== "error") return null;
  const error = event.detail.error;
  return typeof error === "string" ? error : "The create failed.";
}

/** Live health: the nested apiserver's readyz checks, each component's pods, the leader leases. */
export interface NestedClusterHealth {
  readyz: { ok: boolean; checks: ReadyzCheck[]; reason?: string };
  components: { component: string; ready: number; total: number }[];
  leases: { controllerManager: string | null; scheduler: string | null } | null;
}

/** Reads a ready nested cluster's health now. */
export async function nestedClusterHealth(db: Db, id: string): Promise<NestedClusterHealth> {
  const row = await requireNestedRow(db, id);
  const host = await getClusterConnection(db, row.clusterId);
  const components = await componentReadiness(host, row.namespace).catch(() => []);
  const pki = await loadPki(db, row.id);
  if (!pki) return { readyz: { ok: false, checks: [], reason: "its certificates are not made yet" }, components, leases: null };
  const { kc } = await nestedAdminConfig(db, row, pki);
  const readyz = await nestedReadyz(kc);
  const leases = readyz.ok ? await leaderLeases({ id: row.id, name: row.spec.displayName }, kc).catch(() => null) : null;
  return { readyz, components, leases };
}

/** The address a downloaded kubeconfig names: the exposed one (node port, balancer), else the panel's tunnel. */
async function downloadServer(db: Db, row: NestedClusterRow): Promise<{ server: string; tlsServerName?: string }> {
  const host = await getClusterConnection(db, row.clusterId);
  const core = host.kc.makeApiClient(CoreV1Api);
  if (row.spec.exposure !== "ClusterIP") {
    const service = await kubeOrNull(host, `read the API server Service of ${row.namespace}`, () => core.readNamespacedService({ name: OBJECT_NAMES.apiserverService, namespace: row.namespace }));
    const ingress = service?.status?.loadBalancer?.ingress?.[0];
    if (row.spec.exposure === "LoadBalancer" && (ingress?.ip || ingress?.hostname)) return { server: `https://${ingress.ip ?? ingress.hostname}:${APISERVER_PORT}` };
    const nodePort = service?.spec?.ports?.[0]?.nodePort;
    if (nodePort) {
      const nodes = await kube(host, "list the nodes", () => core.listNode());
      const address = nodes.items.flatMap((n) => n.status?.addresses ?? []).find((a) => a.type === "ExternalIP" || a.type === "InternalIP")?.address;
      if (address) return { server: `https://${address}:${nodePort}` };
    }
  }
  return apiserverTunnel(db, { workloadId: row.id, hostClusterId: row.clusterId, namespace: row.namespace });
}

/**
 * The admin kubeconfig (system:masters) for download: for org and platform admins, audited.
 * With ClusterIP exposure it names the panel's tunnel (reached from the panel's machine).
 */
export async function downloadAdminKubeconfig(db: Db, actor: Actor, input: { clusterId: string }): Promise<{ filename: string; text: string }> {
  const row = await requireNestedRow(db, input.clusterId);
  requireReady(row, `The nested cluster “${row.spec.displayName}”`, "downloaded from");
  const pki = await loadPki(db, row.id);
  if (!pki) throw new NotFoundError("The nested cluster has no certificates yet.");
  const where = await downloadServer(db, row);
  const text = kubeconfigYaml({
    clusterName: row.name,
    server: where.server,
    tlsServerName: where.tlsServerName,
    caPem: pki.cas.ca.certPem,
    userName: `admin@${row.name}`,
    credentials: { certificate: pki.leaves.admin },
  });
  await auditSuccess(db, actor, { action: "nested.kubeconfig.download", ...(await workloadAuditTarget(db, row, "nested_cluster")), detail: { user: "kubernetes-admin", server: where.server } });
  return { filename: `${row.name}-admin.kubeconfig`, text };
}

/**
 * Renews the leaf certificates under the same CAs (kubeadm's `certs renew`): new Secrets, the
 * components restarted to load them, the stored admin kubeconfig replaced. Audited.
 */
export async function rotateNestedCertificates(db: Db, actor: Actor, input: { clusterId: string }): Promise<{ expiresAt: Date }> {
  const { clusterId } = parseInput(rotateNestedCertificatesInputSchema, input);
  const row = await requireNestedRow(db, clusterId);
  requireReady(row, `The nested cluster “${row.spec.displayName}”`, "rotated");
  const pki = await loadPki(db, row.id);
  if (!pki) throw new NotFoundError("The nested cluster has no certificates yet.");
  const host = await getClusterConnection(db, row.clusterId);
  const core = host.kc.makeApiClient(CoreV1Api);
  const apps = host.kc.makeApiClient(AppsV1Api);
  const service = await kubeOrNull(host, "read the API server Service", () => core.readNamespacedService({ name: OBJECT_NAMES.apiserverService, namespace: row.namespace }));
  const ctx: PlaneContext = {
    namespace: row.namespace,
    labels: workloadLabels({ clusterId: row.clusterId, teamId: row.teamId, ownerId: row.createdBy, kind: "nested-cluster", workloadId: row.id }),
    spec: row.spec,
    nodeSelector: {},
    tolerations: [],
  };
  const rotated = await rotateLeaves(pki, endpointsOf(ctx, service));
  for (const secret of pkiSecrets(ctx, rotated)) {
    const name = secret.metadata!.name!;
    await kube(host, `replace secret ${name}`, () => core.replaceNamespacedSecret({ name, namespace: row.namespace, body: secret }));
  }
  await replacePki(db, row.id, rotated);
  // The components read their certificates at start: roll them (as `kubectl rollout restart` does).
  const stamp = { spec: { template: { metadata: { annotations: { "minicloud.io/certificates-rotated-at": new Date().toISOString() } } } } };
  await kube(host, "restart etcd", () => apps.patchNamespacedStatefulSet({ name: OBJECT_NAMES.etcdStatefulSet, namespace: row.namespace, body: stamp }, MERGE_PATCH));
  for (const name of [OBJECT_NAMES.apiserver, OBJECT_NAMES.controllerManager, OBJECT_NAMES.scheduler]) {
    await kube(host, `restart ${name}`, () => apps.patchNamespacedDeployment({ name, namespace: row.namespace, body: stamp }, MERGE_PATCH));
  }
  const { stored } = await nestedAdminConfig(db, row, rotated);
  await replaceNestedKubeconfig(db, row.id, stored);
  const expiresAt = certificateExpiries(rotated)[0]!.notAfter;
  await auditSuccess(db, actor, { action: "nested.certificates.rotate", ...(await workloadAuditTarget(db, row, "nested_cluster")), detail: { expiresAt: expiresAt.toISOString() } });
  return { expiresAt };
}

/**
 * Deletes a nested cluster durably (typed name to confirm): its cluster row and assignments,
 * its namespace with everything in it, then its rows. Refused while teams' workloads run in it.
 */
export async function deleteNestedCluster(db: Db, actor: Actor, input: { clusterId: string; confirmName: string }): Promise<"deleted" | "deleting"> {
  const { clusterId, confirmName } = parseInput(deleteNestedClusterInputSchema, input);
  const row = await requireNestedRow(db, clusterId);
  requireTypedName(confirmName, { displayName: row.spec.displayName, name: row.name }, "cluster");
  const inside = await db.select({ kind: workloads.kind, name: workloads.name }).from(workloads).where(eq(workloads.clusterId, row.id));
  if (inside.length > 0) throw new ConflictError(`Workloads still run in this nested cluster (${inside.map((w) => `${w.kind} ${w.name}`).join(", ")}); delete them first.`);
  return deleteWorkload(db, { ...row, spec: { ...row.spec } }, { actorId: actor.userId, actorLabel: actor.label, detail: {} });
}
