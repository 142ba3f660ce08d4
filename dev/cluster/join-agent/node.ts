// After the join: what the worker's kubelet does with its node client certificate, enough for
// the control plane to see a healthy node — register the Node, report it Ready with its
// capacity, renew its Lease in kube-node-lease, and for the pods bound to it report them
// Running (nothing is run: as kwok does for the host's nodes) and finish their deletion.
// Every call is authenticated as `system:node:<name>` (group `system:nodes`) with the
// certificate the cluster's signer issued, so the Node authorizer and NodeRestriction apply.
import type { JoinedNode } from "./protocol";
import { apiRequest, statusMessage, type Credentials } from "./http";

export interface NodeFacts {
  internalIp: string;
  kubeletVersion: string;
  cpu: string;
  memory: string;
  pods: string;
}

export interface NodeTimings {
  leaseRenewMs: number;
  statusMs: number;
  podsMs: number;
}

export const defaultNodeTimings: NodeTimings = { leaseRenewMs: 10_000, statusMs: 60_000, podsMs: 2_000 };

const microTime = (date = new Date()) => date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

interface Pod {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
  spec?: { hostNetwork?: boolean; containers?: { name: string; image: string }[] };
  status?: { phase?: string };
}

/** Keeps a joined node alive until `signal` aborts. Resolves once it is registered and Ready. */
export async function runNode(joined: JoinedNode, facts: NodeFacts, signal: AbortSignal, log: (line: string) => void, timings = defaultNodeTimings): Promise<void> {
  const name = joined.nodeName;
  const credentials: Credentials = { ca: joined.caPem, cert: joined.certPem, key: joined.keyPem };
  const call = (method: string, path: string, body?: unknown) => apiRequest(joined.endpoint, credentials, method, path, body);
  const must = async (what: string, answer: Promise<{ status: number; body: string; json<T>(): T }>, ok: number[]) => {
    const result = await answer;
    if (!ok.includes(result.status)) throw new Error(`${what}: ${statusMessage(result)}`);
    return result;
  };

  const node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64" } },
    spec: {},
  };
  await must(`register node ${name}`, call("POST", "/api/v1/nodes", node), [201, 409]);
  const statusPatch = () => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
    return {
      status: {
        capacity: { cpu: facts.cpu, memory: facts.memory, pods: facts.pods, "ephemeral-storage": "20Gi" },
        allocatable: { cpu: facts.cpu, memory: facts.memory, pods: facts.pods, "ephemeral-storage": "18Gi" },
        addresses: [
          { type: "InternalIP", address: facts.internalIp },
          { type: "Hostname", address: name },
        ],
        conditions: [
          condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
          condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
          condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
          condition("Ready", "True", "KubeletReady", "kubelet is posting ready status (minicloud join agent stand-in)"),
        ],
        nodeInfo: {
          kubeletVersion: facts.kubeletVersion,
          kubeProxyVersion: facts.kubeletVersion,
          containerRuntimeVersion: "containerd://2.1.0 (stand-in)",
          operatingSystem: "linux",
          architecture: "amd64",
          osImage: "minicloud join agent (stand-in)",
          kernelVersion: "",
          machineID: "",
          systemUUID: "",
          bootID: "",
        },
      },
    };
  };
  await must(`report node ${name} ready`, call("PATCH", `/api/v1/nodes/${name}/status`, statusPatch()), [200]);

  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  const lease = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: "kube-node-lease" },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
  };
  await must(`create the lease of ${name}`, call("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease), [201, 409]);
  log(`node ${name} registered and Ready`);

  const every = (ms: number, work: () => Promise<void>) => {
    let running = false;
    const timer = setInterval(() => {
      if (running || signal.aborted) return;
      running = true;
      work()
        .catch((error: unknown) => log(`node ${name}: ${(error as Error).message}`))
        .finally(() => (running = false));
    }, ms);
    signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  };
  every(timings.leaseRenewMs, async () => {
    await must("renew the lease", call("PATCH", leasePath, { spec: { renewTime: microTime() } }), [200]);
  });
  every(timings.statusMs, async () => {
    await must("report status", call("PATCH", `/api/v1/nodes/${name}/status`, statusPatch()), [200]);
  });
  let podIndex = 0;
  every(timings.podsMs, async () => {
    const answer = await must("list my pods", call("GET", `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${name}`)}`), [200]);
    for (const pod of answer.json<{ items: Pod[] }>().items) {
      const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
      if (pod.metadata.deletionTimestamp) {
        // Nothing runs, so nothing to stop: finish the deletion as a kubelet does once its containers are gone.
        await call("DELETE", path, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        continue;
      }
      if (pod.status?.phase === "Running") continue;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const podIp = pod.spec?.hostNetwork ? facts.internalIp : `10.120.${(facts.internalIp.split(".").map(Number)[3] ?? 0) % 256}.${(podIndex++ % 250) + 2}`;
      const conditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({ type, status: "True", lastTransitionTime: now }));
      await call("PATCH", `${path}/status`, {
        status: {
          phase: "Running",
          hostIP: facts.internalIp,
          podIP: podIp,
          podIPs: [{ ip: podIp }],
          startTime: now,
          conditions,
          containerStatuses: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, imageID: "", ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
        },
      });
    }
  });
}
