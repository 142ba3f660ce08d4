// The pod runner: a stand-in for what a kubelet with a container runtime does, for the one
// kind of container this machine can run — the Kubernetes control-plane and etcd images,
// played by the Go binaries the harness built. Pods on kwok's nodes whose containers use
// those images are started as real local processes (see invocation.ts for how a container
// becomes a command line), each pod on a loopback address of its own, with its Secret and
// ConfigMap volumes as files, its Services' names in an /etc/hosts of its own, its ports
// reachable through the kubelet's port-forward (kwok PortForward objects), and its Ready
// condition following its readiness probes. Deleting the pod stops its processes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { V1Container, V1Pod, V1PodCondition, V1Service } from "@kubernetes/client-node";
import type { Binaries } from "../binaries";
import { startProcess, type ManagedProcess } from "../processes";
import { startInformer, type RunningInformer } from "../standins/informer";
import { connect, describeError, isNotFound, mergePatch, type Kube } from "../standins/kube";
import { hostsFileFor, type PlacedPod } from "./hosts";
import { binaryFor, runnableImageOf, type RunnableImage } from "./images";
import { containerInvocation, loopbackAddressOf, type PodPlacement } from "./invocation";
import { probeOnce } from "./probes";
import { publishPortForward, removePortForward } from "./port-forwards";
import { materializeVolumes } from "./volumes";

export interface PodRunnerContext {
  kubeconfigPath: string;
  /** The run's directory; pods' files go under `<dir>/pod-runner/`. */
  dir: string;
  binaries: Binaries;
  log: (line: string) => void;
}

export interface RunningPodRunner {
  /** The pods running as processes now, by `namespace/name`. */
  running(): string[];
  stop(): Promise<void>;
}

interface RunningContainer {
  container: V1Container;
  image: RunnableImage;
  process: ManagedProcess | null;
  ready: boolean;
  restarts: number;
  startedAt: string;
}

interface RunningPod {
  key: string;
  uid: string;
  pod: V1Pod;
  placement: PodPlacement;
  root: string;
  hostsPath: string;
  containers: RunningContainer[];
  stopping: boolean;
  timers: NodeJS.Timeout[];
  probeTimer?: NodeJS.Timeout;
  lastReported: string;
}

const UNSHARE = ["/usr/bin/unshare", "/bin/unshare"].find((c) => existsSync(c));

// Whether a private mount namespace (for the pod's own /etc/hosts) can be made here without privileges beyond ours.
function mountNamespacesWork(): boolean {
  if (!UNSHARE) return false;
  const result = spawnSync(UNSHARE, ["--user", "--map-root-user", "--mount", "--", "/bin/true"], { timeout: 5000 });
  return result.status === 0;
}

const keyOf = (pod: V1Pod) => `${pod.metadata!.namespace}/${pod.metadata!.name}`;

/** The containers of a pod the runner plays, or none. */
export function runnableContainers(pod: V1Pod): { container: V1Container; image: RunnableImage }[] {
  return (pod.spec?.containers ?? []).flatMap((container) => {
    const image = runnableImageOf(container.image);
    return image ? [{ container, image }] : [];
  });
}

