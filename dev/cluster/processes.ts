// Starting and stopping the control plane's child processes, each in its own process group.
import { spawn } from "node:child_process";
import { existsSync, openSync, closeSync, readFileSync } from "node:fs";
import path from "node:path";

/** A running child: its log file, its exit, and a way to stop it and everything it spawned. */
export interface ManagedProcess {
  name: string;
  pid: number;
  logPath: string;
  /** Resolves with the exit code (or the signal name) when the process ends, for whatever reason. */
  exited: Promise<number | string>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the leader is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  logDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

// util-linux `setpriv` (Debian essential) lets each child die with us even on SIGKILL,
// which no exit hook can catch.
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((candidate) => existsSync(candidate));

/**
 * Starts `command` detached into its own process group (so stopping it also stops what it
 * forks, e.g. commands kwok runs for exec), with stdout and stderr going to `<logDir>/<name>.log`.
 */
export function startProcess(name: string, command: string, args: string[], options: StartOptions): ManagedProcess {
  const logPath = path.join(options.logDir, `${name}.log`);
  const logFd = openSync(logPath, "a");
  const [file, argv] = SETPRIV ? [SETPRIV, ["--pdeathsig", "KILL", "--", command, ...args]] : [command, args];
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on("error", (error) => {
      done = true;
      resolve(`spawn error: ${error.message}`);
    });
    child.on("exit", (code, signal) => {
      done = true;
      resolve(code ?? signal ?? "unknown");
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  // The parent must be free to exit; our exit hooks kill the group if it does.
  child.unref();

  async function stop(graceMs = 5000): Promise<void> {
    if (!done) {
      signalGroup(pid, "SIGTERM");
      if (!(await settlesWithin(exited, graceMs))) {
        signalGroup(pid, "SIGKILL");
        await settlesWithin(exited, 2000);
      }
    }
    // Leftovers of the group (children that outlived the leader) go too.
    signalGroup(pid, "SIGKILL");
  }

  return { name, pid, logPath, exited, stop };
}

/**
 * Whether `promise` settles within `ms`. The timer stays referenced on purpose: children are
 * unref'd, so during a stop it is what keeps the event loop alive until they are gone.
 */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Signals every process in the group led by `pid`; a group that is already gone is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** The last lines of a process's log, for error messages that say why it failed. */
export function logTail(processOrPath: ManagedProcess | string, lines = 20): string {
  const file = typeof processOrPath === "string" ? processOrPath : processOrPath.logPath;
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
