// The ssh bridge: an interactive shell over SSH to the pod's (or VM's) sshd, reached by the
// cluster's ssh route (target-port.ts): a Kubernetes port-forward to port 22 — a pod's, or a
// VMI's `portforward` subresource — for which the panel needs no route to the pod network, or
// the target's address directly from inside the cluster. It logs in
// as the pod's login user with the panel's own key (whose public half every SSH pod's
// authorized_keys holds), pins the pod's host key on first use, and asks for an
// `xterm-256color` PTY that follows the browser's size.
//
// Flow control rides on SSH's own channel windows: pausing the channel stops ssh2 from
// granting window space, so the pod's sshd stops sending until we resume. The window grows for
// bulk output while the browser keeps up (ssh-window.ts): ssh2's fixed 2 MiB halves the
// throughput through a port-forward.
import { Client, type ClientChannel } from "ssh2";
import { UnavailableError } from "@/lib/errors";
import type { BridgeOpener, TerminalBridge } from "@/lib/console/bridges/bridge";
import { checkHostKey } from "@/lib/console/bridges/ssh/host-keys";
import { openTargetPort } from "@/lib/console/bridges/target-port";
import { adaptiveReceiveWindow } from "@/lib/console/bridges/ssh/ssh-window";
import { getPanelTerminalKey } from "@/lib/ssh-keys/panel-key";

/** The port sshd listens on in SSH pods. */
export const SSH_PORT = 22;
const HANDSHAKE_TIMEOUT_MS = 20_000;

/** Opens an SSH shell on the target pod. */
export const openSshBridge: BridgeOpener = async (ctx) => {
  const { db, target, size, events } = ctx;
  const what = target.kind === "vm" ? "VM" : "pod";
  const key = await getPanelTerminalKey(db);
  const sock = await openTargetPort(ctx, SSH_PORT);
  const client = new Client();
  let refusal: string | null = null;

  const shell = await new Promise<ClientChannel>((resolve, reject) => {
    const fail = (error: unknown) => {
      client.end();
      sock.destroy();
      const reason = refusal ?? (error instanceof Error ? error.message : String(error));
      reject(refusal ? new UnavailableError(refusal) : new UnavailableError(`Could not open an SSH session on ${target.label}: ${reason}`));
    };
    client.once("error", fail);
    client.once("close", () => fail(new Error("the connection closed during the handshake")));
    client.once("ready", () => {
      client.shell({ term: "xterm-256color", cols: size.cols, rows: size.rows, width: 0, height: 0 }, (error, channel) => {
        if (error) return fail(error);
        client.removeAllListeners("error");
        client.removeAllListeners("close");
        resolve(channel);
      });
    });
    client.connect({
      sock,
      username: target.loginUser,
      privateKey: key.privateKey,
      readyTimeout: HANDSHAKE_TIMEOUT_MS,
      // The async form: ssh2 waits for `verify` before going on with the key exchange.
      hostVerifier: (hostKey: Buffer, verify: (valid: boolean) => void) => {
        checkHostKey(db, target.workloadId, hostKey).then(
          (check) => {
            if (!check.ok) {
              refusal =
                `The SSH host key of ${target.label} has changed (pinned ${check.expected}, now ${check.presented}). ` +
                `This can mean the ${what}'s sshd was replaced; the connection was refused. An administrator of the organization can forget the pinned key on the ${what}'s page once the change is explained.`;
            } else if (check.firstUse) {
              events.notice?.(`Pinned the SSH host key of ${target.label}: ${check.fingerprint}`);
            }
            verify(check.ok);
          },
          () => {
            refusal = `The ${what}'s SSH host key could not be checked.`;
            verify(false);
          },
        );
      },
    });
  });

  const window = adaptiveReceiveWindow(client, shell);
  let ended = false;
  let closed = false;
  let needDrain = false;
  let exitCode: number | undefined;
  const finish = (message?: string) => {
    if (ended || closed) return;
    ended = true;
    window.close();
    client.end();
    if (message) return events.end({ reason: "error", message });
    events.end({ reason: "exited", message: exitCode ? `The shell exited with code ${exitCode}.` : "The shell exited.", exitCode });
  };

  const deliver = (chunk: Buffer) => {
    events.data(chunk);
    window.received(chunk.length);
  };
  shell.on("data", deliver);
  shell.stderr.on("data", deliver);
  shell.on("drain", () => {
    if (needDrain) {
      needDrain = false;
      events.drain();
    }
  });
  shell.on("exit", (code: number | null) => {
    if (typeof code === "number") exitCode = code;
  });
  shell.on("close", () => finish());
  client.on("error", (error) => finish(`The SSH connection to ${target.label} failed: ${error.message}`));
  client.on("close", () => finish(`The SSH connection to the ${what} was lost.`));

  const bridge: TerminalBridge = {
    write(data) {
      if (!shell.writable) return true;
      if (!shell.write(data)) needDrain = true;
      return !needDrain;
    },
    resize: ({ cols, rows }) => void shell.setWindow(rows, cols, 0, 0),
    pause() {
      window.pause();
      shell.pause();
      shell.stderr.pause();
    },
    resume() {
      shell.resume();
      shell.stderr.resume();
      window.resume();
    },
    close() {
      closed = true;
      window.close();
      client.end();
      sock.destroy();
    },
  };
  return bridge;
};
