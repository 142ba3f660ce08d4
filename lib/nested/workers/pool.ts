// A nested cluster's worker pool: scale it, and retry or remove a worker that failed.
// Scaling up prepares the nested cluster for join (as kubeadm init does), mints one fresh
// short-lived bootstrap token for the new workers, and creates each worker's cloud-init Secret
// (its `kubeadm join`, the token's only copy outside the nested cluster) and VirtualMachine in
// the control plane's host namespace. Scaling down picks failed and unjoined workers first,
// then the newest; each joined one is cordoned and drained in the nested cluster, its Node
// deleted, then its VM. The pool's state is read live from both clusters: a worker whose VM
// does not run, whose join is refused or never registers a Node is shown failed with why.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Node, type V1Secret } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { auditSuccess, type Actor } from "@/lib/audit/service";
import { readClusterSettings } from "@/lib/clusters/settings";
import type { Db } from "@/lib/db/client";
import { clusters } from "@/lib/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getClusterConnection, type ClusterConnection } from "@/lib/kube/clients";
import { kube, kubeDelete, kubeOrNull, type ClusterRef } from "@/lib/kube/transport";
import { withRandomSuffix } from "@/lib/names";
import { parseInput } from "@/lib/parse-input";
import type { ClusterPki } from "@/lib/pki/cluster-pki";
import { KUBEVIRT, printableStatusOf, type VirtualMachine, type VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { ownedByVm } from "@/lib/vms/manifests";
import { workloadAuditTarget, requireReady } from "@/lib/workloads/lifecycle";
import { workloadLabels } from "@/lib/workloads/labels";
import { caCertHash } from "@/lib/nested/bootstrap/ca-hash";
import { workerUserData, type JoinCommand } from "@/lib/nested/bootstrap/join-command";
import { dnsServiceIpOf, type JoinPreparation } from "@/lib/nested/bootstrap/objects";
import { mintJoinToken, prepareForJoin } from "@/lib/nested/bootstrap/prepare";
import { nestedAdminConfig } from "@/lib/nested/lifecycle-driver";
import { apiserverInClusterUrl } from "@/lib/nested/manifests";
import { requireNestedRow, type NestedClusterRow } from "@/lib/nested/rows";
import { loadPki } from "@/lib/nested/store";
import { joinRefusal } from "@/lib/nested/workers/diagnosis";
import { cordonNode, drainAndDeleteNode } from "@/lib/nested/workers/drain";
import { cloudInitSecretName, poolConfigMap, workerCloudInitSecret, workerSelector, workerVirtualMachine, type WorkerContext } from "@/lib/nested/workers/manifests";
import { scaleWorkerPoolInputSchema, workerInputSchema, type ScaleWorkerPoolInput, type WorkerInput } from "@/lib/nested/workers/schemas";
import { POOL_CONFIG_MAP, workerTimings, type WorkerPoolView, type WorkerState, type WorkerView } from "@/lib/nested/workers/types";

const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
/** The nested cluster's pod range (the kube-proxy and kubelet configuration name it). */
const POD_CIDR = "10.120.0.0/16";
const COREDNS_VERSION = "v1.12.1";
const WORKER_SIZE = { cpuCores: 2, memoryMib: 2048 };

/** Test hooks (to prove refusals): a join command changed on its way into the worker's cloud-init; something done to the nested cluster once it is prepared. */
export const workerPoolHooks: { tamperJoin?: (join: JoinCommand) => JoinCommand; afterPrepare?: (nested: KubeConfig) => Promise<void> } = {};

interface Pool {
  row: NestedClusterRow;
  host: ClusterConnection;
  nested: ClusterRef;
  kc: KubeConfig;
  pki: ClusterPki;
  ctx: Omit<WorkerContext, "image">;
}

async function poolOf(db: Db, clusterId: string): Promise<Pool> {
  const row = await requireNestedRow(db, clusterId);
  requireReady(row, `The nested cluster “${row.spec.displayName}”`, "scaled");
  const pki = await loadPki(db, row.id);
  if (!pki) throw new NotFoundError("The nested cluster has no certificates yet.");
  const host = await getClusterConnection(db, row.clusterId);
  const { kc } = await nestedAdminConfig(db, row, pki);
  const [hostRow] = await db.select({ settings: clusters.settings }).from(clusters).where(eq(clusters.id, row.clusterId));
  const settings = readClusterSettings(hostRow ?? { settings: {} });
  const labels = workloadLabels({ clusterId: row.clusterId, teamId: row.teamId, ownerId: row.createdBy, kind: "nested-cluster", workloadId: row.id });
  return {
    row,
    host,
    nested: { id: row.id, name: row.spec.displayName },
    kc,
    pki,
    ctx: { namespace: row.namespace, labels, ...WORKER_SIZE, nodeSelector: settings.nodeSelector, tolerations: settings.tolerations },
  };
}

/** The worker image: the first entry of the host's VM disk catalog whose label says “worker”. */
async function workerImage(db: Db, row: NestedClusterRow): Promise<string> {
  const [hostRow] = await db.select({ settings: clusters.settings }).from(clusters).where(eq(clusters.id, row.clusterId));
  const catalog = readClusterSettings(hostRow ?? { settings: {} }).vmImageCatalog;
  const entry = catalog.find((i) => /worker/i.test(i.label));
  if (!entry) {
    const message = "The host cluster's VM disk catalog has no worker image (an entry whose label says “worker”: an image with kubelet, kubeadm and a container runtime). Add one in the host cluster's settings.";
    throw new ValidationError(message, { size: message });
  }
  return entry.image;
}

function preparationOf(pool: Pool): JoinPreparation {
  const { spec } = pool.row;
  // Add-ons come from the registry the control plane's images come from.
  const registry = spec.images.apiserver.replace(/\/kube-apiserver(?::[^/]*)?(?:@.*)?$/, "");
  return {
    apiserverUrl: apiserverInClusterUrl(pool.row),
    caPem: pool.pki.cas.ca.certPem,
    version: spec.version,
    serviceCidr: spec.serviceCidr,
    podCidr: POD_CIDR,
    clusterDomain: spec.clusterDomain,
    dnsServiceIp: dnsServiceIpOf(spec.serviceCidr),
    images: { kubeProxy: `${registry}/kube-proxy:${spec.version}`, coreDns: `${registry}/coredns/coredns:${COREDNS_VERSION}` },
    labels: { "app.kubernetes.io/managed-by": "minicloud" },
  };
}

const vmApi = (namespace: string) => ({ group: KUBEVIRT.group, version: KUBEVIRT.version, namespace, plural: KUBEVIRT.vms });

async function listWorkerVms(pool: Pick<Pool, "host" | "row">): Promise<VirtualMachine[]> {
  const custom = pool.host.kc.makeApiClient(CustomObjectsApi);
  const list = (await kube(pool.host, "list the worker VMs", () => custom.listNamespacedCustomObject({ ...vmApi(pool.row.namespace), labelSelector: workerSelector }))) as { items: VirtualMachine[] };
  return list.items;
}

async function readPoolConfig(pool: Pick<Pool, "host" | "row">): Promise<{ size: number; image: string | null }> {
  const core = pool.host.kc.makeApiClient(CoreV1Api);
  const cm = await kubeOrNull(pool.host, "read the worker pool", () => core.readNamespacedConfigMap({ name: POOL_CONFIG_MAP, namespace: pool.row.namespace }));
  return { size: Number(cm?.data?.size ?? "0") || 0, image: cm?.data?.image ?? null };
}

async function writePoolConfig(pool: Pool, size: number, image: string): Promise<void> {
  const core = pool.host.kc.makeApiClient(CoreV1Api);
  const body = poolConfigMap(pool.ctx, size, image);
  const existing = await kubeOrNull(pool.host, "read the worker pool", () => core.readNamespacedConfigMap({ name: POOL_CONFIG_MAP, namespace: pool.row.namespace }));
  if (existing) await kube(pool.host, "update the worker pool", () => core.replaceNamespacedConfigMap({ name: POOL_CONFIG_MAP, namespace: pool.row.namespace, body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } } }));
  else await kube(pool.host, "record the worker pool", () => core.createNamespacedConfigMap({ namespace: pool.row.namespace, body }));
}

