// Reading VMs: the team's list (rows joined with what KubeVirt says: from the cluster's VM watch
// cache for pages and REST, or one labelled list call per namespace and resource), one VM's detail (conditions, Service), and what the create form
// offers per cluster (disk catalog, instancetypes, quota). Reads are scoped by team.
import { eq } from "drizzle-orm";
import { listTeamAssignments, type TeamQuota } from "@/lib/clusters/assignments";
import { readClusterSettings, type CatalogImage } from "@/lib/clusters/settings";
import type { Db } from "@/lib/db/client";
import { clusters } from "@/lib/db/schema";
import type { GoldenImage } from "@/lib/clusters/vm-golden-images";
import { AppError, toUserError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { KIND_LABEL, MANAGED_SELECTOR, TEAM_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { kubeOrNull } from "@/lib/kube/transport";
import { workloadClusterContext } from "@/lib/workloads/cluster-context";
import { joinPerCluster } from "@/lib/workloads/per-cluster";
import { workloadView } from "@/lib/workloads/view";
import { listWorkloadsWithOwners, type ListedWorkload, type WorkloadListFilter } from "@/lib/workloads/rows";
import { listInstancetypes, type InstancetypeOffer } from "@/lib/vms/instancetypes";
import { KUBEVIRT, vmConditions, vmRuntime, type VirtualMachine, type VirtualMachineInstance } from "@/lib/vms/kubevirt";
import { listKubevirt, readVm, readVmi } from "@/lib/vms/objects";
import { asVmRow, requireVmRow, type VmRow } from "@/lib/vms/rows";
import type { VmDetail, VmView } from "@/lib/vms/types";
import { vmWatchCacheFor, type VmObjects, type VmWatchCache } from "@/lib/vms/watch-cache";

export type { VmObjects };

/**
 * Where the list gets VMs from: the team's VMs and VMIs in the given namespaces of one cluster,
 * keyed by workload id. The default asks the cluster; pages and REST read the watch cache.
 */
export type VmSource = (clusterId: string, namespaces: string[], teamId: string) => Promise<Map<string, VmObjects>>;

/** Lists the team's minicloud VMs and their instances in each namespace with labelled calls. */
export function clusterVmSource(db: Db): VmSource {
  return async (clusterId, namespaces, teamId) => {
    const connection = await getClusterConnection(db, clusterId);
    const ctx = { connection, kc: connection.forTeam(teamId) };
    const labelSelector = `${MANAGED_SELECTOR},${KIND_LABEL}=vm,${TEAM_LABEL}=${teamId}`;
    const out = new Map<string, VmObjects>();
    const entry = (object: { metadata?: { labels?: Record<string, string> } }) => {
      const id = object.metadata?.labels?.[WORKLOAD_LABEL];
      if (!id) return null;
      const found = out.get(id) ?? {};
      out.set(id, found);
      return found;
    };
    for (const namespace of namespaces) {
      const [vms, vmis] = await Promise.all([
        listKubevirt<VirtualMachine>(ctx, KUBEVIRT.vms, namespace, labelSelector),
        listKubevirt<VirtualMachineInstance>(ctx, KUBEVIRT.vmis, namespace, labelSelector),
      ]);
      for (const vm of vms) entry(vm)!.vm = vm;
      for (const vmi of vmis) {
        const found = entry(vmi);
        if (found) found.vmi = vmi;
      }
    }
    return out;
  };
}

/**
 * A VmSource reading the cluster's VM watch cache (lib/vms/watch-cache.ts): the team's VMs in
 * `namespaces` come from memory, so the list stays fast with thousands of VMs and agrees with
 * what the live stream pushes. Waits for a new cache's first lists; a cluster that cannot be
 * listed fails with its reason (UnavailableError), shown on the VMs of that cluster.
 */
export function watchVmSource(db: Db, cacheFor: (db: Db, clusterId: string) => Promise<VmWatchCache> = vmWatchCacheFor): VmSource {
  return async (clusterId, namespaces, teamId) => {
    const cache = await cacheFor(db, clusterId);
    await cache.ready();
    const wanted = new Set(namespaces);
    const out = new Map<string, VmObjects>();
    for (const [workloadId, objects] of cache.vmsOfTeam(teamId)) {
      if (objects.vm?.metadata?.labels?.[KIND_LABEL] === "vm" && wanted.has(objects.vm.metadata.namespace ?? "")) out.set(workloadId, objects);
    }
    return out;
  };
}

type ListedVm = Omit<ListedWorkload, "row"> & { row: VmRow };

function viewOf(listed: ListedVm, objects: VmObjects, clusterError: string | null): VmView {
  const spec = listed.row.spec;
  const runtime = vmRuntime(objects.vm, objects.vmi);
  return {
    ...workloadView(listed, clusterError),
    image: spec.image,
    cpuCores: spec.cpuCores,
    memoryMib: spec.memoryMib,
    instancetype: spec.instancetype,
    runtime: clusterError ? { ...runtime, reason: clusterError } : runtime,
  };
}

async function selectRows(db: Db, filter: WorkloadListFilter): Promise<ListedVm[]> {
  return (await listWorkloadsWithOwners(db, filter)).map((listed) => ({ ...listed, row: asVmRow(listed.row) }));
}

/**
 * The team's VMs, oldest first, each with what KubeVirt says. A cluster that cannot be asked
 * does not fail the list: its VMs show the reason in `clusterError`.
 */
export async function listTeamVms(db: Db, teamId: string, options: { mine?: string; vmSource?: VmSource } = {}): Promise<VmView[]> {
  const rows = await selectRows(db, { teamId, kind: "vm", createdBy: options.mine });
  const source = options.vmSource ?? clusterVmSource(db);
  return joinPerCluster(rows, (clusterId, namespaces) => source(clusterId, namespaces, teamId), (listed, objects, clusterError) => viewOf(listed, objects ?? {}, clusterError));
}

/** One of the team's VMs with the conditions of the VM and its instance, and its Service. */
export async function getVm(db: Db, teamId: string, workloadId: string): Promise<VmDetail> {
  const base = await requireVmRow(db, teamId, workloadId);
  const [listed] = await selectRows(db, { id: base.id });
  const row = listed!.row;
  const ctx = await workloadClusterContext(db, row);
  let objects: VmObjects = {};
  let clusterError: string | null = null;
  let service: VmDetail["service"] = null;
  try {
    const [vm, vmi, svc] = await Promise.all([
      readVm(ctx, row.spec.vmName),
      readVmi(ctx, row.spec.vmName),
      kubeOrNull(ctx.connection, `read service ${row.spec.serviceName}`, () => ctx.core.readNamespacedService({ name: row.spec.serviceName, namespace: row.namespace })),
    ]);
    objects = { vm: vm ?? undefined, vmi: vmi ?? undefined };
    service = svc ? { name: row.spec.serviceName, clusterIP: svc.spec?.clusterIP ?? null } : null;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    clusterError = error.message;
  }
  return {
    ...viewOf(listed!, objects, clusterError),
    meshSidecar: row.spec.meshSidecar,
    hasCloudConfig: row.spec.cloudConfig !== null,
    service,
    conditions: vmConditions(objects.vm, objects.vmi),
  };
}

/** A cluster the team may create VMs in, with what the create form offers there. */
export interface VmTarget {
  clusterId: string;
  clusterName: string;
  images: CatalogImage[];
  /** Golden images VMs may boot from a clone of (the cluster's settings). */
  goldenImages: GoldenImage[];
  instancetypes: InstancetypeOffer;
  /** The team's quota there (null = unlimited). */
  quota: TeamQuota;
}

/** The clusters assigned to the team, each with its VM disk catalog, its instancetypes and the team's quota. */
export async function listVmTargets(db: Db, teamId: string): Promise<VmTarget[]> {
  const assignments = await listTeamAssignments(db, teamId);
  return Promise.all(
    assignments.map(async (a) => {
      const [row] = await db.select({ settings: clusters.settings }).from(clusters).where(eq(clusters.id, a.clusterId));
      let instancetypes: InstancetypeOffer;
      try {
        instancetypes = await listInstancetypes(await getClusterConnection(db, a.clusterId), a.namespace);
      } catch (error) {
        instancetypes = { available: false, reason: `The cluster's instancetypes could not be read: ${toUserError(error).message}` };
      }
      const settings = readClusterSettings(row ?? { settings: {} });
      return { clusterId: a.clusterId, clusterName: a.clusterName, images: settings.vmImageCatalog, goldenImages: settings.vmGoldenImages, instancetypes, quota: a.quota };
    }),
  );
}
