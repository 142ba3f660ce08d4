// The local control plane from a shell:
//   up [--detach]   start it; stay in the foreground until Ctrl-C, or detach and return once ready
//   down            stop the one started by `up`
//   build           only build (or reuse) the pinned binaries
import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { ensureBinaries } from "./binaries";
import { ensureHelm } from "./helm";
import { startLocalCluster } from "./index";
import { cacheRoot } from "./pins";

const log = (line: string) => console.log(`[cluster] ${line}`);

/** What `down` needs to find the running `up`, and what a developer needs to use it. */
interface UpState {
  pid: number;
  kubeconfigPath: string;
  server: string;
  dir: string;
  sshd: { port: number; user: string; authorizedKeysPath: string };
}

const statePath = () => path.join(cacheRoot(), "cluster-up.json");
const detachedLogPath = () => path.join(cacheRoot(), "cluster-up.log");

function readState(): UpState | undefined {
  try {
    const state = JSON.parse(readFileSync(statePath(), "utf8")) as UpState;
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

async function up(): Promise<void> {
  const running = readState();
  if (running) throw new Error(`already running (pid ${running.pid}, kubeconfig ${running.kubeconfigPath}); run \`npm run cluster:down\` first`);

  const cluster = await startLocalCluster({ log });
  const state: UpState = { pid: process.pid, kubeconfigPath: cluster.kubeconfigPath, server: cluster.server, dir: cluster.dir, sshd: cluster.sshd };
  mkdirSync(cacheRoot(), { recursive: true });
  writeFileSync(statePath(), `${JSON.stringify(state, null, 2)}\n`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    rmSync(statePath(), { force: true });
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown());

  console.log(`\nkubeconfig: ${cluster.kubeconfigPath}\n  export KUBECONFIG=${cluster.kubeconfigPath}\nserver:     ${cluster.server}`);
  console.log(`sshd:       ${cluster.sshd.user}@127.0.0.1:${cluster.sshd.port} (authorized_keys: ${cluster.sshd.authorizedKeysPath})`);
  console.log("Ctrl-C or `npm run cluster:down` stops it.");
  process.send?.({ ready: state });
  // Stay alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

/** Starts `up` as a background process and returns once it reports ready. */
async function upDetached(): Promise<void> {
  mkdirSync(cacheRoot(), { recursive: true });
  const logFd = openSync(detachedLogPath(), "w");
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "up"], {
    detached: true,
    stdio: ["ignore", logFd, logFd, "ipc"],
  });
  const ready = await new Promise<UpState>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { ready: UpState }).ready));
    child.once("exit", (code) => reject(new Error(`cluster:up exited (${code}); see ${detachedLogPath()}`)));
  });
  child.disconnect();
  child.unref();
  console.log(`running in the background (pid ${ready.pid}, log ${detachedLogPath()})`);
  console.log(`kubeconfig: ${ready.kubeconfigPath}\n  export KUBECONFIG=${ready.kubeconfigPath}`);
}

async function down(): Promise<void> {
  const state = readState();
  if (!state) {
    rmSync(statePath(), { force: true });
    log("nothing running");
    return;
  }
  process.kill(state.pid, "SIGTERM");
  // The other process cleans up and exits; there is nothing to watch but its pid.
  const deadline = Date.now() + 30_000;
  while (isAlive(state.pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${state.pid} did not stop within 30 s`);
    await delay(100);
  }
  log(`stopped (pid ${state.pid})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main([verb, ...flags]: string[]): Promise<void> {
  switch (verb) {
    case "up":
      return flags.includes("--detach") ? upDetached() : up();
    case "down":
      return down();
    case "build": {
      const binaries = await ensureBinaries(log);
      log(`binaries ready in ${path.dirname(binaries.kubeApiserver)}`);
      log(`helm ready: ${await ensureHelm(log)}`);
      return;
    }
    default:
      console.error("usage: cli.ts up [--detach] | down | build");
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`[cluster] ${error.message}`);
  process.exit(1);
});
