// Whether any node could ever hold a new pod or VM, decided before anything is created: a
// workload that asks for more than the largest node offers stays Pending with no word why. A node counts
// when the pod could be placed on it (schedulable, its labels match the cluster's node
// selector, its taints tolerated — the transient node.kubernetes.io/* condition taints aside,
// as the node may recover); when no node admits it only because all are cordoned or tainted
// for now, the matching nodes count (the pod waits, as Kubernetes would have it). Its
// allocatable CPU and memory are what the pod may reserve there.
// Pure: the service lists the nodes.
import type { V1Node, V1Taint, V1Toleration } from "@kubernetes/client-node";
import { formatCores, formatMib, quantityValue, toMillicores } from "@/lib/kube/quantity";

/** CPU and memory, as a pod asks for them or a node offers them. */
export interface PodSize {
  cpuMillicores: number;
  memoryMib: number;
}

/** Where the cluster's settings place team workloads. */
export interface Placement {
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
}

/** Why no node can hold the pod: a sentence, and the same per form field it concerns. */
export interface NodeFitRefusal {
  message: string;
  fieldErrors: Record<string, string>;
}

function tolerates(tolerations: V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => {
    const keyMatches = t.operator === "Exists" ? !t.key || t.key === taint.key : t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
    return keyMatches && (!t.effect || t.effect === taint.effect);
  });
}

/** Whether `node`'s labels match the cluster's node selector. */
function matchesSelector(node: V1Node, placement: Placement): boolean {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(placement.nodeSelector).every(([key, value]) => labels[key] === value);
}

/** Whether a pod with `placement` could be scheduled on `node` now (size aside). */
export function nodeAdmits(node: V1Node, placement: Placement): boolean {
  if (node.spec?.unschedulable) return false;
  if (!matchesSelector(node, placement)) return false;
  return (node.spec?.taints ?? []).every(
    (taint) => taint.effect === "PreferNoSchedule" || taint.key.startsWith("node.kubernetes.io/") || tolerates(placement.tolerations, taint),
  );
}

/** What a node offers a pod: its allocatable CPU and memory. */
export function allocatableOf(node: V1Node): PodSize {
  const allocatable = node.status?.allocatable ?? {};
  return { cpuMillicores: toMillicores(allocatable.cpu), memoryMib: quantityValue(allocatable.memory) / 2 ** 20 };
}

// The sizes no other size beats in both CPU and memory, most CPU first: "the largest nodes".
function largestSizes(sizes: PodSize[]): PodSize[] {
  const beaten = (a: PodSize) => sizes.some((b) => b.cpuMillicores >= a.cpuMillicores && b.memoryMib >= a.memoryMib && (b.cpuMillicores > a.cpuMillicores || b.memoryMib > a.memoryMib));
  const unique = new Map(sizes.filter((s) => !beaten(s)).map((s) => [`${s.cpuMillicores}/${s.memoryMib}`, s]));
  return [...unique.values()].sort((a, b) => b.cpuMillicores - a.cpuMillicores);
}

// What a node holds, rounded down to what is said (two decimals), so "at most" never overstates.
const saySize = (size: PodSize) => {
  const memory = size.memoryMib >= 1024 ? (Math.floor((size.memoryMib / 1024) * 100) / 100) * 1024 : Math.floor(size.memoryMib * 100) / 100;
  return `${formatCores(Math.floor(size.cpuMillicores / 10) * 10)} and ${formatMib(memory)}`;
};

/**
 * Why no node of the cluster can hold a `what` (pod or VM) of `ask` with `placement`, or null when one can.
 * The message says what fits: "the largest node can hold at most 2 cores and 3.5 GiB".
 */
export function nodeFitRefusal(nodes: V1Node[], placement: Placement, ask: PodSize, what: "pod" | "VM" = "pod"): NodeFitRefusal | null {
  const admitting = nodes.filter((n) => nodeAdmits(n, placement));
  // When every matching node is cordoned or tainted for now (maintenance), the workload waits
  // for them as Kubernetes would: judge its size by those nodes rather than refuse it.
  const matching = admitting.length > 0 ? admitting : nodes.filter((n) => matchesSelector(n, placement));
  const candidates = matching.map(allocatableOf);
  if (candidates.some((size) => size.cpuMillicores >= ask.cpuMillicores && size.memoryMib >= ask.memoryMib)) return null;
  if (candidates.length === 0) {
    const message =
      nodes.length === 0
        ? `The cluster has no nodes to run the ${what} on; ask an administrator.`
        : `No node of the cluster matches the node selector in its settings, so the ${what} could never run; ask an administrator.`;
    return { message, fieldErrors: { clusterId: message } };
  }
  const largest = largestSizes(candidates);
  const most = largest.length === 1 ? `the largest node can hold at most ${saySize(largest[0]!)}` : `the largest nodes can hold at most ${largest.slice(0, 3).map(saySize).join(", or ")}`;
  const message = `No node can hold ${formatCores(ask.cpuMillicores)} and ${formatMib(ask.memoryMib)} of memory: ${most}.`;
  const tooMuchCpu = ask.cpuMillicores > Math.max(...candidates.map((s) => s.cpuMillicores));
  const tooMuchMemory = ask.memoryMib > Math.max(...candidates.map((s) => s.memoryMib));
  const fields = tooMuchCpu || tooMuchMemory ? [...(tooMuchCpu ? ["cpuMillicores"] : []), ...(tooMuchMemory ? ["memoryMib"] : [])] : ["cpuMillicores", "memoryMib"];
  return { message, fieldErrors: Object.fromEntries(fields.map((f) => [f, message])) };
}
