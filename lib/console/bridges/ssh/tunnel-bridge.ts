// The tunnel bridge: raw bytes between a laptop's ssh client (through the ProxyCommand helper
// and `/ws/tunnel`) and port 22 of the pod or VM, by the cluster's ssh route (target-port.ts). The panel sees
// only ciphertext: the user's own key authenticates end to end against the pod's sshd.
import type { BridgeOpener, TerminalBridge } from "@/lib/console/bridges/bridge";
import { SSH_PORT } from "@/lib/console/bridges/ssh/ssh-bridge";
import { openTargetPort } from "@/lib/console/bridges/target-port";

/** Connects to the pod's sshd and passes bytes through unchanged. */
export const openTunnelBridge: BridgeOpener = async (ctx) => {
  const { target, events } = ctx;
  const what = target.kind === "vm" ? "VM" : "pod";
  const sock = await openTargetPort(ctx, SSH_PORT);
  let closed = false;
  let needDrain = false;
  let ended = false;
  const finish = (error?: Error) => {
    if (ended || closed) return;
    ended = true;
    events.end(error ? { reason: "error", message: `The connection to the ${what} failed: ${error.message}` } : { reason: "exited", message: `The ${what}'s sshd closed the connection.` });
  };
  sock.on("data", (chunk: Buffer) => events.data(chunk));
  sock.on("drain", () => {
    if (needDrain) {
      needDrain = false;
      events.drain();
    }
  });
  sock.on("error", (error) => finish(error));
  sock.on("close", () => finish());

  const bridge: TerminalBridge = {
    write(data) {
      if (!sock.writable) return true;
      if (!sock.write(data)) needDrain = true;
      return !needDrain;
    },
    resize: () => {},
    pause: () => void sock.pause(),
    resume: () => void sock.resume(),
    close() {
      closed = true;
      sock.destroy();
    },
  };
  return bridge;
};