/** Creates workers with one fresh token into `made`; a worker half-made is removed again. */
async function createWorkers(pool: Pool, image: string, count: number, made: string[] = []): Promise<string[]> {
  if (count <= 0) return made;
  await prepareForJoin(pool.nested, pool.kc, preparationOf(pool));
  await workerPoolHooks.afterPrepare?.(pool.kc);
  const { token, expiresAt } = await mintJoinToken(pool.nested, pool.kc, { ttlMs: workerTimings.tokenTtlMs, description: `minicloud worker pool of ${pool.row.name}`, labels: { "app.kubernetes.io/managed-by": "minicloud" } });
  const core = pool.host.kc.makeApiClient(CoreV1Api);
  const custom = pool.host.kc.makeApiClient(CustomObjectsApi);
  const address = new URL(apiserverInClusterUrl(pool.row)).host;
  const ctx: WorkerContext = { ...pool.ctx, image };
  for (let i = 0; i < count; i++) {
    const name = withRandomSuffix("worker");
    const honest: JoinCommand = { address, token, caCertHashes: [caCertHash(pool.pki.cas.ca.certPem)], nodeName: name };
    const join = workerPoolHooks.tamperJoin?.(honest) ?? honest;
    const secret = workerCloudInitSecret(ctx, name, workerUserData({ ...join, hostname: name }), { id: token.id, expiresAt });
    const namespace = pool.row.namespace;
    await kube(pool.host, `create the cloud-init Secret of ${name}`, () => core.createNamespacedSecret({ namespace, body: secret }));
    try {
      const body = workerVirtualMachine(ctx, name);
      const vm = (await kube(pool.host, `create the VM ${name}`, () => custom.createNamespacedCustomObject({ ...vmApi(namespace), body }))) as VirtualMachine;
      await kube(pool.host, `hang the cloud-init Secret of ${name} off its VM`, () =>
        core.patchNamespacedSecret({ name: cloudInitSecretName(name), namespace, body: { metadata: { ownerReferences: [ownedByVm(vm)] } } }, MERGE_PATCH),
      );
    } catch (error) {
      await kubeDelete(pool.host, `delete the VM ${name}`, () => custom.deleteNamespacedCustomObject({ ...vmApi(namespace), name })).catch(() => {});
      await kubeDelete(pool.host, `delete the cloud-init Secret of ${name}`, () => core.deleteNamespacedSecret({ name: cloudInitSecretName(name), namespace })).catch(() => {});
      throw error;
    }
    made.push(name);
  }
  return made;
}

