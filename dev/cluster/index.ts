// The local control plane: real etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler, kwok as the kubelets of three fake worker nodes, a real sshd behind
// pods' port 22, and the KubeVirt/CDI stand-ins — all on loopback, in one temp directory.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ensureBinaries, type Binaries } from "./binaries";
import { apiserverArgs, controllerManagerArgs, etcdArgs, kubeconfigPathFor, schedulerArgs } from "./components";
import { onAbandon } from "./exit-guard";
import { kwokArgs, writeKwokConfig } from "./kwok";
import { writeKubeconfig } from "./kubeconfig";
import { registerWorkerNodes } from "./nodes";
import { createPki } from "./pki";
import type { ClusterProgress } from "./progress";
import { freePorts } from "./ports";
import { logTail, signalGroup, startProcess, type ManagedProcess } from "./processes";
import { waitForHttpsOk, waitForTcp } from "./readiness";
import { reapAbandonedRuns, RunDir } from "./run-dir";
import { prepareSshd, sshdArgs, SSHD_BINARY } from "./sshd";
import { installPortForwardCrd } from "./pod-runner/port-forwards";
import { startPodRunner, type RunningPodRunner } from "./pod-runner/runner";
import { connect } from "./standins/kube";
import { startStandins } from "./standins/index";
import type { RunningStandins } from "./standins/types";

/** A running local control plane. */
export interface LocalCluster {
  /** The run's temp directory (certificates, data, logs under `logs/`); removed by stop(). */
  dir: string;
  /** Admin (system:masters) kubeconfig, certificates embedded. */
  kubeconfigPath: string;
  /** The API server's URL, https://127.0.0.1:<port>. */
  server: string;
  /** The OpenSSH server that pods' port 22 forwards to; tests write public keys into authorizedKeysPath. */
  sshd: { port: number; user: string; authorizedKeysPath: string };
  /**
   * Every pod's port `podPort` forwards to 127.0.0.1:`localPort`, where nothing listens until a
   * benchmark does: it measures the port-forward path alone, with no protocol on top.
   */
  spareForward: { podPort: number; localPort: number };
  /** Real faults of the API server process, for tests of what the panel does when it fails. */
  apiserver: ApiserverFaults;
  /**
   * QEMU guests holding a slot now, including those still shutting down after their VMI was
   * deleted (a benchmark waits for none before its next round, so every round meets a quiet machine).
   */
  guestsRunning(): number;
  /** Stops everything this run started and removes `dir`. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The API server process, for fault tests: SIGKILL and start again (same port, same etcd), SIGSTOP and SIGCONT. */
export interface ApiserverFaults {
  /** Kills it at once (SIGKILL); resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again with the same flags; resolves once /readyz answers. */
  restart(): Promise<void>;
  /** Freezes it (SIGSTOP): connections are accepted by the kernel and never answered. */
  freeze(): void;
  /** Lets a frozen one run again (SIGCONT). */
  thaw(): void;
}

export interface StartOptions {
  log?: (line: string) => void;
  /** Structured progress (building, then each component), for a caller that shows steps. */
  progress?: ClusterProgress;
}

/** The pod port of `LocalCluster.spareForward` (the old "discard" port). */
const SPARE_POD_PORT = 9;

/** How often a start is retried when another program took one of its free ports first. */
const START_ATTEMPTS = 3;

/** Starts a fresh control plane (building the binaries first if the cache has none). */
export async function startLocalCluster(options: StartOptions = {}): Promise<LocalCluster> {
  const log = options.log ?? (() => {});
  const progress = options.progress ?? (() => {});
  reapAbandonedRuns(log);
  const binaries = await ensureBinaries(log, progress);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binaries, log, progress);
    } catch (error) {
      // Ports are picked free, then bound by the child moments later; a concurrent run can win that race.
      const lostPortRace = /address already in use/i.test((error as Error).message);
      if (!lostPortRace || attempt >= START_ATTEMPTS) throw error;
      log(`a port was taken before a component could bind it; starting again (attempt ${attempt + 1})`);
    }
  }
}

