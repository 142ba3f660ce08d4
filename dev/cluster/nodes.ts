// The cluster's three worker nodes: Node objects handed to kwok, shaped like real workers.
import { CoreV1Api, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { KWOK_NODE_ANNOTATION } from "./kwok";
import { waitForObjects } from "./watch";

export const NODE_NAMES = ["mc-worker-1", "mc-worker-2", "mc-worker-3"] as const;
const ZONES = ["local-a", "local-b", "local-c"];

const CAPACITY = { cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi" };
// What a kubelet would leave after system and kube reservations.
const ALLOCATABLE = { cpu: "7800m", memory: "31Gi", pods: "110", "ephemeral-storage": "95Gi" };

function workerNode(name: string, index: number): V1Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value, "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/worker": "",
        "node.kubernetes.io/instance-type": "mc.standard-8",
        "topology.kubernetes.io/region": "local",
        "topology.kubernetes.io/zone": ZONES[index % ZONES.length]!,
        type: "kwok",
      },
    },
    spec: {},
    // Nodes may set status on create (kubelets do); kwok fills conditions and heartbeats.
    status: {
      capacity: CAPACITY,
      allocatable: ALLOCATABLE,
      // kwok answers every node's kubelet API on 127.0.0.1; the apiserver dials the InternalIP.
      addresses: [
        { type: "InternalIP", address: "127.0.0.1" },
        { type: "Hostname", address: name },
      ],
      nodeInfo: {
        architecture: "amd64",
        operatingSystem: "linux",
        osImage: "minicloud local (kwok)",
        kernelVersion: "",
        containerRuntimeVersion: "",
        kubeletVersion: "",
        kubeProxyVersion: "",
        bootID: "",
        machineID: "",
        systemUUID: "",
      },
    },
  };
}

/** Creates the worker nodes and resolves once all are Ready and free of not-ready taints. */
export async function registerWorkerNodes(kc: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await Promise.all(NODE_NAMES.map((name, index) => core.createNode({ body: workerNode(name, index) })));
  await waitForObjects<V1Node>(
    kc,
    { apiVersion: "v1", kind: "Node" },
    (nodes) => NODE_NAMES.every((name) => isSchedulable(nodes.find((node) => node.metadata?.name === name))),
    { timeoutMs, description: `nodes ${NODE_NAMES.join(", ")} to become Ready` },
  );
}

function isSchedulable(node: V1Node | undefined): boolean {
  if (!node) return false;
  const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const notReadyTaint = node.spec?.taints?.some((t) => t.key.startsWith("node.kubernetes.io/not-ready")) ?? false;
  return ready && !notReadyTaint;
}