/** Takes a worker out: drained and deleted in the nested cluster if it joined, then its VM (and with it its Secret). */
async function removeWorkerObjects(pool: Pool, name: string): Promise<{ evicted: string[] }> {
  const drained = await drainAndDeleteNode(pool.nested, pool.kc, name);
  const custom = pool.host.kc.makeApiClient(CustomObjectsApi);
  const core = pool.host.kc.makeApiClient(CoreV1Api);
  await kubeDelete(pool.host, `delete the VM ${name}`, () => custom.deleteNamespacedCustomObject({ ...vmApi(pool.row.namespace), name }));
  await kubeDelete(pool.host, `delete the cloud-init Secret of ${name}`, () => core.deleteNamespacedSecret({ name: cloudInitSecretName(name), namespace: pool.row.namespace }));
  return drained;
}

const nodeReady = (node: V1Node) => node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** Each worker's state, live from the host's VMs and the nested cluster's Nodes. */
async function workerViews(pool: Pool, vms: VirtualMachine[], now = Date.now()): Promise<WorkerView[]> {
  const core = pool.host.kc.makeApiClient(CoreV1Api);
  const custom = pool.host.kc.makeApiClient(CustomObjectsApi);
  const nestedCore = pool.kc.makeApiClient(CoreV1Api);
  const [nodes, vmis, secrets] = await Promise.all([
    kubeOrNull(pool.nested, "list the nodes", () => nestedCore.listNode(), { timeoutMs: 5000 }),
    kube(pool.host, "list the worker VM instances", () => custom.listNamespacedCustomObject({ ...vmApi(pool.row.namespace), plural: KUBEVIRT.vmis, labelSelector: workerSelector })) as Promise<{ items: VirtualMachineInstance[] }>,
    kube(pool.host, "list the workers' cloud-init", () => core.listNamespacedSecret({ namespace: pool.row.namespace, labelSelector: workerSelector })),
  ]);
  return Promise.all(
    vms.map(async (vm): Promise<WorkerView> => {
      const name = vm.metadata!.name!;
      const node = nodes?.items.find((n) => n.metadata?.name === name) ?? null;
      const vmi = vmis.items.find((i) => i.metadata?.name === name);
      const vmStatus = printableStatusOf(vm);
      const age = now - new Date(vm.metadata?.creationTimestamp ?? now).getTime();
      let state: WorkerState;
      let reason: string | null = null;
      if (vm.metadata?.deletionTimestamp) state = "removing";
      else if (node) state = nodeReady(node) ? "ready" : "not-ready";
      else if (vmi?.status?.phase !== "Running") {
        state = "starting";
        if (age > workerTimings.vmStartTimeoutMs) {
          const why = vmi?.status?.conditions?.find((c) => c.status === "False" && c.message)?.message ?? vm.status?.conditions?.find((c: { status?: string; message?: string }) => c.status === "False" && c.message)?.message;
          [state, reason] = ["failed", `VM not running: ${vmStatus}${why ? ` (${why})` : ""}`];
        }
      } else {
        state = "joining";
        const secret = secrets.items.find((s: V1Secret) => s.metadata?.name === cloudInitSecretName(name)) ?? null;
        const refusal = await joinRefusal(pool.nested, pool.kc, pool.pki.cas.ca.certPem, secret).catch(() => null);
        if (refusal) [state, reason] = ["failed", `join refused: ${refusal}`];
        else if (age > workerTimings.joinTimeoutMs) [state, reason] = ["failed", `join timed out: no Node named ${name} registered within ${Math.round(workerTimings.joinTimeoutMs / 1000)} s`];
      }
      return {
        name,
        state,
        reason,
        vmStatus,
        node: node
          ? {
              ready: nodeReady(node),
              version: node.status?.nodeInfo?.kubeletVersion ?? "",
              unschedulable: Boolean(node.spec?.unschedulable),
              cpu: node.status?.allocatable?.cpu ?? "",
              memory: node.status?.allocatable?.memory ?? "",
            }
          : null,
        createdAt: vm.metadata?.creationTimestamp ? new Date(vm.metadata.creationTimestamp).toISOString() : null,
      };
    }),
  );
}

