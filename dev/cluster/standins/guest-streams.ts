// The streaming subresources of a VMI, reaching its real guest: websockets with subprotocol
// `plain.kubevirt.io` (raw bytes in binary frames, no channel byte), as virt-api serves them.
//   console          → the guest's serial port (one client at a time; a new one replaces the old, and
//                      first gets the output buffered while nobody watched)
//   vnc              → QEMU's VNC server (RFB passthrough); one viewer at a time, a new one replaces the
//                      old unless it asks `preserveSession=true`, which is refused while one is open
//   portforward/PORT → the guest's TCP port through a loopback host forward of QEMU's user networking
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Guest } from "../guests/qemu";
import { ApiError, refuseUpgrade } from "./http-replies";
import { orNotFound, type Kube } from "./kube";
import { kubevirtGroup, kubevirtVersion, vmiPlural, type VirtualMachineInstance } from "./kubevirt";
import type { VmiGuests } from "./vm-guests";

/** The websocket subprotocol of KubeVirt's console, VNC and port-forward streams. */
export const plainKubevirtProtocol = "plain.kubevirt.io";

export type GuestStream = { kind: "console" } | { kind: "vnc"; preserveSession: boolean } | { kind: "portforward"; port: number };

/** A websocket's frames ↔ a socket's bytes, with backpressure both ways; either side closing closes both. */
function bridge(ws: WebSocket, socket: Socket): void {
  socket.on("data", (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(chunk, { binary: true });
    if (ws.bufferedAmount > 1 << 20) {
      socket.pause();
      const resume = setInterval(() => {
        if (ws.readyState !== ws.OPEN || ws.bufferedAmount < 1 << 18) {
          clearInterval(resume);
          socket.resume();
        }
      }, 10);
    }
  });
  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!socket.write(bytes)) ws.pause();
  });
  socket.on("drain", () => ws.resume());
  socket.on("close", () => ws.readyState === ws.OPEN && ws.close(1000, "stream ended"));
  socket.on("error", () => undefined);
  ws.on("close", () => socket.destroy());
  ws.on("error", () => socket.destroy());
}

export class GuestStreams {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(plainKubevirtProtocol) ? plainKubevirtProtocol : false),
  });
  /** The open VNC viewer of each guest (by `namespace/name`). */
  private readonly vncViewers = new Map<string, WebSocket>();

  constructor(
    private readonly kube: Kube,
    private readonly guests: VmiGuests,
    private readonly log: (line: string) => void,
  ) {}

  /** Handles an upgrade request for a stream of the VMI `namespace/name`. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, namespace: string, name: string, stream: GuestStream): Promise<void> {
    try {
      const guest = await runningGuest(this.kube, this.guests, namespace, name);
      const key = guest.spec.label; // namespace/name: one guest per VMI name at a time
      if (stream.kind === "vnc" && stream.preserveSession && this.vncViewers.get(key)?.readyState === 1) {
        throw new ApiError(503, "Active VNC connection. Request denied.");
      }
      const target = stream.kind === "portforward" ? await guest.forwardedPort(stream.port) : undefined;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (stream.kind === "console") this.console(ws, guest);
        else if (stream.kind === "vnc") this.vnc(ws, guest, key);
        else bridge(ws, connect(target!, "127.0.0.1"));
      });
    } catch (error) {
      refuseUpgrade(socket, error);
    }
  }

  stop(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private console(ws: WebSocket, guest: Guest): void {
    const detach = guest.serial.attach({
      send: (bytes) => ws.readyState === ws.OPEN && ws.send(bytes, { binary: true }),
      close: (reason) => ws.readyState === ws.OPEN && ws.close(1000, reason.slice(0, 120)),
    });
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => guest.serial.write(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)));
    ws.on("close", detach);
    this.log(`console of ${guest.spec.label} opened`);
  }

  private vnc(ws: WebSocket, guest: Guest, key: string): void {
    const previous = this.vncViewers.get(key);
    this.vncViewers.set(key, ws);
    previous?.close(1000, "another VNC viewer connected");
    ws.on("close", () => this.vncViewers.get(key) === ws && this.vncViewers.delete(key));
    bridge(ws, guest.connectVnc());
  }
}

/** The guest of a Running VMI, or the Status virt-api answers (404 no such VMI, 409 not running). */
export async function runningGuest(kube: Kube, guests: VmiGuests, namespace: string, name: string): Promise<Guest> {
  const vmi = (await orNotFound(
    kube.custom.getNamespacedCustomObject({ group: kubevirtGroup, version: kubevirtVersion, namespace, plural: vmiPlural, name }),
  )) as VirtualMachineInstance | undefined;
  if (!vmi) throw ApiError.notFound(vmiPlural, kubevirtGroup, name);
  const guest = guests.get(vmi);
  if (vmi.status?.phase !== "Running" || !guest) throw ApiError.conflict("virtualmachineinstance", kubevirtGroup, name, "VMI is not running");
  return guest;
}
