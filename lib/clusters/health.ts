// A cluster's health as its page shows it, read live: reachable, version, nodes Ready/total,
// and per node the pods it runs and the CPU / memory requested against what is allocatable
// (requests of non-terminated pods, the way the scheduler counts them).
import { CoreV1Api, VersionApi, type V1Container, type V1Pod } from "@kubernetes/client-node";
import { isNodeReady } from "@/lib/clusters/probe";
import { quantityValue, toMillicores } from "@/lib/kube/quantity";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getClusterConnection } from "@/lib/kube/clients";
import { kube } from "@/lib/kube/transport";

/** CPU and memory amounts. */
export interface Resources {
  cpuMillicores: number;
  memoryBytes: number;
}

/** One node's share. */
export interface NodeHealth {
  name: string;
  ready: boolean;
  unschedulable: boolean;
  pods: number;
  allocatable: Resources & { pods: number };
  requested: Resources;
}

/** The health of a cluster: live figures, or why they could not be read. */
export type ClusterHealth =
  | { reachable: false; error: string }
  | {
      reachable: true;
      version: string;
      nodes: { ready: number; total: number };
      perNode: NodeHealth[];
      totals: { allocatable: Resources & { pods: number }; requested: Resources; pods: number };
      /** Pods waiting for a node. */
      unscheduledPods: number;
    };

function containerRequests(containers: V1Container[] | undefined): Resources {
  const out = { cpuMillicores: 0, memoryBytes: 0 };
  for (const c of containers ?? []) {
    out.cpuMillicores += toMillicores(c.resources?.requests?.cpu);
    out.memoryBytes += quantityValue(c.resources?.requests?.memory);
  }
  return out;
}

/** What a pod reserves on its node: the larger of its containers' sum and its largest init container, plus overhead. */
export function podRequests(pod: V1Pod): Resources {
  const main = containerRequests(pod.spec?.containers);
  let cpu = main.cpuMillicores;
  let memory = main.memoryBytes;
  for (const init of pod.spec?.initContainers ?? []) {
    const one = containerRequests([init]);
    cpu = Math.max(cpu, one.cpuMillicores);
    memory = Math.max(memory, one.memoryBytes);
  }
  cpu += toMillicores(pod.spec?.overhead?.cpu);
  memory += quantityValue(pod.spec?.overhead?.memory);
  return { cpuMillicores: cpu, memoryBytes: memory };
}

/** Reads the cluster's health now; an unreachable cluster is a result, not an error. */
export async function getClusterHealth(db: Db, clusterId: string): Promise<ClusterHealth> {
  const connection = await getClusterConnection(db, clusterId);
  const core = connection.kc.makeApiClient(CoreV1Api);
  try {
    const [version, nodes, pods] = await Promise.all([
      kube(connection, "read the server version", () => connection.kc.makeApiClient(VersionApi).getCode(), { timeoutMs: 10_000 }),
      kube(connection, "list nodes", () => core.listNode(), { timeoutMs: 10_000 }),
      kube(connection, "list running pods", () => core.listPodForAllNamespaces({ fieldSelector: "status.phase!=Succeeded,status.phase!=Failed" }), { timeoutMs: 15_000 }),
    ]);
    const perNode = new Map<string, NodeHealth>();
    for (const node of nodes.items) {
      const name = node.metadata?.name ?? "";
      const allocatable = node.status?.allocatable ?? {};
      perNode.set(name, {
        name,
        ready: isNodeReady(node),
        unschedulable: node.spec?.unschedulable ?? false,
        pods: 0,
        allocatable: { cpuMillicores: toMillicores(allocatable.cpu), memoryBytes: quantityValue(allocatable.memory), pods: quantityValue(allocatable.pods) },
        requested: { cpuMillicores: 0, memoryBytes: 0 },
      });
    }
    let unscheduledPods = 0;
    for (const pod of pods.items) {
      const node = pod.spec?.nodeName ? perNode.get(pod.spec.nodeName) : undefined;
      if (!node) {
        unscheduledPods++;
        continue;
      }
      const requests = podRequests(pod);
      node.pods++;
      node.requested.cpuMillicores += requests.cpuMillicores;
      node.requested.memoryBytes += requests.memoryBytes;
    }
    const list = [...perNode.values()].sort((a, b) => a.name.localeCompare(b.name));
    const sum = (pick: (n: NodeHealth) => number) => list.reduce((total, n) => total + pick(n), 0);
    return {
      reachable: true,
      version: version.gitVersion,
      nodes: { ready: list.filter((n) => n.ready).length, total: list.length },
      perNode: list,
      totals: {
        allocatable: { cpuMillicores: sum((n) => n.allocatable.cpuMillicores), memoryBytes: sum((n) => n.allocatable.memoryBytes), pods: sum((n) => n.allocatable.pods) },
        requested: { cpuMillicores: sum((n) => n.requested.cpuMillicores), memoryBytes: sum((n) => n.requested.memoryBytes) },
        pods: sum((n) => n.pods),
      },
      unscheduledPods,
    };
  } catch (error) {
    if (error instanceof AppError) return { reachable: false, error: error.message };
    throw error;
  }
}
