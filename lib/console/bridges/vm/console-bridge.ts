// The serial and VNC console bridges: a VMI's `console` or `vnc` stream as a terminal bridge.
// Bytes pass through unchanged both ways (serial: what the guest's UART sends and receives; VNC:
// the RFB protocol, spoken by noVNC in the browser). Backpressure as for exec: output pauses the
// upstream socket at the TCP level; input waits for its send buffer to drain.
//
// When the cluster closes the stream, the bridge reads the VMI once: gone or not Running → the
// VM stopped (`vm-gone`); still running → `target-closed`, which the session turns into "taken
// over by …" when another panel session now holds the console (KubeVirt gives each console to
// one client and closes the previous one).
import type WebSocket from "ws";
import { HIGH_WATER_MARK, LOW_WATER_MARK, type BridgeContext, type BridgeOpener, type TerminalBridge } from "@/lib/console/bridges/bridge";
import { isVmiRunning, readTargetVmi } from "@/lib/console/bridges/vm/vm-target";
import { openVmiStream, type VmiStream } from "@/lib/console/bridges/vm/vmi-stream";
import { ValidationError } from "@/lib/errors";

const NAME = { console: "serial console", vnc: "VNC console" } as const;
/** How long a VMI's phase may lag behind its guest powering off. */
const PHASE_LAG_MS = 1500;

function bridgeOver(ws: WebSocket, ctx: BridgeContext, kind: "console" | "vnc"): TerminalBridge {
  const { events, cluster, kc, locator, target } = ctx;
  let closed = false;
  let ended = false;
  let needDrain = false;

  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary && data.length > 0) events.data(data);
  });
  ws.on("error", () => {
    // "close" follows.
  });
  ws.on("close", (code: number, reasonBytes: Buffer) => {
    if (closed || ended) return;
    ended = true;
    const said = reasonBytes.toString("utf8").trim();
    // A guest that powered itself off closes its streams a moment before its VMI says so: ask twice.
    const stillRunning = async () => {
      if (!isVmiRunning(await readTargetVmi(cluster, kc, locator.namespace, locator.name))) return false;
      await new Promise((resolve) => setTimeout(resolve, PHASE_LAG_MS));
      return isVmiRunning(await readTargetVmi(cluster, kc, locator.namespace, locator.name));
    };
    void stillRunning().then(
      (running) =>
        running
          ? events.end({ reason: "target-closed", clean: code === 1000, message: `The cluster closed the ${NAME[kind]} of ${target.label}${said ? ` (${said})` : ""}.` })
          : events.end({ reason: "vm-gone", message: `The VM ${target.label} stopped; the ${NAME[kind]} has ended.` }),
      () => events.end({ reason: "error", message: `The ${NAME[kind]} of ${target.label} closed and the VM could not be read.` }),
    );
  });

  return {
    write(data) {
      if (ws.readyState !== ws.OPEN) return true;
      ws.send(data, { binary: true }, () => {
        if (needDrain && ws.bufferedAmount < LOW_WATER_MARK) {
          needDrain = false;
          events.drain();
        }
      });
      if (ws.bufferedAmount >= HIGH_WATER_MARK) needDrain = true;
      return !needDrain;
    },
    // A UART has no window size; VNC's size is the guest's framebuffer.
    resize: () => {},
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close() {
      closed = true;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000, "closed by the panel");
      setTimeout(() => ws.readyState !== ws.CLOSED && ws.terminate(), 2000).unref();
    },
  };
}

function requireVmi(ctx: BridgeContext) {
  if (ctx.locator.reach.resource !== "vmi") throw new ValidationError(`A console is only available for VMs, not for this ${ctx.target.kind}.`);
}

/** The VM's serial console (`virtualmachineinstances/<name>/console`). */
export const openSerialBridge: BridgeOpener = async (ctx) => {
  requireVmi(ctx);
  const stream: VmiStream = { kind: "console" };
  return bridgeOver(await openVmiStream(ctx.cluster, ctx.kc, ctx.locator, stream, ctx.keepaliveMs), ctx, "console");
};

/** The VM's VNC console (`virtualmachineinstances/<name>/vnc`), RFB bytes for noVNC. */
export const openVncBridge: BridgeOpener = async (ctx) => {
  requireVmi(ctx);
  const stream: VmiStream = { kind: "vnc", preserveSession: ctx.preserveSession ?? false };
  return bridgeOver(await openVmiStream(ctx.cluster, ctx.kc, ctx.locator, stream, ctx.keepaliveMs), ctx, "vnc");
};
