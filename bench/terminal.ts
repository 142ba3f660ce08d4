// `npm run bench:terminal`: browser terminals through the panel against the local control
// plane (dev/cluster), all on loopback, in one run against one SSH pod.
//
// Three processes, so that every figure belongs to one side: this one (the orchestrator, and
// the client of the baselines), the panel (bench/terminal-panel.ts: the gateway as server.ts
// sets it up) and the browser side (bench/terminal-browser.ts: `ws` clients of `/ws/terminal`,
// as pages use it). The database is PostgreSQL in its own process, as in production.
//
// 1. Throughput: 100 MiB of output (`head -c 104857600 /dev/zero` typed into the shell, then an
//    end marker) on six paths, each a TTY shell of 80×24 running the same command:
//    - panel exec: browser side → gateway (exec mode) → apiserver → the pod's shell;
//    - kube-stream exec: the panel's own exec stream (kube-stream.ts, what the exec bridge uses)
//      straight to the apiserver from this process — the panel minus the gateway;
//    - client-node exec: `@kubernetes/client-node`'s `Exec` from this process;
//    - panel ssh: browser side → gateway (ssh mode: ssh2 over a port-forward to port 22);
//    - ssh port-forward: ssh2 from this process over the panel's own port-forward stream
//      (port-forward.ts) — the panel's ssh mode minus the gateway;
//    - ssh direct: ssh2 from this process straight to the harness's sshd (what port 22 reaches).
//    The ssh paths use the panel's key, PTY request and receive window (ssh-window.ts). One
//    warm-up round and 5 measured rounds per path, interleaved; the median is reported, with where the CPU went (the
//    machine, the panel process or this process, the browser side).
//    Goals: panel exec ≥ 0.9× client-node exec and panel ssh ≥ 0.9× ssh direct.
//    Then the port-forward path alone: 100 MiB of raw bytes from a local source of zeros through
//    a port-forward to every pod's spare port (apiserver → kwok → 127.0.0.1, no ssh, no panel),
//    interleaved with the same source over plain TCP, each with the machine's CPU time. The
//    difference is what carrying a byte through the apiserver and kwok costs the machine; added
//    to what ssh direct costs it per byte, it bounds any ssh over a port-forward on these cores
//    (however little the panel adds): the ceiling printed next to the ssh goal.
// 2. Keystroke echo: the PTY in raw mode running `cat`, 1,000 single bytes each awaiting its
//    echo (after 50 warm-up keystrokes), on the same paths, one keystroke per path in turn so
//    that all of them meet the same moments of the machine. Added by the panel = panel exec −
//    kube-stream exec at p50 and at p99 (and panel ssh − ssh port-forward). Goal: added p99 ≤ 2 ms.
// 3. Idle sessions: 1,000 concurrent exec sessions opened through a fresh panel process
//    (tickets from the ticket service; clients on the browser side), each awaited until `ready`.
//    Memory per session: the panel process's RSS growth over the sessions, after gc, divided by
//    their number (with the V8 heap's and the buffers' share) — everything the panel holds for a
//    session: the browser's socket, the session, the exec stream to the apiserver with its TLS
//    state, the pod watch. CPU: the panel's `process.cpuUsage()` over one keepalive interval
//    (25 s) with every session idle; memory is read before it and after it (the steady state,
//    held against the goal). Goal: ≤ 128 KiB per session.
//    Exec mode, the default terminal (ssh mode would also put 1,000 logins through the one harness
//    sshd, whose MaxStartups throttles concurrent handshakes). Each exec session is a real shell
//    process on this machine (kwok runs execs locally); the sessions are opened 16 at a time within
//    a time limit, and the count reached is what is printed.
// Every phase has a time limit; the processes, sessions, database and control plane are stopped
// on every exit. Last line: `RESULT key=value …`.
import { fork, type ChildProcess } from "node:child_process";
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { userInfo } from "node:os";
import path from "node:path";
import { PassThrough, Writable, type Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import type { BrowserRequest } from "./terminal-browser";
import type { PanelRequest, PanelStats } from "./terminal-panel";
import { median, percentile, prepareBenchEnvironment } from "./support";
import { startEcho, STREAM_BYTES, streamRound, waitForShell, type ByteTerminal, type EchoProbe } from "./terminal-probe";

const ORIGIN = "http://localhost:3000";
const ownDataDir = prepareBenchEnvironment();
process.env.MINICLOUD_PUBLIC_URL = ORIGIN;
// The harness's sshd runs as the current user and stands in for every pod's sshd (as in the e2e suite).
process.env.MINICLOUD_SSH_POD_LOGIN ??= userInfo().username;

const ROUNDS = 5; // the median of five: single rounds vary by ±30 % on a machine whose cores every stream saturates
const ECHO_COUNT = 1000;
const ECHO_WARMUP = 50;
const IDLE_TARGET = 1000;
const IDLE_WARMUP = 20;
const IDLE_OPEN_CONCURRENCY = 16;
const IDLE_WINDOW_MS = 25_000; // the panel's keepalive interval: every session pings once
const GOAL_RATIO = 0.9;
const GOAL_ADDED_P99_MS = 2;
const GOAL_KIB_PER_SESSION = 128;

// Time limits.
const CLUSTER_START_MS = 10 * 60_000; // includes building the binaries on a machine that has none cached
const RUN_BUDGET_MS = 9 * 60_000; // everything after the control plane is up
const SETUP_MS = 120_000;
const OPEN_MS = 30_000;
const ROUND_MS = 90_000;
const ECHO_MS = 120_000;
const IDLE_OPEN_MS = 200_000;
const IDLE_CLOSE_MS = 90_000;

const MiB = 1024 * 1024;
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
const log = (line: string) => console.log(`[bench:terminal] ${line}`);
const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;
const round3 = (v: number) => Math.round(v * 1000) / 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** CPU time of the whole machine from /proc/stat, in clock ticks: busy (all but idle and iowait), and the core count. */
function machineTicks(): { busy: number; cores: number } {
  const lines = readFileSync("/proc/stat", "utf8").split("\n");
  const fields = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, cores: lines.filter((line) => /^cpu\d/.test(line)).length };
}

