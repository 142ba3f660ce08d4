// Reading SSH pods: the team's list (rows joined with what the cluster says), one pod's detail
// (conditions, events, Service, volume) and its sshd log. Reads are scoped by team.
import { CoreV1Api, type CoreV1Event, type V1Pod } from "@kubernetes/client-node";
import { eq } from "drizzle-orm";
import { listTeamAssignments, type TeamQuota } from "@/lib/clusters/assignments";
import { readClusterSettings, type CatalogImage } from "@/lib/clusters/settings";
import type { Db } from "@/lib/db/client";
import { clusters } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { KIND_LABEL, MANAGED_SELECTOR, TEAM_LABEL, WORKLOAD_LABEL } from "@/lib/kube/labels";
import { kube, kubeOrNull } from "@/lib/kube/transport";
import { workloadClusterContext } from "@/lib/workloads/cluster-context";
import { SSH_CONTAINER } from "@/lib/pods/manifests";
import { currentPod, listWorkloadPods, readService } from "@/lib/pods/objects";
import { asSshPodRow, requireSshPodRow, type SshPodRow } from "@/lib/pods/rows";
import { podRuntime } from "@/lib/pods/runtime";
import type { PodConditionView, PodEventView, SshPodDetail, SshPodLogs, SshPodSpec, SshPodView } from "@/lib/pods/types";
import { joinPerCluster } from "@/lib/workloads/per-cluster";
import { workloadView } from "@/lib/workloads/view";
import { listWorkloadsWithOwners, type WorkloadListFilter } from "@/lib/workloads/rows";

/**
 * Where the list gets pods from: the pods of the given team in the given namespaces of one
 * cluster, keyed by workload id. The default asks the cluster; the watch cache can stand in.
 */
export type PodSource = (clusterId: string, namespaces: string[], teamId: string) => Promise<Map<string, V1Pod>>;

/** Lists the team's minicloud SSH pods in each namespace with one labelled call. */
export function clusterPodSource(db: Db): PodSource {
  return async (clusterId, namespaces, teamId) => {
    const connection = await getClusterConnection(db, clusterId);
    const core = connection.forTeam(teamId).makeApiClient(CoreV1Api);
    const labelSelector = `${MANAGED_SELECTOR},${KIND_LABEL}=ssh-pod,${TEAM_LABEL}=${teamId}`;
    const byWorkload = new Map<string, V1Pod[]>();
    for (const namespace of namespaces) {
      const list = await kube(connection, `list the SSH pods in namespace ${namespace}`, () => core.listNamespacedPod({ namespace, labelSelector }));
      for (const pod of list.items) {
        const id = pod.metadata?.labels?.[WORKLOAD_LABEL];
        if (id) byWorkload.set(id, [...(byWorkload.get(id) ?? []), pod]);
      }
    }
    const out = new Map<string, V1Pod>();
    for (const [id, pods] of byWorkload) out.set(id, currentPod(pods)!);
    return out;
  };
}

type ListedRow = {
  row: SshPodRow;
  clusterName: string;
  clusterSlug: string;
  owner: { id: string; name: string; email: string };
};

function viewOf(listed: ListedRow, pod: V1Pod | undefined, clusterError: string | null): SshPodView {
  const { row, clusterSlug } = listed;
  const spec = row.spec;
  return {
    ...workloadView(listed, clusterError),
    clusterSlug,
    image: spec.image,
    cpuMillicores: spec.cpuMillicores,
    memoryMib: spec.memoryMib,
    homeGib: spec.homeGib,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    runtime: clusterError ? { ...podRuntime(undefined), reason: clusterError } : podRuntime(pod),
  };
}

async function selectRows(db: Db, filter: WorkloadListFilter): Promise<ListedRow[]> {
  return (await listWorkloadsWithOwners(db, filter)).map((listed) => ({ ...listed, row: asSshPodRow(listed.row) }));
}

/** Options of the list. */
export interface ListSshPodsOptions {
  /** Only the pods this user created. */
  mine?: string;
  /** Where pods come from (default: ask each cluster). */
  podSource?: PodSource;
}

/**
 * The team's SSH pods, oldest first, each with its runtime state. A cluster that cannot be
 * asked does not fail the list: its pods show the reason in `clusterError`.
 */
export async function listTeamSshPods(db: Db, teamId: string, options: ListSshPodsOptions = {}): Promise<SshPodView[]> {
  const rows = await selectRows(db, { teamId, kind: "ssh-pod", createdBy: options.mine });
  const source = options.podSource ?? clusterPodSource(db);
  return joinPerCluster(rows, (clusterId, namespaces) => source(clusterId, namespaces, teamId), viewOf);
}

function conditionsOf(pod: V1Pod | undefined): PodConditionView[] {
  return (pod?.status?.conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason ?? null,
    message: c.message ?? null,
    lastTransitionTime: c.lastTransitionTime ? new Date(c.lastTransitionTime).toISOString() : null,
  }));
}

