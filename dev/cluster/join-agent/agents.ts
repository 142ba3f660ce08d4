// The join agents of worker VMs: a **stand-in** for the kubeadm + kubelet of a worker image.
// A VMI whose container disk is the worker image (`minicloud.dev/guests/kube-worker`) gets no
// QEMU guest (TCG cannot run a kubelet and a container runtime in useful time); instead the VM
// stand-in starts a join agent for it, inside the launcher's process, which reads the VMI's
// cloud-init, finds its `kubeadm join`, and performs the join's real protocol (protocol.ts)
// against the real nested control plane, then keeps the node alive (node.ts) until the VMI
// goes. It reaches the apiserver's address the way a worker on the host's pod network would:
// the Service name resolves to a ready pod behind it, whose pod IP the pod runner serves on a
// loopback address (10.244.a.b → 127.244.a.b). A failed join is logged with kubeadm's words
// and the agent stops, as cloud-init would after kubeadm exits non-zero.
import { createHash } from "node:crypto";
import type { V1Pod } from "@kubernetes/client-node";
import { joinFromUserData, type JoinCommand } from "@/lib/nested/bootstrap/join-command";
import { loopbackAddressOf } from "../pod-runner/invocation";
import type { VirtualMachineInstance } from "../standins/kubevirt";
import { orNotFound, type Kube } from "../standins/kube";
import { apiRequest, type Endpoint } from "./http";
import { defaultNodeTimings, runNode, type NodeTimings } from "./node";
import { defaultJoinTimings, JoinFailed, performJoin, type JoinTimings } from "./protocol";

/** The container-disk image of a worker (kubelet, kubeadm and a container runtime, played by the agent). */
export const WORKER_IMAGE = "minicloud.dev/guests/kube-worker";

export interface AgentState {
  vmi: string;
  nodeName?: string;
  state: "joining" | "joined" | "failed" | "idle";
  error?: string;
}

interface VmiVolume {
  containerDisk?: { image?: string };
  cloudInitNoCloud?: { userData?: string; userDataBase64?: string; userDataSecretRef?: { name?: string } };
}

const volumesOf = (vmi: VirtualMachineInstance) => ((vmi.spec as { volumes?: VmiVolume[] } | undefined)?.volumes ?? []);

/** Whether the VMI boots the worker image (and so gets a join agent, not QEMU). */
export function isWorkerVmi(vmi: VirtualMachineInstance): boolean {
  return volumesOf(vmi).some((v) => v.containerDisk?.image?.split(/[:@]/)[0] === WORKER_IMAGE);
}

