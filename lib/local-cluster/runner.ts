// The built-in local cluster, run by the panel process: the local control plane of dev/cluster/
// (the same code the tests use — a real etcd, kube-apiserver, controller manager and
// scheduler, kwok simulating the nodes' kubelets, a real sshd behind pods' port 22 and real
// QEMU guests behind VMs) started as the panel's child processes, registered as the cluster
// "local" with its built-in badge, and stopped with the panel. Only server.ts imports this
// module: it loads dev/cluster/ under tsx, which the Next.js bundle never does.
import { readFileSync } from "node:fs";
import { builtInClusterId, registerBuiltInCluster, restoreBuiltInAssignments } from "@/lib/clusters/built-in";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { ForbiddenError } from "@/lib/errors";
import { ensureClusterWatched } from "@/lib/live/hub";
import { moduleLogger } from "@/lib/observe/log";
import { installLocalClusterControl, type LocalClusterActor, type LocalClusterControl } from "@/lib/local-cluster/control";
import { localClusterAvailability, type LocalClusterAvailability } from "@/lib/local-cluster/policy";
import {
  applyStepEvent,
  failedStatus,
  idleStatus,
  readyStatus,
  startingStatus,
  type LocalClusterStatus,
  type LocalClusterStepId,
} from "@/lib/local-cluster/progress";
import { ensureSystemPackages } from "@/lib/local-cluster/system-packages";

/** The control plane as the runner needs it (dev/cluster's LocalCluster, narrowed). */
export interface RunningControlPlane {
  kubeconfigPath: string;
  server: string;
  stop(): Promise<void>;
}

type Log = (line: string) => void;
type Progress = (event: { step: LocalClusterStepId; state: "started" | "done" | "cached" }) => void;

/** What the runner does at each step; the defaults are the real ones, tests pass their own. */
export interface RunnerDeps {
  availability: () => LocalClusterAvailability;
  ensureSystemPackages: (log: Log) => Promise<void>;
  startControlPlane: (options: { log: Log; progress: Progress }) => Promise<RunningControlPlane>;
  register: (actor: LocalClusterActor, kubeconfigText: string, log: Log, name?: string) => Promise<{ clusterId: string }>;
  now: () => number;
  log: Log;
}

const localClusterLog = () => moduleLogger("local-cluster");

/** How many lines of the start's log a failure can show. */
const LOG_LINES_KEPT = 40;

const defaultDeps = (): RunnerDeps => ({
  availability: () => localClusterAvailability(getEnv()),
  ensureSystemPackages,
  startControlPlane: async (options) => {
    const { startLocalCluster } = await import("@/dev/cluster/index");
    return startLocalCluster(options);
  },
  register: async (actor, kubeconfigText, log, name) => {
    const db = await getDb();
    const result = await registerBuiltInCluster(db, actor, kubeconfigText, name);
    if (result.restarted) {
      // A fresh control plane: the teams' namespaces come back; what ran in them does not.
      for (const problem of await restoreBuiltInAssignments(db, result.clusterId, actor)) log(`team namespace not restored: ${problem}`);
    }
    void ensureClusterWatched(result.clusterId); // live pod status from the first pod on
    return result;
  },
  now: Date.now,
  log: (line) => localClusterLog().info(line),
});

/** One per panel process: starts, reports and stops the built-in cluster. */
export class LocalClusterRunner implements LocalClusterControl {
  private current: LocalClusterStatus = idleStatus();
  private readonly listeners = new Set<(status: LocalClusterStatus) => void>();
  private running: RunningControlPlane | null = null;
  private attempt: Promise<void> | null = null;
  private stopping = false;
  private readonly recentLog: string[] = [];
  private readonly deps: RunnerDeps;

  constructor(deps: Partial<RunnerDeps> = {}) {
    this.deps = { ...defaultDeps(), ...deps };
  }

  status(): LocalClusterStatus {
    return this.current;
  }

  subscribe(listener: (status: LocalClusterStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(actor: LocalClusterActor, options: { name?: string } = {}): void {
    const availability = this.deps.availability();
    if (!availability.allowed) throw new ForbiddenError(availability.reason);
    if (this.stopping || this.current.phase === "starting" || this.current.phase === "ready") return;
    this.attempt = this.run(actor, options.name).finally(() => (this.attempt = null));
  }

  /** Waits for a start in progress to end (tests, shutdown). */
  async settled(): Promise<void> {
    await this.attempt;
  }

  /** Stops the control plane (with the panel); a start in progress stops once it gets there. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.attempt?.catch(() => {});
    const running = this.running;
    this.running = null;
    if (running) await running.stop();
    if (this.current.phase !== "idle") this.update({ ...this.current, phase: "stopped" });
  }

  private update(status: LocalClusterStatus): void {
    this.current = status;
    for (const listener of this.listeners) listener(status);
  }

  private step(step: LocalClusterStepId, state: "started" | "done" | "cached"): void {
    this.update(applyStepEvent(this.current, { step, state, at: this.deps.now() }));
  }

  private log = (line: string): void => {
    this.recentLog.push(line);
    if (this.recentLog.length > LOG_LINES_KEPT) this.recentLog.shift();
    this.deps.log(line);
  };

  private async run(actor: LocalClusterActor, name: string | undefined): Promise<void> {
    this.recentLog.length = 0;
    this.update(startingStatus(this.deps.now()));
    try {
      this.step("toolchain", "started");
      await this.deps.ensureSystemPackages(this.log);
      this.step("toolchain", "done");
      const controlPlane = await this.deps.startControlPlane({ log: this.log, progress: (e) => this.step(e.step, e.state) });
      this.running = controlPlane;
      if (this.stopping) return;
      this.step("register", "started");
      const { clusterId } = await this.deps.register(actor, readFileSync(controlPlane.kubeconfigPath, "utf8"), this.log, name);
      this.step("register", "done");
      this.update(readyStatus(this.current, { clusterId, server: controlPlane.server }, this.deps.now()));
      this.log(`ready: ${controlPlane.server}, registered as cluster ${clusterId}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // An error that carries no output of its own (a timeout, a refusal) shows the log's tail.
      const detailed = message.includes("\n") ? message : [message, ...this.recentLog].join("\n");
      this.update(failedStatus(this.current, detailed, this.deps.now()));
      this.log(`start failed: ${message.split("\n")[0]}`);
      const running = this.running;
      this.running = null;
      await running?.stop().catch(() => {});
    }
  }
}

/**
 * Installs the panel process's runner, and starts the cluster when MINICLOUD_LOCAL_CLUSTER=on
 * or when it was started on an earlier run (it is made afresh each time: the registration stays,
 * the cluster's contents do not). Returns the runner, for shutdown.
 */
export async function installLocalClusterRunner(): Promise<LocalClusterRunner> {
  const runner = new LocalClusterRunner();
  installLocalClusterControl(runner);
  const availability = localClusterAvailability(getEnv());
  const registered = (await builtInClusterId(await getDb())) !== null;
  if (availability.allowed && (availability.startWithPanel || registered)) {
    runner.start({ actorId: null, actorLabel: "minicloud (panel start)" });
  } else if (!availability.allowed && registered) {
    localClusterLog().warn(`the built-in local cluster is registered but not started: ${availability.reason}`);
  }
  return runner;
}
