// The built-in local cluster's pure parts: the start's steps as the browser sees them (and that
// they name every step the control plane reports, in its order), the environment's rule, the
// system packages' message, and the runner's sequence with stand-in steps (the real start is
// proven end to end by e2e/first-run.spec.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { goMinorVersion } from "@/dev/cluster/go";
import { CLUSTER_PROGRESS_STEPS } from "@/dev/cluster/progress";
import { ForbiddenError } from "@/lib/errors";
import { localClusterAvailability } from "@/lib/local-cluster/policy";
import {
  applyStepEvent,
  failedStatus,
  idleStatus,
  LOCAL_CLUSTER_STEPS,
  progressFraction,
  readyStatus,
  startingStatus,
  type LocalClusterStatus,
} from "@/lib/local-cluster/progress";
import { LocalClusterRunner, type RunnerDeps } from "@/lib/local-cluster/runner";
import { classifyMissing, installInstructions } from "@/lib/local-cluster/system-packages";

const stateOf = (status: LocalClusterStatus, id: string) => status.steps.find((s) => s.id === id)?.state;

describe("the start's steps", () => {
  it("list every step the control plane reports, in its order, between the panel's own", () => {
    const ids = LOCAL_CLUSTER_STEPS.map((s) => s.id);
    expect(ids.filter((id) => (CLUSTER_PROGRESS_STEPS as readonly string[]).includes(id))).toEqual([...CLUSTER_PROGRESS_STEPS]);
    expect(ids[0]).toBe("toolchain");
    expect(ids.at(-1)).toBe("register");
  });

  it("follow started → done, cached, and a failure names the running step with the output's last lines", () => {
    let status = startingStatus(1000);
    status = applyStepEvent(status, { step: "compile-kube-apiserver", state: "cached", at: 1001 });
    status = applyStepEvent(status, { step: "etcd", state: "started", at: 1002 });
    expect(stateOf(status, "compile-kube-apiserver")).toBe("cached");
    expect(stateOf(status, "etcd")).toBe("running");
    status = applyStepEvent(status, { step: "etcd", state: "done", at: 1500 });
    status = applyStepEvent(status, { step: "apiserver", state: "started", at: 1600 });
    const output = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const failed = failedStatus(status, ["kube-apiserver exited unexpectedly (1); last log lines:", ...output].join("\n"), 2000);
    expect(failed.phase).toBe("failed");
    expect(failed.failure).toEqual({ step: "apiserver", message: "kube-apiserver exited unexpectedly (1); last log lines:", output: output.slice(-20) });
    expect(stateOf(failed, "apiserver")).toBe("failed");
    expect(stateOf(failed, "etcd")).toBe("done");
  });

  it("move the bar by finished weight, never to the end before ready, and cached steps weigh nothing", () => {
    const start = startingStatus(0);
    expect(progressFraction(start, 0)).toBe(0);
    let status = applyStepEvent(start, { step: "download-kubernetes", state: "started", at: 0 });
    const early = progressFraction(status, 10_000);
    const later = progressFraction(status, 60_000);
    expect(later).toBeGreaterThan(early);
    // A step that overruns its estimate stops short of its whole weight.
    expect(progressFraction(status, 10_000_000)).toBeLessThan(1);
    status = readyStatus(status, { clusterId: "c", server: "https://127.0.0.1:1" }, 1);
    expect(progressFraction(status, 1)).toBe(1);

    let cached = startingStatus(0);
    for (const id of CLUSTER_PROGRESS_STEPS.filter((s) => s.startsWith("download-") || s.startsWith("compile-"))) {
      cached = applyStepEvent(cached, { step: id, state: "cached", at: 0 });
    }
    cached = applyStepEvent(cached, { step: "toolchain", state: "done", at: 0 });
    // With the build cached the bar follows the start alone: the toolchain check is already a visible share.
    expect(progressFraction(cached, 0)).toBeGreaterThan(0.1);
  });
});

describe("where the built-in cluster may run", () => {
  it("is offered outside production, refused in production with PostgreSQL unless switched on, and can be switched off", () => {
    expect(localClusterAvailability({ nodeEnv: "development", databaseUrl: undefined, localCluster: "default" })).toEqual({ allowed: true, startWithPanel: false });
    // `npm start` is production with PGlite: a trial on one machine.
    expect(localClusterAvailability({ nodeEnv: "production", databaseUrl: undefined, localCluster: "default" })).toEqual({ allowed: true, startWithPanel: false });
    const production = localClusterAvailability({ nodeEnv: "production", databaseUrl: "postgres://db/minicloud", localCluster: "default" });
    expect(production.allowed).toBe(false);
    expect(!production.allowed && production.reason).toMatch(/MINICLOUD_LOCAL_CLUSTER=on/);
    expect(localClusterAvailability({ nodeEnv: "production", databaseUrl: "postgres://db/minicloud", localCluster: "on" })).toEqual({ allowed: true, startWithPanel: true });
    expect(localClusterAvailability({ nodeEnv: "development", databaseUrl: undefined, localCluster: "off" }).allowed).toBe(false);
  });
});