/** Where `host:port` of a join command leads on this machine. */
async function resolveEndpoint(kube: Kube, address: string): Promise<Endpoint> {
  const colon = address.lastIndexOf(":");
  const host = colon > 0 ? address.slice(0, colon) : address;
  const port = colon > 0 ? Number(address.slice(colon + 1)) : 443;
  const service = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.[a-z0-9.-]+)?$/.exec(host);
  if (!service) return { host, port, serverName: host };
  const [, name, namespace] = service;
  const found = await orNotFound(kube.core.readNamespacedService({ name: name!, namespace: namespace! }));
  if (!found) throw new Error(`dial tcp: lookup ${host}: no such host`);
  const selector = Object.entries(found.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  const pods = await kube.core.listNamespacedPod({ namespace: namespace!, labelSelector: selector });
  const ready = pods.items.filter((p: V1Pod) => !p.metadata?.deletionTimestamp && p.status?.podIP && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  const pod = ready[0];
  if (!pod) throw new Error(`dial tcp ${host}:${port}: connect: connection refused (no ready endpoint)`);
  return { host: loopbackAddressOf(pod.status!.podIP!), port, serverName: host };
}

export class JoinAgents {
  private readonly running = new Map<string, { controller: AbortController; state: AgentState }>();

  constructor(
    private readonly kube: Kube,
    private readonly log: (line: string) => void,
    private readonly timings: { join: JoinTimings; node: NodeTimings } = { join: defaultJoinTimings, node: defaultNodeTimings },
  ) {}

  ids(): string[] {
    return [...this.running.keys()];
  }

  states(): AgentState[] {
    return [...this.running.values()].map((r) => ({ ...r.state }));
  }

  /** Starts the VMI's agent (once); the join goes on in the background. */
  start(vmi: VirtualMachineInstance): void {
    const uid = vmi.metadata!.uid!;
    if (this.running.has(uid)) return;
    const label = `${vmi.metadata!.namespace}/${vmi.metadata!.name}`;
    const controller = new AbortController();
    const state: AgentState = { vmi: label, state: "joining" };
    this.running.set(uid, { controller, state });
    const log = (line: string) => this.log(`join agent ${label}: ${line}`);
    void this.run(vmi, controller.signal, state, log).catch((error: unknown) => {
      state.state = "failed";
      state.error = error instanceof JoinFailed ? error.message : `error: ${(error as Error).message}`;
      log(`kubeadm join failed: ${state.error}`);
    });
  }

  stop(uid: string): void {
    const agent = this.running.get(uid);
    if (!agent) return;
    agent.controller.abort();
    this.running.delete(uid);
  }

  stopAll(): void {
    for (const uid of this.ids()) this.stop(uid);
  }

  private async run(vmi: VirtualMachineInstance, signal: AbortSignal, state: AgentState, log: (line: string) => void): Promise<void> {
    const userData = await this.userData(vmi);
    const join = userData === undefined ? null : joinFromUserData(userData);
    if (!join) {
      state.state = "idle";
      log("no kubeadm join in the cloud-init user data; the worker stays outside any cluster");
      return;
    }
    if ("problem" in join) throw new JoinFailed("preflight", join.problem);
    const nodeName = (join as JoinCommand).nodeName ?? (vmi.spec as { hostname?: string } | undefined)?.hostname ?? vmi.metadata!.name!;
    state.nodeName = nodeName;
    const endpoint = await this.resolveWithRetry(join.address, signal);
    log(`kubeadm join ${join.address} as ${nodeName} (reached at ${endpoint.host}:${endpoint.port})`);
    const joined = await performJoin({ join, nodeName, endpoint, timings: this.timings.join, log });
    if (signal.aborted) return;
    const digest = createHash("sha256").update(vmi.metadata!.uid!).digest();
    await runNode(joined, { internalIp: `10.201.${digest[0]}.${digest[1]! % 254 + 1}`, kubeletVersion: await this.version(endpoint, joined.caPem), cpu: "2", memory: "4Gi", pods: "110" }, signal, log, this.timings.node);
    state.state = "joined";
  }

  private async resolveWithRetry(address: string, signal: AbortSignal): Promise<Endpoint> {
    const deadline = Date.now() + this.timings.join.discoveryTimeoutMs;
    for (;;) {
      try {
        return await resolveEndpoint(this.kube, address);
      } catch (error) {
        if (signal.aborted || Date.now() > deadline) throw new JoinFailed("preflight", `couldn't validate the identity of the API Server: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, this.timings.join.retryMs));
      }
    }
  }

  private async version(endpoint: Endpoint, caPem: string): Promise<string> {
    const answer = await apiRequest(endpoint, { ca: caPem }, "GET", "/version").catch(() => null);
    try {
      return answer?.status === 200 ? answer.json<{ gitVersion: string }>().gitVersion : "v0.0.0";
    } catch {
      return "v0.0.0";
    }
  }

  private async userData(vmi: VirtualMachineInstance): Promise<string | undefined> {
    const noCloud = volumesOf(vmi).find((v) => v.cloudInitNoCloud)?.cloudInitNoCloud;
    if (!noCloud) return undefined;
    if (noCloud.userData !== undefined) return noCloud.userData;
    if (noCloud.userDataBase64 !== undefined) return Buffer.from(noCloud.userDataBase64, "base64").toString("utf8");
    const secretName = noCloud.userDataSecretRef?.name;
    if (!secretName) return undefined;
    const secret = await orNotFound(this.kube.core.readNamespacedSecret({ namespace: vmi.metadata!.namespace!, name: secretName }));
    const value = secret?.data?.userdata ?? secret?.data?.userData;
    return value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8");
  }
}