/** User + system CPU seconds of process `pid` (0 once it is gone). */
function processSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** A child process of this benchmark (panel or browser side), driven over IPC. */
class Worker<Request extends { op: string }> {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on("error", (error) => log(`${name} process: ${error.message}`));
    child.on("exit", (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the ${name} process exited (${code})`));
      this.pending.clear();
    });
  }

  /** Starts `script` (next to this file) and resolves with the worker and what it reported once up. */
  static async start<R extends { op: string }, Started>(name: string, script: string, execArgv: string[]): Promise<{ worker: Worker<R>; started: Started }> {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), script);
    const child = fork(file, [], { execArgv: [...execArgv, "--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const worker = new Worker<R>(name, child);
    const started = new Promise<Started>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the ${name} process exited while starting (${code})`)));
      child.on("message", (message: { seq: number; ok: boolean; result?: unknown; error?: string }) => {
        if (message.seq === 0) return resolve(message.result as Started);
        const waiter = worker.pending.get(message.seq);
        worker.pending.delete(message.seq);
        if (message.ok) waiter?.resolve(message.result);
        else waiter?.reject(new Error(message.error));
      });
    });
    try {
      return { worker, started: await withTimeout(started, 60_000, `starting the ${name} process`) };
    } catch (error) {
      worker.kill();
      throw error;
    }
  }

  get pid() {
    return this.child.pid;
  }

  call<T>(request: Request, timeoutMs: number): Promise<T> {
    if (!this.child.connected) return Promise.reject(new Error(`the ${this.name} process is gone`));
    const seq = ++this.seq;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ seq, ...request });
    });
    return withTimeout(answer, timeoutMs, `${this.name} ${request.op}`);
  }

  /** Waits for the process to exit by itself (after a `stop`), killing it after `timeoutMs`. */
  async exited(timeoutMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exit = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    await Promise.race([exit, sleep(timeoutMs)]);
    this.kill();
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** One way to a shell on the pod, as the phases use it. */
interface TerminalPath {
  name: string;
  /** Whether the stream goes through the panel (its CPU is then the panel process's). */
  viaPanel: boolean;
  round(round: number): Promise<{ ms: number; bytes: number }>;
  startEcho(): Promise<void>;
  /** One keystroke; resolves with its echo round trip in ms. */
  keystroke(): Promise<number>;
  stopEcho(): Promise<void>;
  close(): Promise<void>;
}

function localPath(name: string, term: ByteTerminal, close: () => void): TerminalPath {
  let echo: EchoProbe | null = null;
  return {
    name,
    viaPanel: false,
    round: (round) => streamRound(term, round, ROUND_MS),
    startEcho: async () => void (echo = await startEcho(term)),
    keystroke: () => echo!.keystroke(),
    stopEcho: async () => echo!.stop(),
    close: async () => close(),
  };
}

async function main() {
  const runStarted = Date.now();
  const { Exec } = await import("@kubernetes/client-node");
  const { Client } = await import("ssh2");
  const { encode } = await import("next-auth/jwt");
  const { startLocalCluster } = await import("../dev/cluster/index");
  // The integration suite's throwaway PostgreSQL server (a plain module, no test framework in it).
  const { startPostgresServer } = await import("../test/integration/support/postgres-server");
  const { closeDb, getDb } = await import("@/lib/db");
  const { getEnv } = await import("@/lib/env");
  const { createFirstAdmin } = await import("@/lib/users/service");
  const { createOrg } = await import("@/lib/orgs/service");
  const { createTeam } = await import("@/lib/teams/service");
  const { loadPrincipal } = await import("@/lib/tenancy/principal");
  const { registerCluster } = await import("@/lib/clusters/service");
  const { assignCluster } = await import("@/lib/clusters/assignments");
  const { DEFAULT_SSH_IMAGE } = await import("@/lib/clusters/settings");
  const { createSshPod } = await import("@/lib/pods/service");
  const { getClusterConnection } = await import("@/lib/kube/clients");
  const { issueTerminalTicket } = await import("@/lib/console/gateway/tickets");
  const { loadTerminalTarget } = await import("@/lib/console/targets");
  const { findTargetPod } = await import("@/lib/console/bridges/pod/pod-target");
  const { execPath, SHELL_COMMAND } = await import("@/lib/console/bridges/pod/exec-bridge");
  const { ExecChannel, frame, openKubeStream } = await import("@/lib/console/bridges/pod/kube-stream");
  const { openPortForward } = await import("@/lib/console/bridges/pod/port-forward");
  const { SSH_PORT } = await import("@/lib/console/bridges/ssh/ssh-bridge");
  const { adaptiveReceiveWindow } = await import("@/lib/console/bridges/ssh/ssh-window");
  const { getPanelTerminalKey } = await import("@/lib/ssh-keys/panel-key");

  const cleanups: (() => unknown)[] = [() => ownDataDir && rmSync(ownDataDir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await withTimeout(Promise.resolve(step()), 60_000, "cleanup");
      } catch (error) {
        console.error(`[bench:terminal] cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);

  try {
    log("starting the local control plane and PostgreSQL");
    const [cluster, postgres] = await Promise.all([
      withTimeout(startLocalCluster({ log: () => {} }), CLUSTER_START_MS, "starting the local control plane").then((started) => {
        cleanups.push(() => started.stop());
        return started;
      }),
      withTimeout(startPostgresServer(), 60_000, "starting PostgreSQL").then((started) => {
        cleanups.push(() => started.stop());
        return started;
      }),
    ]);
    // From here on the whole run has a budget; past it, everything is torn down and the run fails.
    const budget = setTimeout(() => {
      console.error(`[bench:terminal] failed: the run exceeded its ${RUN_BUDGET_MS / 60_000} minute budget`);
      void cleanup().finally(() => process.exit(1));
    }, RUN_BUDGET_MS);
    budget.unref();
    if (getEnv().sshPodLogin !== cluster.sshd.user) throw new Error(`MINICLOUD_SSH_POD_LOGIN must be the harness sshd's user (${cluster.sshd.user})`);

    // This process and the panel processes share the database, as replicas do.
    process.env.DATABASE_URL = postgres.url;
    const db = await getDb();
    cleanups.push(() => closeDb());

    const setup = async () => {
      const admin = await createFirstAdmin(db, { name: "Bench Admin", email: "bench@example.test", password: "a long bench password" });
      const actor = { userId: admin.id, label: admin.email };
      const org = await createOrg(db, actor, { name: "bench" });
      const team = await createTeam(db, actor, { orgId: org.id, name: "terminals" });
      const { cluster: registered } = await registerCluster(db, actor, { name: "bench", source: { kind: "kubeconfig", kubeconfig: readFileSync(cluster.kubeconfigPath, "utf8") } });
      await assignCluster(db, actor, { clusterId: registered.id, teamId: team.id, quota: { cpuMillicores: null, memoryMib: null, maxPods: null, maxVms: null, storageGib: null } });
      const created = await createSshPod(db, actor, { teamId: team.id, clusterId: registered.id, name: "bench-shell", image: DEFAULT_SSH_IMAGE, cpuMillicores: 100, memoryMib: 128, homeGib: null, ttlMinutes: null });
      const target = await loadTerminalTarget(db, created.id);
      const connection = await getClusterConnection(db, registered.id);
      for (;;) {
        try {
          return { admin, target, connection, pod: await findTargetPod(connection, connection.forTeam(team.id), target) };
        } catch {
          await sleep(200); // not running yet
        }
      }
    };
    const { admin, target, connection, pod } = await withTimeout(setup(), SETUP_MS, "creating the team and its SSH pod");
    const principal = (await loadPrincipal(db, admin.id))!;
    const kc = connection.forTeam(target.teamId);
    const namespace = pod.metadata!.namespace!;
    const podName = pod.metadata!.name!;
    const container = pod.spec!.containers[0]!.name;
    const panelKey = await getPanelTerminalKey(db);
    // The harness's sshd stands in for the pod's sshd: it must accept the panel's key.
    appendFileSync(cluster.sshd.authorizedKeysPath, `${panelKey.publicKey}\n`);
    log(`SSH pod ${target.label} running (${Math.round((Date.now() - runStarted) / 1000)} s)`);

    const headers = {
      origin: ORIGIN,
      cookie: `next-auth.session-token=${await encode({ token: { uid: admin.id, signedInAt: Date.now() }, secret: getEnv().secret })}`,
    };
    const { worker: browser } = await Worker.start<BrowserRequest, string>("browser-side", "terminal-browser.ts", []);
    cleanups.push(() => browser.kill());

    /** A panel process; stopped (its sessions ended, rows written) at the end of its phase or on failure. */
    const startPanel = async () => {
      const { worker, started } = await Worker.start<PanelRequest, { port: number }>("panel", "terminal-panel.ts", ["--expose-gc"]);
      const stop = async () => {
        await worker.call({ op: "stop" }, 20_000).catch(() => {});
        await worker.exited(5000);
      };
      cleanups.push(stop);
      const ticketUrl = async (mode: "exec" | "ssh") => {
        // Issued through the ticket service, as the page's server action does.
        const { ticket } = await issueTerminalTicket(db, principal, { workloadId: target.workloadId, mode });
        return `ws://127.0.0.1:${started.port}/ws/terminal?ticket=${ticket}&cols=80&rows=24`;
      };
      return { worker, ticketUrl, stop };
    };

    // ---- the six paths -------------------------------------------------------------------
    const panel = await startPanel();
    const panelPath = async (mode: "exec" | "ssh"): Promise<TerminalPath> => {
      const key = `panel-${mode}`;
      await browser.call({ op: "open", key, url: await panel.ticketUrl(mode), headers, timeoutMs: OPEN_MS }, OPEN_MS + 5000);
      await browser.call({ op: "shell", key }, 25_000);
      return {
        name: `panel ${mode}`,
        viaPanel: true,
        round: (round) => browser.call({ op: "stream", key, round, timeoutMs: ROUND_MS }, ROUND_MS + 5000),
        startEcho: () => browser.call({ op: "echo-start", key }, 25_000),
        keystroke: () => browser.call({ op: "keystroke", key }, 10_000),
        stopEcho: () => browser.call({ op: "echo-stop", key }, 5000),
        close: () => browser.call({ op: "close", key }, 10_000),
      };
    };

    const kubeStreamPath = async (): Promise<TerminalPath> => {
      const ws = await openKubeStream(connection, kc, execPath(namespace, podName, container, SHELL_COMMAND), "open a shell in the pod");
      const listeners = new Set<(chunk: Buffer) => void>();
      ws.on("error", (error) => log(`kube-stream exec: ${error.message}`));
      ws.on("message", (data: Buffer) => {
        if (data[0] !== ExecChannel.stdout) return;
        const body = data.subarray(1);
        for (const listener of listeners) listener(body);
      });
      ws.send(frame(ExecChannel.resize, JSON.stringify({ Width: 80, Height: 24 })));
      const term: ByteTerminal = {
        write: (data) => ws.send(frame(ExecChannel.stdin, data)),
        onData(listener) {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
      };
      await waitForShell(term);
      return localPath("kube-stream exec", term, () => ws.terminate());
    };

    const clientNodePath = async (): Promise<TerminalPath> => {
      const listeners = new Set<(chunk: Buffer) => void>();
      // A TTY of 80×24: client-node sends the size of a stdout that has `columns` and `rows`.
      const stdout = Object.assign(
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            for (const listener of listeners) listener(chunk);
            callback();
          },
        }),
        { columns: 80, rows: 24 },
      );
      const stdin = new PassThrough();
      const ws = await new Exec(kc).exec(namespace, podName, container, SHELL_COMMAND, stdout, null, stdin, true);
      ws.on("error", (error) => log(`client-node exec: ${error.message}`));
      const term: ByteTerminal = {
        write: (data) => void stdin.write(data),
        onData(listener) {
          listeners.add(listener);
          return () => void listeners.delete(listener);
        },
      };
      await waitForShell(term);
      return localPath("client-node exec", term, () => ws.terminate());
    };

    /** ssh2 with the panel's key and PTY request, over `sock`: TCP straight to the sshd, or the panel's own port-forward. */
    const sshPath = async (name: string, sock: Duplex): Promise<TerminalPath> => {
      const client = new Client();
      await new Promise<void>((resolve, reject) => {
        client.once("ready", () => resolve());
        client.once("error", reject);
        client.connect({ sock, username: cluster.sshd.user, privateKey: panelKey.privateKey, readyTimeout: 20_000 });
      });
      client.on("error", (error) => log(`${name}: ${error.message}`));
      // The same PTY request as the panel's ssh bridge.
      const channel = await new Promise<import("ssh2").ClientChannel>((resolve, reject) =>
        client.shell({ term: "xterm-256color", cols: 80, rows: 24, width: 0, height: 0 }, (error, shell) => (error ? reject(error) : resolve(shell))),
      );
      // The same receive window as the panel's ssh bridge.
      const window = adaptiveReceiveWindow(client, channel);
      channel.on("data", (chunk: Buffer) => window.received(chunk.length));
      const term: ByteTerminal = {
        write: (data) => void channel.write(data),
        onData(listener) {
          channel.on("data", listener);
          return () => void channel.off("data", listener);
        },
      };
      await waitForShell(term);
      return localPath(name, term, () => (window.close(), client.end()));
    };
    // TCP_NODELAY, as OpenSSH sets it for interactive sessions (the panel's paths are websockets, which set it too).
    const sshDirectPath = () => sshPath("ssh direct", connect({ host: "127.0.0.1", port: cluster.sshd.port, noDelay: true }));
    const sshPortForwardPath = async () => sshPath("ssh port-forward", await openPortForward(connection, kc, namespace, podName, SSH_PORT));

    log("opening one shell on each path");
    const paths: TerminalPath[] = [];
    const closePaths = () => Promise.all(paths.splice(0).map((p) => p.close().catch(() => {})));
    cleanups.push(closePaths);
    for (const open of [() => panelPath("exec"), kubeStreamPath, clientNodePath, () => panelPath("ssh"), sshPortForwardPath, sshDirectPath]) {
      paths.push(await withTimeout(open(), OPEN_MS + 30_000, "opening a shell"));
    }

    // ---- 1. throughput ---------------------------------------------------------------------
    log(`throughput: ${STREAM_BYTES / MiB} MiB per round, 1 warm-up + ${ROUNDS} rounds per path, interleaved`);
    const mibs = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    // Where the CPU went in the measured rounds: the whole machine; the panel process (panel paths)
    // or this process (the baselines' own clients); the browser side.
    const usage = new Map(paths.map((p) => [p.name, { seconds: 0, busyTicks: 0, clientSeconds: 0, browserSeconds: 0, pauses: 0 }]));
    const panelCpu = async () => cpuSeconds(await panel.worker.call<NodeJS.CpuUsage>({ op: "cpu" }, 5000));
    const panelStats = (worker: Worker<PanelRequest>) => worker.call<PanelStats>({ op: "stats" }, 5000);
    for (let round = 0; round <= ROUNDS; round++) {
      for (const p of paths) {
        const machine = machineTicks();
        const client = p.viaPanel ? await panelCpu() : cpuSeconds(process.cpuUsage());
        const browserBefore = processSeconds(browser.pid);
        const pausesBefore = (await panelStats(panel.worker)).pauses;
        const { ms } = await withTimeout(p.round(round), ROUND_MS + 10_000, `${p.name} round ${round}`);
        if (round === 0) continue;
        mibs.get(p.name)!.push(STREAM_BYTES / MiB / (ms / 1000));
        const used = usage.get(p.name)!;
        used.seconds += ms / 1000;
        used.busyTicks += machineTicks().busy - machine.busy;
        used.clientSeconds += (p.viaPanel ? await panelCpu() : cpuSeconds(process.cpuUsage())) - client;
        used.browserSeconds += processSeconds(browser.pid) - browserBefore;
        used.pauses += (await panelStats(panel.worker)).pauses - pausesBefore;
      }
    }
    const rate = (name: string) => median(mibs.get(name)!);
    const cores = machineTicks().cores;
    for (const p of paths) {
      const used = usage.get(p.name)!;
      const perStream = (value: number) => round2(value / ROUNDS);
      log(
        `  ${p.name.padEnd(17)} ${round1(rate(p.name)).toFixed(1).padStart(5)} MiB/s (rounds: ${mibs.get(p.name)!.map(round1).join(", ")}); ` +
          `${round2(used.busyTicks / CLOCK_TICKS_PER_SECOND / used.seconds)} of ${cores} cores busy; CPU s per 100 MiB: ` +
          (p.viaPanel ? `panel ${perStream(used.clientSeconds)}, browser side ${perStream(used.browserSeconds)}; output paused ${used.pauses}×` : `client ${perStream(used.clientSeconds)}`),
      );
    }
    const panelExec = rate("panel exec");
    const ratioClientNode = panelExec / rate("client-node exec");
    const ratioKubeStream = panelExec / rate("kube-stream exec");
    const ratioSsh = rate("panel ssh") / rate("ssh direct");
    const ratioSshPortForward = rate("panel ssh") / rate("ssh port-forward");
    const ratioExecVsSsh = panelExec / rate("ssh direct");
    log(`  panel exec / client-node exec ${round2(ratioClientNode)} (goal ≥ ${GOAL_RATIO}), / kube-stream exec ${round2(ratioKubeStream)}, / ssh direct ${round2(ratioExecVsSsh)}`);
    log(`  panel ssh / ssh direct ${round2(ratioSsh)} (goal ≥ ${GOAL_RATIO}), / ssh port-forward ${round2(ratioSshPortForward)}`);

    // ---- 1b. the port-forward path alone -----------------------------------------------------
    // Raw bytes, no ssh and no panel: a local source of zeros reached through a port-forward to
    // the pod's spare port (apiserver → kwok → 127.0.0.1), against the same source over plain TCP.
    // What the port-forward alone carries is the most any ssh over a port-forward can reach here.
    log(`port-forward alone: ${STREAM_BYTES / MiB} MiB of raw bytes per round, 1 warm-up + ${ROUNDS} rounds, interleaved with plain TCP`);
    const zeros = Buffer.alloc(64 * 1024);
    const source = createServer((socket) => {
      let sent = 0;
      const pump = () => {
        while (sent < STREAM_BYTES) {
          const chunk = zeros.subarray(0, Math.min(zeros.length, STREAM_BYTES - sent));
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        socket.end();
      };
      socket.on("error", () => socket.destroy());
      pump();
    });
    source.listen(cluster.spareForward.localPort, "127.0.0.1");
    await once(source, "listening");
    cleanups.push(() => new Promise<void>((resolve) => source.close(() => resolve())));
    const rawRound = (sock: Duplex) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        let received = 0;
        sock.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received < STREAM_BYTES) return;
          resolve(performance.now() - started);
          sock.destroy();
        });
        sock.on("error", reject);
        sock.on("close", () => reject(new Error(`closed after ${received} bytes`)));
      });
    const rawMibs = { "port-forward": [] as number[], "plain TCP": [] as number[] };
    const rawBusyTicks = { "port-forward": 0, "plain TCP": 0 };
    const timedRaw = async (name: keyof typeof rawMibs, sock: Duplex, round: number) => {
      const before = machineTicks().busy;
      const ms = await withTimeout(rawRound(sock), ROUND_MS, `${name} round ${round}`);
      if (round === 0) return;
      rawBusyTicks[name] += machineTicks().busy - before;
      rawMibs[name].push(STREAM_BYTES / MiB / (ms / 1000));
    };
    for (let round = 0; round <= ROUNDS; round++) {
      await timedRaw("port-forward", await openPortForward(connection, kc, namespace, podName, cluster.spareForward.podPort), round);
      await timedRaw("plain TCP", connect({ host: "127.0.0.1", port: cluster.spareForward.localPort, noDelay: true }), round);
    }
    const measuredMiB = (ROUNDS * STREAM_BYTES) / MiB;
    const coreMsPerMiB = (ticks: number) => (ticks / CLOCK_TICKS_PER_SECOND / measuredMiB) * 1000;
    for (const [name, values] of Object.entries(rawMibs) as [keyof typeof rawMibs, number[]][]) {
      log(`  ${name.padEnd(17)} ${round1(median(values)).toFixed(1).padStart(5)} MiB/s (rounds: ${values.map(round1).join(", ")}); machine CPU ${round2(coreMsPerMiB(rawBusyTicks[name]))} core-ms per MiB`);
    }
    const rawForward = median(rawMibs["port-forward"]);
    const rawTcp = median(rawMibs["plain TCP"]);
    // What carrying a byte through the apiserver and kwok costs the machine (the source and sink are
    // the same on both paths), added to what ssh direct costs it per byte (sshd, the PTY, ssh2): with
    // every core busy, no ssh over a port-forward can go faster than this, however little the panel adds.
    const hopCoreMs = Math.max(0, coreMsPerMiB(rawBusyTicks["port-forward"] - rawBusyTicks["plain TCP"]));
    const sshDirectCoreMs = coreMsPerMiB(usage.get("ssh direct")!.busyTicks);
    const sshCeiling = (cores * 1000) / (sshDirectCoreMs + hopCoreMs);
    const ceilingRatio = sshCeiling / rate("ssh direct");
    log(
      `  ssh over a port-forward, were the panel free: at most ${round1(sshCeiling)} MiB/s = ${round2(ceilingRatio)}× ssh direct ` +
        `(${cores} cores; ssh direct costs the machine ${round2(sshDirectCoreMs)} core-ms per MiB, the port-forward ${round2(hopCoreMs)} more) — ` +
        (ceilingRatio < GOAL_RATIO
          ? `below the goal's ${GOAL_RATIO}: the machine's CPU alone rules the goal out`
          : `the machine's CPU alone does not rule the goal's ${GOAL_RATIO} out (bulk bytes; a PTY's small writes cost the hops more per byte)`),
    );

    // ---- 2. keystroke echo -----------------------------------------------------------------
    // Interleaved, one keystroke per path in turn, so that every path meets the same moments of the
    // machine (a stall of the apiserver, a GC) and the tails compare fairly.
    log(`keystroke echo: ${ECHO_COUNT} keystrokes per path (after ${ECHO_WARMUP} warm-up), interleaved`);
    for (const p of paths) await withTimeout(p.startEcho(), 30_000, `${p.name}: starting cat`);
    const rtts = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const echoDeadline = Date.now() + ECHO_MS;
    for (let i = 0; i < ECHO_WARMUP + ECHO_COUNT; i++) {
      if (Date.now() > echoDeadline) throw new Error(`keystroke echo: not done within ${ECHO_MS / 1000} s`);
      for (const p of paths) {
        const rtt = await p.keystroke();
        if (i >= ECHO_WARMUP) rtts.get(p.name)!.push(rtt);
      }
    }
    for (const p of paths) await p.stopEcho();
    const pct = (name: string, p: number) => percentile(rtts.get(name)!, p);
    for (const p of paths) log(`  ${p.name.padEnd(17)} p50 ${round3(pct(p.name, 50)).toFixed(3)} ms, p99 ${round3(pct(p.name, 99)).toFixed(3)} ms`);
    const addedP50 = pct("panel exec", 50) - pct("kube-stream exec", 50);
    const addedP99 = pct("panel exec", 99) - pct("kube-stream exec", 99);
    const addedSshP50 = pct("panel ssh", 50) - pct("ssh port-forward", 50);
    const addedSshP99 = pct("panel ssh", 99) - pct("ssh port-forward", 99);
    log(`  added by the panel (panel exec − kube-stream exec): p50 ${round3(addedP50)} ms, p99 ${round3(addedP99)} ms (goal p99 ≤ ${GOAL_ADDED_P99_MS} ms)`);
    log(`  added by the panel (panel ssh − ssh port-forward): p50 ${round3(addedSshP50)} ms, p99 ${round3(addedSshP99)} ms`);
    await closePaths();
    await panel.stop();

    // ---- 3. idle sessions ------------------------------------------------------------------
    // A fresh panel process, so that its memory before the sessions carries nothing of the streams.
    const idlePanel = await startPanel();
    const waitForEnded = async (count: number, ms: number) => {
      const deadline = Date.now() + ms;
      let ended = 0;
      while ((ended = (await panelStats(idlePanel.worker)).ended) < count && Date.now() < deadline) await sleep(200);
      return ended;
    };
    let idleKey = 0;
    /** Opens up to `count` idle exec sessions, `IDLE_OPEN_CONCURRENCY` at a time, until `deadline`. */
    const openIdle = async (count: number, deadline: number) => {
      let next = 0;
      let opened = 0;
      const failures: string[] = [];
      await Promise.all(
        Array.from({ length: IDLE_OPEN_CONCURRENCY }, async () => {
          while (next < count && Date.now() < deadline && failures.length < 20) {
            next++;
            const key = `idle-${idleKey++}`;
            try {
              await browser.call({ op: "open", key, url: await idlePanel.ticketUrl("exec"), headers, timeoutMs: OPEN_MS }, OPEN_MS + 5000);
              opened++;
            } catch (error) {
              failures.push(error instanceof Error ? error.message : String(error));
            }
          }
        }),
      );
      return { opened, failures };
    };
    const panelMemory = () => idlePanel.worker.call<NodeJS.MemoryUsage>({ op: "memory" }, 20_000);
    const idleCpu = async (ms: number) => {
      const before = await idlePanel.worker.call<NodeJS.CpuUsage>({ op: "cpu" }, 5000);
      await sleep(ms);
      const after = await idlePanel.worker.call<NodeJS.CpuUsage>({ op: "cpu" }, 5000);
      return ((cpuSeconds(after) - cpuSeconds(before)) / (ms / 1000)) * 100;
    };

    log(`idle sessions: warming the panel up with ${IDLE_WARMUP}`);
    const warm = await openIdle(IDLE_WARMUP, Date.now() + 60_000);
    if (warm.opened < IDLE_WARMUP) throw new Error(`only ${warm.opened}/${IDLE_WARMUP} warm-up sessions opened: ${warm.failures.slice(0, 3).join("; ")}`);
    await browser.call({ op: "close-all", timeoutMs: 20_000 }, 30_000);
    if ((await waitForEnded(warm.opened, 30_000)) < warm.opened) throw new Error("the warm-up sessions did not end");
    const memBefore = await panelMemory();
    const cpuNoSessions = await idleCpu(5000);

    log(`idle sessions: opening ${IDLE_TARGET} exec sessions through the panel, ${IDLE_OPEN_CONCURRENCY} at a time (limit ${IDLE_OPEN_MS / 1000} s)`);
    const openStarted = performance.now();
    const idle = await openIdle(IDLE_TARGET, Date.now() + IDLE_OPEN_MS);
    const openSeconds = (performance.now() - openStarted) / 1000;
    const n = idle.opened;
    log(`  ${n}/${IDLE_TARGET} sessions ready in ${round1(openSeconds)} s${idle.failures.length ? ` (${idle.failures.length} failed, first: ${idle.failures[0]})` : ""}`);
    if (n === 0) throw new Error("no idle session opened");
    await sleep(5000); // past the keep-alive of the connections that opening used
    const memReady = await panelMemory();
    const cpuPct = await idleCpu(IDLE_WINDOW_MS);
    const { live } = await panelStats(idlePanel.worker);
    log(
      `  panel CPU while idle: ${round2(cpuPct)} % of one core over ${IDLE_WINDOW_MS / 1000} s (${round1((cpuPct / 100 / n) * 1e6)} µs per session per second; ` +
        `${round2(cpuNoSessions)} % with no sessions); ${live} sessions still live`,
    );
    // Memory again in the steady state, once every session's keepalive and pod-watch round came round:
    // that figure is the one held against the goal.
    const memAfter = await panelMemory();
    const perSession = (key: "rss" | "heapUsed" | "external", at = memAfter) => (at[key] - memBefore[key]) / n / 1024;
    const kibPerSession = perSession("rss");
    log(
      `  panel memory per session: ${round1(kibPerSession)} KiB RSS (V8 heap ${round1(perSession("heapUsed"))} KiB, buffers ${round1(perSession("external"))} KiB); ` +
        `${round1(perSession("rss", memReady))} KiB RSS when all were ready; panel RSS ${round1(memBefore.rss / MiB)} → ${round1(memReady.rss / MiB)} → ` +
        `${round1(memAfter.rss / MiB)} MiB (goal ≤ ${GOAL_KIB_PER_SESSION} KiB per session)`,
    );

    log("closing the idle sessions");
    const endedBefore = warm.opened;
    await browser.call({ op: "close-all", timeoutMs: 30_000 }, 45_000);
    const ended = (await waitForEnded(endedBefore + n, IDLE_CLOSE_MS)) - endedBefore;
    log(`  ${ended}/${n} sessions ended${ended < n ? " (the rest are ended when the panel stops)" : ""}`);
    await idlePanel.stop();

    console.log(
      `RESULT stream_mib=${STREAM_BYTES / MiB} rounds=${ROUNDS} panel_exec_mibs=${round1(panelExec)} kube_stream_exec_mibs=${round1(rate("kube-stream exec"))} ` +
        `client_node_exec_mibs=${round1(rate("client-node exec"))} panel_ssh_mibs=${round1(rate("panel ssh"))} ssh_port_forward_mibs=${round1(rate("ssh port-forward"))} ` +
        `ssh_direct_mibs=${round1(rate("ssh direct"))} ratio_exec_vs_client_node=${round2(ratioClientNode)} ratio_exec_vs_kube_stream=${round2(ratioKubeStream)} ` +
        `ratio_ssh_vs_ssh_direct=${round2(ratioSsh)} ratio_ssh_vs_port_forward=${round2(ratioSshPortForward)} ratio_exec_vs_ssh_direct=${round2(ratioExecVsSsh)} port_forward_raw_mibs=${round1(rawForward)} tcp_raw_mibs=${round1(rawTcp)} port_forward_core_ms_per_mib=${round2(hopCoreMs)} ssh_direct_core_ms_per_mib=${round2(sshDirectCoreMs)} ssh_port_forward_ceiling_mibs=${round1(sshCeiling)} ratio_ssh_ceiling_vs_ssh_direct=${round2(ceilingRatio)} goal_ratio=${GOAL_RATIO} ` +
        `echo_panel_p50_ms=${round3(pct("panel exec", 50))} echo_panel_p99_ms=${round3(pct("panel exec", 99))} ` +
        `echo_exec_p50_ms=${round3(pct("kube-stream exec", 50))} echo_exec_p99_ms=${round3(pct("kube-stream exec", 99))} ` +
        `echo_added_p50_ms=${round3(addedP50)} echo_added_p99_ms=${round3(addedP99)} goal_added_p99_ms=${GOAL_ADDED_P99_MS} ` +
        `echo_ssh_added_p50_ms=${round3(addedSshP50)} echo_ssh_added_p99_ms=${round3(addedSshP99)} echo_ssh_direct_p99_ms=${round3(pct("ssh direct", 99))} ` +
        `idle_sessions=${n} idle_sessions_target=${IDLE_TARGET} idle_open_s=${round1(openSeconds)} ` +
        `kib_per_session=${round1(kibPerSession)} kib_per_session_when_ready=${round1(perSession("rss", memReady))} heap_kib_per_session=${round1(perSession("heapUsed"))} ` +
        `buffer_kib_per_session=${round1(perSession("external"))} goal_kib_per_session=${GOAL_KIB_PER_SESSION} ` +
        `idle_cpu_pct=${round2(cpuPct)} idle_cpu_us_per_session_s=${round1((cpuPct / 100 / n) * 1e6)} idle_cpu_pct_no_sessions=${round2(cpuNoSessions)} ` +
        `exec_throughput_goal_met=${ratioClientNode >= GOAL_RATIO} ssh_throughput_goal_met=${ratioSsh >= GOAL_RATIO} ` +
        `echo_goal_met=${addedP99 <= GOAL_ADDED_P99_MS} memory_goal_met=${kibPerSession <= GOAL_KIB_PER_SESSION} idle_count_met=${n >= IDLE_TARGET}`,
    );
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error("[bench:terminal] failed:", error);
    process.exit(1);
  },
);
