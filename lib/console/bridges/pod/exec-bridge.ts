// The exec bridge: a shell in the pod's first container through the Kubernetes exec
// subresource with a TTY (`v5.channel.k8s.io`, or v4 on older servers — a terminal never
// half-closes stdin, which is all v5 adds, so both behave the same here).
//
// The shell is picked inside the container in the same exec, with no extra round trip:
// bash when present, else sh. With a TTY the API server wants stderr off: the PTY merges it
// into stdout.
import { ValidationError } from "@/lib/errors";
import { HIGH_WATER_MARK, LOW_WATER_MARK, type BridgeOpener, type TerminalBridge } from "@/lib/console/bridges/bridge";
import { ExecChannel, frame, openKubeStream } from "@/lib/console/bridges/pod/kube-stream";
import type { TerminalSize } from "@/lib/console/protocol";

/** What runs in the container: a POSIX sh that execs bash if it exists, else itself. */
export const SHELL_COMMAND = [
  "/bin/sh",
  "-c",
  "TERM=xterm-256color; export TERM; if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi",
];

/** The exec subresource path for a TTY shell in `container`. */
export function execPath(namespace: string, pod: string, container: string, command: readonly string[]): string {
  const query = new URLSearchParams({ container, stdin: "true", stdout: "true", stderr: "false", tty: "true" });
  for (const part of command) query.append("command", part);
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${query}`;
}

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/**
 * The exit code in an exec's final status (0 on Success). Kubelets report a non-zero exit as
 * `reason: NonZeroExitCode` with an `ExitCode` cause; kwok (and older runtimes) instead send an
 * InternalError whose message ends in "exit status N", which is read as the same thing.
 */
export function exitCodeOf(status: ExecStatus): number | undefined {
  if (status.status === "Success") return 0;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = cause?.message ? Number.parseInt(cause.message, 10) : NaN;
  if (Number.isFinite(code)) return code;
  const fromMessage = /\bexit status (\d+)\s*$/.exec(status.message ?? "");
  return fromMessage ? Number.parseInt(fromMessage[1]!, 10) : undefined;
}

/** Opens a TTY shell in the target pod. */
export const openExecBridge: BridgeOpener = async ({ cluster, kc, locator, size, events }) => {
  const container = locator.reach.resource === "pod" ? locator.reach.container : undefined;
  if (!container) throw new ValidationError("The pod has no container to open a shell in.");
  const ws = await openKubeStream(cluster, kc, execPath(locator.namespace, locator.name, container, SHELL_COMMAND), "open a shell in the pod");

  let ended = false;
  let closed = false;
  let needDrain = false;
  let lastStatus: ExecStatus | null = null;

  const finish = (end: Parameters<typeof events.end>[0]) => {
    if (ended || closed) return;
    ended = true;
    events.end(end);
  };

  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0]!;
    const body = data.subarray(1);
    if (channel === ExecChannel.stdout || channel === ExecChannel.stderr) {
      if (body.length > 0) events.data(body);
    } else if (channel === ExecChannel.status) {
      try {
        lastStatus = JSON.parse(body.toString("utf8")) as ExecStatus;
      } catch {
        lastStatus = { status: "Failure", message: body.toString("utf8") };
      }
    }
  });
  ws.on("close", () => {
    const status = lastStatus;
    if (!status) return finish({ reason: "error", message: "The connection to the pod was lost." });
    const exitCode = exitCodeOf(status);
    if (status.status === "Success" || exitCode !== undefined) {
      return finish({ reason: "exited", message: exitCode ? `The shell exited with code ${exitCode}.` : "The shell exited.", exitCode });
    }
    finish({ reason: "error", message: `The shell could not run: ${status.message ?? "unknown error"}` });
  });
  ws.on("error", () => {
    // "close" follows and reports the end.
  });

  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame(channel, data), () => {
      if (needDrain && ws.bufferedAmount < LOW_WATER_MARK) {
        needDrain = false;
        events.drain();
      }
    });
  };
  const resize = ({ cols, rows }: TerminalSize) => send(ExecChannel.resize, JSON.stringify({ Width: cols, Height: rows }));
  resize(size);

  const bridge: TerminalBridge = {
    write(data) {
      send(ExecChannel.stdin, data);
      if (ws.bufferedAmount >= HIGH_WATER_MARK) needDrain = true;
      return !needDrain;
    },
    resize,
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close() {
      closed = true;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.terminate();
    },
  };
  return bridge;
};