describe("system packages", () => {
  it("read Go's version, to tell one that fetches its own toolchain (1.21+) from Debian 12's 1.19", () => {
    expect(goMinorVersion("go1.19.8")).toEqual([1, 19]);
    expect(goMinorVersion("go1.26.8\n")).toEqual([1, 26]);
    expect(goMinorVersion("devel +abc")).toBeNull();
  });

  it("split what blocks the start from what only VMs need, and say what to run", () => {
    const missing = classifyMissing("golang-go qemu-system-x86 openssh-server\n");
    expect(missing).toEqual({ required: ["golang-go", "openssh-server"], forVms: ["qemu-system-x86"] });
    expect(installInstructions(missing)).toContain("sudo apt-get install -y --no-install-recommends golang-go openssh-server qemu-system-x86");
    expect(classifyMissing("")).toEqual({ required: [], forVms: [] });
  });
});

describe("the runner", () => {
  function fakeDeps(overrides: Partial<RunnerDeps> = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), "minicloud-runner-test-"));
    const kubeconfigPath = path.join(dir, "admin.kubeconfig");
    writeFileSync(kubeconfigPath, "apiVersion: v1\nkind: Config\n");
    const calls = { started: 0, stopped: 0, registered: [] as string[] };
    let clock = 0;
    const deps: Partial<RunnerDeps> = {
      availability: () => ({ allowed: true, startWithPanel: false }),
      ensureSystemPackages: async () => {},
      startControlPlane: async ({ progress, log }) => {
        calls.started++;
        for (const step of CLUSTER_PROGRESS_STEPS.filter((s) => s.startsWith("download-") || s.startsWith("compile-"))) progress({ step, state: "cached" });
        for (const step of ["etcd", "apiserver", "controllers", "nodes", "standins"] as const) {
          progress({ step, state: "started" });
          log(`${step} up`);
          progress({ step, state: "done" });
        }
        return { kubeconfigPath, server: "https://127.0.0.1:6443", stop: async () => void calls.stopped++ };
      },
      register: async (_actor, text) => {
        calls.registered.push(text);
        return { clusterId: "cluster-1" };
      },
      now: () => ++clock,
      log: () => {},
      ...overrides,
    };
    return { deps, calls };
  }
  const actor = { actorId: null, actorLabel: "test" };

  it("builds (or finds the build), starts, registers, reports every change, and stops the control plane", async () => {
    const { deps, calls } = fakeDeps();
    const runner = new LocalClusterRunner(deps);
    const seen: string[] = [];
    runner.subscribe((s) => seen.push(s.phase));
    runner.start(actor);
    runner.start(actor); // a second click while starting changes nothing
    await runner.settled();
    const status = runner.status();
    expect(status.phase).toBe("ready");
    expect(status.clusterId).toBe("cluster-1");
    expect(status.steps.every((s) => s.state === "done" || s.state === "cached")).toBe(true);
    expect(calls).toMatchObject({ started: 1, registered: ["apiVersion: v1\nkind: Config\n"] });
    expect(seen[0]).toBe("starting");
    expect(seen.at(-1)).toBe("ready");
    await runner.stop();
    expect(calls.stopped).toBe(1);
    expect(runner.status().phase).toBe("stopped");
  });

  it("on a failure shows the step and the log's tail, stops what started, and a retry starts again", async () => {
    let failRegistration = true;
    const { deps, calls } = fakeDeps({
      register: async () => {
        if (failRegistration) throw new Error("The built-in cluster did not answer its check: timed out");
        return { clusterId: "cluster-2" };
      },
    });
    const runner = new LocalClusterRunner(deps);
    runner.start(actor);
    await runner.settled();
    const failed = runner.status();
    expect(failed.phase).toBe("failed");
    expect(failed.failure?.step).toBe("register");
    expect(failed.failure?.message).toBe("The built-in cluster did not answer its check: timed out");
    expect(failed.failure?.output).toContain("standins up");
    expect(calls.stopped).toBe(1);

    failRegistration = false;
    runner.start(actor);
    await runner.settled();
    expect(runner.status()).toMatchObject({ phase: "ready", clusterId: "cluster-2", failure: null });
    expect(calls.started).toBe(2);
    await runner.stop();
  });

  it("fails at the packages step with what to run when they are missing, before starting anything", async () => {
    const { deps, calls } = fakeDeps({
      ensureSystemPackages: async () => {
        throw new Error(installInstructions({ required: ["golang-go"], forVms: [] }));
      },
    });
    const runner = new LocalClusterRunner(deps);
    runner.start(actor);
    await runner.settled();
    expect(runner.status().failure).toMatchObject({ step: "toolchain", message: expect.stringContaining("sudo apt-get install") });
    expect(calls.started).toBe(0);
  });

  it("is refused with the environment's reason where it is not allowed", () => {
    const { deps } = fakeDeps({ availability: () => ({ allowed: false, reason: "Not here." }) });
    const runner = new LocalClusterRunner(deps);
    expect(() => runner.start(actor)).toThrow(new ForbiddenError("Not here."));
    expect(runner.status()).toEqual(idleStatus());
  });
});