function eventView(event: CoreV1Event): PodEventView {
  const last = event.lastTimestamp ?? event.eventTime ?? event.series?.lastObservedTime ?? event.metadata?.creationTimestamp;
  return {
    type: event.type ?? "Normal",
    reason: event.reason ?? "",
    message: event.message ?? "",
    object: `${event.involvedObject.kind ?? ""}/${event.involvedObject.name ?? ""}`,
    count: event.count ?? event.series?.count ?? 1,
    lastSeen: last ? new Date(last).toISOString() : null,
  };
}

/** One of the team's SSH pods with conditions, events (pod and volume), Service and volume. */
export async function getSshPod(db: Db, teamId: string, workloadId: string): Promise<SshPodDetail> {
  const base = await requireSshPodRow(db, teamId, workloadId);
  const [listed] = await selectRows(db, { id: base.id });
  const row = listed!.row;
  const spec: SshPodSpec = row.spec;
  const ctx = await workloadClusterContext(db, row);
  let pod: V1Pod | undefined;
  let clusterError: string | null = null;
  let service: SshPodDetail["service"] = null;
  let pvc: SshPodDetail["pvc"] = null;
  let events: PodEventView[] = [];
  try {
    pod = currentPod(await listWorkloadPods(ctx, row.id));
    const svc = await readService(ctx, spec.serviceName);
    service = svc ? { name: spec.serviceName, clusterIP: svc.spec?.clusterIP ?? null } : null;
    if (spec.pvcName) {
      const claim = await kubeOrNull(ctx.connection, `read volume claim ${spec.pvcName}`, () =>
        ctx.core.readNamespacedPersistentVolumeClaim({ name: spec.pvcName!, namespace: row.namespace }),
      );
      pvc = { name: spec.pvcName, phase: claim?.status?.phase ?? null, capacity: claim?.status?.capacity?.storage ?? null };
    }
    const names = [pod?.metadata?.name, spec.pvcName].filter((n): n is string => Boolean(n));
    const lists = await Promise.all(
      names.map((name) =>
        kube(ctx.connection, `list the events of ${name}`, () =>
          ctx.core.listNamespacedEvent({ namespace: row.namespace, fieldSelector: `involvedObject.name=${name}` }),
        ),
      ),
    );
    events = lists
      .flatMap((l) => l.items)
      .map(eventView)
      .sort((a, b) => (b.lastSeen ?? "").localeCompare(a.lastSeen ?? ""));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    clusterError = error.message;
  }
  return {
    ...viewOf(listed!, pod, clusterError),
    loginName: spec.loginName,
    ttlMinutes: spec.ttlMinutes,
    service,
    pvc,
    conditions: conditionsOf(pod),
    events,
  };
}

/** Bounds of a log read. */
export const LOG_LIMITS = { tailLines: 500, limitBytes: 256 * 1024 } as const;

/**
 * The tail of the pod's sshd log (its container log), at most `limitBytes`. Read with one
 * request: client-node's streaming `Log.log()` never signals its end.
 */
export async function readSshPodLogs(
  db: Db,
  teamId: string,
  workloadId: string,
  options: { tailLines?: number; limitBytes?: number } = {},
): Promise<SshPodLogs> {
  const row = await requireSshPodRow(db, teamId, workloadId);
  const ctx = await workloadClusterContext(db, row);
  const pod = currentPod(await listWorkloadPods(ctx, row.id));
  if (!pod) return { podName: null, text: "", truncated: false };
  const podName = pod.metadata!.name!;
  const limitBytes = Math.min(options.limitBytes ?? LOG_LIMITS.limitBytes, LOG_LIMITS.limitBytes);
  const tailLines = Math.min(options.tailLines ?? LOG_LIMITS.tailLines, LOG_LIMITS.tailLines);
  // A pod that has not started has no log yet; Kubernetes answers 400 for that.
  if (!pod.status?.containerStatuses?.some((c) => c.name === SSH_CONTAINER && (c.state?.running || c.state?.terminated || c.lastState?.terminated))) {
    return { podName, text: "", truncated: false };
  }
  const text = await kube(ctx.connection, `read the log of pod ${podName}`, () =>
    ctx.core.readNamespacedPodLog({ name: podName, namespace: row.namespace, container: SSH_CONTAINER, tailLines, limitBytes }),
  );
  return { podName, text: String(text ?? ""), truncated: Buffer.byteLength(String(text ?? "")) >= limitBytes };
}

/** A cluster the team may create SSH pods in, with what the create form offers there. */
export interface PodTarget {
  clusterId: string;
  clusterName: string;
  images: CatalogImage[];
  /** The team's quota there (null = unlimited). */
  quota: TeamQuota;
}

/** The clusters assigned to the team, each with its image catalog and the team's quota. */
export async function listPodTargets(db: Db, teamId: string): Promise<PodTarget[]> {
  const assignments = await listTeamAssignments(db, teamId);
  const rows = await Promise.all(assignments.map((a) => db.select({ settings: clusters.settings }).from(clusters).where(eq(clusters.id, a.clusterId))));
  return assignments.map((a, i) => ({
    clusterId: a.clusterId,
    clusterName: a.clusterName,
    images: readClusterSettings(rows[i]![0] ?? { settings: {} }).imageCatalog,
    quota: a.quota,
  }));
}