/** The pool as the cluster page shows it. */
export async function getWorkerPool(db: Db, clusterId: string): Promise<WorkerPoolView> {
  const pool = await poolOf(db, clusterId);
  const [config, vms] = await Promise.all([readPoolConfig(pool), listWorkerVms(pool)]);
  const workers = (await workerViews(pool, vms)).sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.name.localeCompare(b.name));
  return { size: config.size, image: config.image, workers };
}

// One change to a pool at a time (per panel process).
const globalForPools = globalThis as typeof globalThis & { __minicloudPoolLocks?: Map<string, Promise<unknown>> };
const locks = (globalForPools.__minicloudPoolLocks ??= new Map());
async function exclusive<T>(clusterId: string, work: () => Promise<T>): Promise<T> {
  const before = locks.get(clusterId) ?? Promise.resolve();
  const mine = before.catch(() => {}).then(work);
  locks.set(clusterId, mine);
  try {
    return await mine;
  } finally {
    if (locks.get(clusterId) === mine) locks.delete(clusterId);
  }
}

const REMOVAL_ORDER: Record<WorkerState, number> = { failed: 0, removing: 0, starting: 1, joining: 2, "not-ready": 3, ready: 4 };

/** Scales the pool to `size`: new workers join with a fresh token; removed ones are drained first. */
export async function scaleWorkerPool(db: Db, actor: Actor, input: ScaleWorkerPoolInput): Promise<{ created: string[]; removed: string[] }> {
  const { clusterId, size } = parseInput(scaleWorkerPoolInputSchema, input);
  return exclusive(clusterId, async () => {
    const pool = await poolOf(db, clusterId);
    const config = await readPoolConfig(pool);
    const image = config.image ?? (await workerImage(db, pool.row));
    const vms = (await listWorkerVms(pool)).filter((vm) => !vm.metadata?.deletionTimestamp);
    const created: string[] = [];
    const removed: string[] = [];
    const evicted: string[] = [];
    await writePoolConfig(pool, size, image);
    if (size > vms.length) {
      try {
        await createWorkers(pool, image, size - vms.length, created);
      } catch (error) {
        // The pool keeps what was made, not what was asked: nothing else would make the rest.
        await writePoolConfig(pool, vms.length + created.length, image).catch(() => {});
        throw error;
      }
    } else if (size < vms.length) {
      const views = await workerViews(pool, vms);
      const victims = views.sort((a, b) => REMOVAL_ORDER[a.state] - REMOVAL_ORDER[b.state] || (b.createdAt ?? "").localeCompare(a.createdAt ?? "")).slice(0, vms.length - size);
      // All of them first: pods evicted from one must not land on the next to go.
      for (const victim of victims) await cordonNode(pool.nested, pool.kc, victim.name);
      for (const victim of victims) {
        const out = await removeWorkerObjects(pool, victim.name);
        evicted.push(...out.evicted);
        removed.push(victim.name);
      }
    }
    await auditSuccess(db, actor, {
      action: "nested.workers.scale",
      ...(await workloadAuditTarget(db, pool.row, "nested_cluster")),
      detail: { from: vms.length, to: size, created, removed, evicted },
    });
    return { created, removed };
  });
}