async function startOnce(binaries: Binaries, log: (line: string) => void, progress: ClusterProgress): Promise<LocalCluster> {
  const startedAt = performance.now();
  const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
  const run = new RunDir();
  const dir = run.path;
  const logDir = path.join(dir, "logs");
  mkdirSync(logDir);
  // If our process dies before stop(), nothing may outlive it.
  const unguard = onAbandon(() => run.destroyNow());

  // Any component exiting before the cluster is ready fails the start at once, with its log.
  let ready = false;
  let reportDeath: (error: Error) => void = () => {};
  const componentDied = new Promise<never>((_, reject) => (reportDeath = reject));
  componentDied.catch(() => {});
  const unlessComponentDies = <T>(step: Promise<T>): Promise<T> => Promise.race([step, componentDied]);

  const processes: ManagedProcess[] = [];
  let standins: Promise<RunningStandins> | undefined;
  let podRunner: Promise<RunningPodRunner> | undefined;
  let stopping: Promise<void> | undefined;

  const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): ManagedProcess => {
    const child = startProcess(name, command, args, { logDir, cwd: dir, env });
    run.recordGroup(child.pid);
    processes.push(child);
    void child.exited.then((code) => {
      if (stopping) return;
      const message = `${name} exited unexpectedly (${code}); last log lines:\n${logTail(child)}`;
      if (ready) log(message);
      else reportDeath(new Error(message));
    });
    return child;
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Stand-ins still starting (a component died meanwhile) are stopped once they are up.
      const stopStandins = standins
        ?.then((running) => running.stop(), () => undefined) // a failed start has nothing to stop
        .catch((error: Error) => log(`stand-ins failed to stop cleanly: ${error.message}`));
      if (ready) await stopStandins;
      await podRunner?.then((runner) => runner.stop(), () => undefined).catch((error: Error) => log(`pod runner failed to stop cleanly: ${error.message}`));
      // Clients first, then the apiserver, then its storage; the data is disposable, so no long grace.
      const byName = (...names: string[]) => processes.filter((p) => names.includes(p.name));
      await Promise.all(byName("kwok", "kube-scheduler", "kube-controller-manager", "sshd").map((p) => p.stop(1000)));
      await Promise.all(byName("kube-apiserver").map((p) => p.stop(2000)));
      await Promise.all(processes.map((p) => p.stop(1000)));
      run.remove();
      unguard();
      log("local control plane stopped");
    })();
    return stopping;
  };

  try {
    const [etcdClientPort, etcdPeerPort, apiserverPort, controllerManagerPort, schedulerPort, kwokPort, sshdPort, spareLocalPort] = await freePorts(8);
    const spareForward = { podPort: SPARE_POD_PORT, localPort: spareLocalPort };
    const server = `https://127.0.0.1:${apiserverPort}`;
    progress({ step: "etcd", state: "started" });
    // etcd needs no certificates (plain HTTP on loopback), so it starts while they are made.
    const etcd = start("etcd", binaries.etcd, etcdArgs(path.join(dir, "etcd"), { client: etcdClientPort, peer: etcdPeerPort }));
    const [pki, sshdFiles] = await unlessComponentDies(Promise.all([createPki(path.join(dir, "pki")), prepareSshd(path.join(dir, "sshd"), sshdPort)]));
    const sshd = start("sshd", SSHD_BINARY, sshdArgs(sshdFiles));
    await unlessComponentDies(waitForTcp(etcd, etcdClientPort));
    log(`certificates made and etcd up after ${elapsed()}`);
    progress({ step: "etcd", state: "done" });
    progress({ step: "apiserver", state: "started" });

    const apiserverFlags = apiserverArgs(pki, { secure: apiserverPort, etcd: etcdClientPort });
    let apiserver = start("kube-apiserver", binaries.kubeApiserver, apiserverFlags);
    const kubeconfigPath = kubeconfigPathFor(dir, "admin");
    const caFile = pki.ca.cert;
    writeKubeconfig(kubeconfigPath, { server, caFile, user: "minicloud-admin", client: pki.admin });
    writeKubeconfig(kubeconfigPathFor(dir, "controller-manager"), { server, caFile, user: "system:kube-controller-manager", client: pki.controllerManager });
    writeKubeconfig(kubeconfigPathFor(dir, "scheduler"), { server, caFile, user: "system:kube-scheduler", client: pki.scheduler });
    writeKubeconfig(kubeconfigPathFor(dir, "kwok"), { server, caFile, user: "kwok-controller", client: pki.kwok });
    const kwokFiles = writeKwokConfig(path.join(dir, "kwok"), binaries.kwokKustomizeDir, { sshdPort, spare: spareForward });
    await unlessComponentDies(waitForHttpsOk(apiserver, `${server}/readyz`, { ca: caFile, client: pki.admin }));
    log(`kube-apiserver ready at ${server} after ${elapsed()}`);
    progress({ step: "apiserver", state: "done" });
    progress({ step: "controllers", state: "started" });
    // kwok serves per-pod port-forwards from PortForward objects (the pod runner's), once their CRD is in.
    await unlessComponentDies(installPortForwardCrd(connect(kubeconfigPath), binaries.kwokKustomizeDir));

    start("kube-controller-manager", binaries.kubeControllerManager, controllerManagerArgs(pki, kubeconfigPathFor(dir, "controller-manager"), controllerManagerPort));
    start("kube-scheduler", binaries.kubeScheduler, schedulerArgs(kubeconfigPathFor(dir, "scheduler"), schedulerPort));
    start("kwok", binaries.kwok, kwokArgs({ kubeconfig: kubeconfigPathFor(dir, "kwok"), files: kwokFiles, port: kwokPort, serving: pki.kwokServing }), {
      ...process.env,
      HOME: kwokFiles.homeDir,
    });

    progress({ step: "controllers", state: "done" });
    progress({ step: "nodes", state: "started" });
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    await unlessComponentDies(Promise.all([registerWorkerNodes(kc), waitForTcp(sshd, sshdPort)]));
    log(`worker nodes Ready after ${elapsed()}`);
    progress({ step: "nodes", state: "done" });
    progress({ step: "standins", state: "started" });

    standins = startStandins({ kubeconfigPath, dir, log: (line) => log(`[stand-ins] ${line}`) });
    podRunner = startPodRunner({ kubeconfigPath, dir, binaries, log: (line) => log(`[pod runner] ${line}`) });
    await unlessComponentDies(Promise.all([standins, podRunner]));
    ready = true;
    progress({ step: "standins", state: "done" });
    log(`local control plane ready after ${elapsed()} (logs in ${logDir})`);
    const runningStandins = await standins;

    return {
      dir,
      kubeconfigPath,
      server,
      sshd: { port: sshdPort, user: sshdFiles.user, authorizedKeysPath: sshdFiles.authorizedKeysPath },
      spareForward,
      apiserver: {
        async kill() {
          signalGroup(apiserver.pid, "SIGKILL");
          await apiserver.exited;
        },
        async restart() {
          apiserver = start("kube-apiserver", binaries.kubeApiserver, apiserverFlags);
          await waitForHttpsOk(apiserver, `${server}/readyz`, { ca: caFile, client: pki.admin });
        },
        freeze: () => signalGroup(apiserver.pid, "SIGSTOP"),
        thaw: () => signalGroup(apiserver.pid, "SIGCONT"),
      },
      guestsRunning: () => runningStandins.guestsRunning(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