/** Starts the runner; resolves once it watches pods and Services. */
export async function startPodRunner(ctx: PodRunnerContext): Promise<RunningPodRunner> {
  const kube = connect(ctx.kubeconfigPath);
  const root = join(ctx.dir, "pod-runner");
  mkdirSync(root, { recursive: true });
  const privateHosts = mountNamespacesWork();
  if (!privateHosts) ctx.log("pod runner: cannot make mount namespaces here; pods resolve Service names through the machine's own /etc/hosts only");
  const pods = new Map<string, RunningPod>();
  // One change at a time per pod, in order.
  const chains = new Map<string, Promise<void>>();
  let stopped = false;
  let services: RunningInformer<V1Service> | undefined;

  const serialize = (key: string, work: () => Promise<void>) => {
    const next = (chains.get(key) ?? Promise.resolve()).then(work).catch((error: unknown) => ctx.log(`pod runner: ${key}: ${describeError(error)}`));
    chains.set(key, next);
    void next.finally(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };

  const placed = (): PlacedPod[] => [...pods.values()].map((p) => ({ pod: p.pod, address: p.placement.address, ready: p.containers.every((c) => c.ready) }));

  const refreshHosts = (namespace: string) => {
    const text = hostsFileFor(namespace, services?.cache.list() ?? [], placed());
    for (const p of pods.values()) {
      // Written in place (same inode), so the bind mount each process holds sees the change.
      if (p.placement.namespace === namespace && !p.stopping) writeFileSync(p.hostsPath, text);
    }
  };

  const reportStatus = async (p: RunningPod) => {
    if (p.stopping) return;
    const ready = p.containers.every((c) => c.ready);
    const now = new Date().toISOString();
    const states = JSON.stringify(p.containers.map((c) => [c.ready, c.restarts]));
    if (states === p.lastReported) return;
    p.lastReported = states;
    const current = p.pod.status?.conditions ?? [];
    const condition = (type: string): V1PodCondition => {
      const old = current.find((c) => c.type === type);
      const status = ready ? "True" : "False";
      return { type, status, lastTransitionTime: old?.status === status ? old.lastTransitionTime : (now as unknown as Date) };
    };
    const conditions = [...current.filter((c) => c.type !== "Ready" && c.type !== "ContainersReady"), condition("Ready"), condition("ContainersReady")];
    const others = (p.pod.status?.containerStatuses ?? []).filter((s) => !p.containers.some((c) => c.container.name === s.name));
    const containerStatuses = [
      ...others,
      ...p.containers.map((c) => ({
        name: c.container.name,
        image: c.container.image,
        imageID: "",
        ready: c.ready,
        started: c.process !== null,
        restartCount: c.restarts,
        state: c.process ? { running: { startedAt: c.startedAt } } : { waiting: { reason: "CrashLoopBackOff" } },
      })),
    ];
    try {
      await kube.core.patchNamespacedPodStatus({ name: p.pod.metadata!.name!, namespace: p.placement.namespace, body: { status: { conditions, containerStatuses } } }, mergePatch);
    } catch (error) {
      if (!isNotFound(error)) ctx.log(`pod runner: status of ${p.key}: ${describeError(error)}`);
    }
    refreshHosts(p.placement.namespace);
  };

  const launch = (p: RunningPod, c: RunningContainer, mounts: Map<string, import("./invocation").ResolvedMount[]>) => {
    const invocation = containerInvocation(c.container, binaryFor(c.image, ctx.binaries), c.image, p.placement, mounts.get(c.container.name) ?? []);
    if (invocation.unresolved.length) ctx.log(`pod runner: ${p.key}/${c.container.name}: environment not resolvable here: ${invocation.unresolved.join(", ")}`);
    const [binary, ...args] = invocation.argv;
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: p.root, ...invocation.env } as unknown as NodeJS.ProcessEnv;
    const name = `${p.placement.namespace}_${p.placement.podName}_${c.container.name}`;
    const [command, argv] =
      privateHosts && UNSHARE
        ? [UNSHARE, ["--user", "--map-root-user", "--mount", "--", "/bin/sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', p.hostsPath, binary!, ...args]]
        : [binary!, args];
    c.process = startProcess(name, command, argv, { logDir: join(p.root, "logs"), cwd: p.root, env });
    c.startedAt = new Date().toISOString();
    const proc = c.process;
    void proc.exited.then((code) => {
      if (p.stopping || stopped || c.process !== proc) return;
      ctx.log(`pod runner: ${p.key}/${c.container.name} exited (${code}); restarting (log ${proc.logPath})`);
      c.process = null;
      c.ready = false;
      c.restarts++;
      void reportStatus(p);
      // Back-off as a kubelet's: 1 s doubling, at most 10 s here.
      const timer = setTimeout(() => serialize(p.key, async () => {
        if (!p.stopping && !stopped && pods.get(p.key) === p) launch(p, c, mounts);
      }), Math.min(1000 * 2 ** Math.min(c.restarts - 1, 4), 10_000));
      p.timers.push(timer);
    });
  };

  const probeLoop = (p: RunningPod) => {
    const tick = async () => {
      if (p.stopping || stopped) return;
      for (const c of p.containers) {
        const probe = c.container.readinessProbe;
        c.ready = c.process !== null && (probe ? await probeOnce(probe, c.container, p.placement.address) : true);
      }
      await reportStatus(p);
      // Probe quickly until ready, then at the probes' period (at most 2 s here).
      const allReady = p.containers.every((c) => c.ready);
      const period = allReady ? Math.min(...p.containers.map((c) => c.container.readinessProbe?.periodSeconds ?? 2), 2) : 0.5;
      if (!p.stopping && !stopped) p.probeTimer = setTimeout(() => void tick(), period * 1000);
    };
    void tick();
  };

  const start = async (pod: V1Pod) => {
    const key = keyOf(pod);
    const existing = pods.get(key);
    if (existing && existing.uid === pod.metadata!.uid) {
      existing.pod = pod;
      return;
    }
    if (existing) await stopPod(existing);
    const runnable = runnableContainers(pod);
    const podIp = pod.status?.podIP;
    if (!podIp || !pod.spec?.nodeName) return;
    const placement: PodPlacement = {
      address: loopbackAddressOf(podIp),
      podIp,
      podName: pod.metadata!.name!,
      namespace: pod.metadata!.namespace!,
      nodeName: pod.spec.nodeName,
      serviceAccountName: pod.spec.serviceAccountName ?? "default",
    };
    const podRoot = join(root, `${placement.namespace}_${placement.podName}_${pod.metadata!.uid!.slice(0, 8)}`);
    mkdirSync(join(podRoot, "logs"), { recursive: true });
    const p: RunningPod = {
      key,
      uid: pod.metadata!.uid!,
      pod,
      placement,
      root: podRoot,
      hostsPath: join(podRoot, "hosts"),
      containers: runnable.map(({ container, image }) => ({ container, image, process: null, ready: false, restarts: 0, startedAt: "" })),
      stopping: false,
      timers: [],
      lastReported: "",
    };
    pods.set(key, p);
    writeFileSync(p.hostsPath, hostsFileFor(placement.namespace, services?.cache.list() ?? [], placed()));
    // kwok marked the pod Ready when it placed it; until its probes pass, it is not.
    await reportStatus(p);
    const mounts = await materializeVolumes(kube, pod, podRoot);
    if (p.stopping) return;
    refreshHosts(placement.namespace);
    for (const c of p.containers) launch(p, c, mounts);
    const ports = [...new Set(p.containers.flatMap((c) => (c.container.ports ?? []).map((port) => port.containerPort)))];
    if (ports.length) await publishPortForward(kube, placement.namespace, placement.podName, placement.address, ports);
    ctx.log(`pod runner: ${key} runs ${p.containers.map((c) => c.image).join(", ")} on ${placement.address}`);
    probeLoop(p);
  };

  const stopPod = async (p: RunningPod) => {
    if (p.stopping) return;
    p.stopping = true;
    for (const t of p.timers) clearTimeout(t);
    clearTimeout(p.probeTimer);
    if (pods.get(p.key) === p) pods.delete(p.key);
    await Promise.all(p.containers.map((c) => c.process?.stop(3000)));
    await removePortForward(kube, p.placement.namespace, p.placement.podName).catch(() => undefined);
    rmSync(p.root, { recursive: true, force: true });
    refreshHosts(p.placement.namespace);
    ctx.log(`pod runner: ${p.key} stopped`);
  };

  const onPod = (pod: V1Pod) => {
    if (stopped || runnableContainers(pod).length === 0) return;
    const key = keyOf(pod);
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") {
      serialize(key, async () => {
        const p = pods.get(key);
        if (p && p.uid === pod.metadata!.uid) await stopPod(p);
      });
      return;
    }
    serialize(key, () => start(pod));
  };
  const onPodGone = (pod: V1Pod) => {
    const key = keyOf(pod);
    serialize(key, async () => {
      const p = pods.get(key);
      if (p && p.uid === pod.metadata!.uid) await stopPod(p);
    });
  };

  services = await startInformer<V1Service>(kube.config, {
    path: "/api/v1/services",
    list: () => kube.core.listServiceForAllNamespaces(),
    onChange: (s) => refreshHosts(s.metadata!.namespace!),
    onDelete: (s) => refreshHosts(s.metadata!.namespace!),
    log: ctx.log,
  });
  const podInformer = await startInformer<V1Pod>(kube.config, {
    path: "/api/v1/pods",
    list: () => kube.core.listPodForAllNamespaces(),
    onChange: onPod,
    onDelete: onPodGone,
    log: ctx.log,
  });

  return {
    running: () => [...pods.keys()],
    async stop() {
      stopped = true;
      await podInformer.stop();
      await services?.stop();
      await Promise.all([...pods.values()].map((p) => stopPod(p).catch(() => undefined)));
    },
  };
}

export type { Kube };