async function requireWorker(pool: Pool, worker: string): Promise<VirtualMachine> {
  const vm = (await listWorkerVms(pool)).find((v) => v.metadata?.name === worker);
  if (!vm) throw new NotFoundError("No such worker in this pool.");
  return vm;
}

/** Replaces a worker that failed by a new one (new VM, fresh token); the pool keeps its size. */
export async function retryWorker(db: Db, actor: Actor, input: WorkerInput): Promise<{ replacement: string }> {
  const { clusterId, worker } = parseInput(workerInputSchema, input);
  return exclusive(clusterId, async () => {
    const pool = await poolOf(db, clusterId);
    const vm = await requireWorker(pool, worker);
    const [view] = await workerViews(pool, [vm]);
    if (view!.state === "ready") throw new ConflictError(`${worker} has joined and is Ready; there is nothing to retry.`);
    const config = await readPoolConfig(pool);
    const image = config.image ?? (await workerImage(db, pool.row));
    await removeWorkerObjects(pool, worker);
    const [replacement] = await createWorkers(pool, image, 1);
    await auditSuccess(db, actor, { action: "nested.workers.retry", ...(await workloadAuditTarget(db, pool.row, "nested_cluster")), detail: { worker, replacement, reason: view!.reason } });
    return { replacement: replacement! };
  });
}

/** Removes one worker (drained first if it joined); the pool shrinks by one. */
export async function removeWorker(db: Db, actor: Actor, input: WorkerInput): Promise<{ size: number }> {
  const { clusterId, worker } = parseInput(workerInputSchema, input);
  return exclusive(clusterId, async () => {
    const pool = await poolOf(db, clusterId);
    await requireWorker(pool, worker);
    const config = await readPoolConfig(pool);
    const { evicted } = await removeWorkerObjects(pool, worker);
    const size = Math.max(0, config.size - 1);
    if (config.image) await writePoolConfig(pool, size, config.image);
    await auditSuccess(db, actor, { action: "nested.workers.remove", ...(await workloadAuditTarget(db, pool.row, "nested_cluster")), detail: { worker, evicted, size } });
    return { size };
  });
}
