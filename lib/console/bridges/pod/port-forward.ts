// A pod port as a Node Duplex stream, over the port-forward subresource: what ssh2 takes as
// its `sock`, and what the laptop tunnel pipes to. One websocket per connection, no retries
// (a retried connection would splice two TCP streams together mid-protocol).
//
// Flow control is real in both directions: when the reader stops consuming (`push()` returns
// false) the websocket is paused at the TCP level, so the kubelet stops reading the pod's
// socket; writes complete only while the websocket's send buffer is below the high-water mark.
import type { KubeConfig } from "@kubernetes/client-node";
import { Duplex } from "node:stream";
import type WebSocket from "ws";
import { HIGH_WATER_MARK } from "@/lib/console/bridges/bridge";
import { frame, openKubeStream, PortForwardChannel } from "@/lib/console/bridges/pod/kube-stream";
import type { ClusterRef } from "@/lib/kube/transport";

/** The port-forward subresource path for one port. */
export function portForwardPath(namespace: string, pod: string, port: number): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${port}`;
}

/** A connected pod port; `destroy()` closes the websocket. */
class PortForwardStream extends Duplex {
  private readonly portBytesPending = [true, true];
  private waitingWrite: (() => void) | null = null;

  constructor(private readonly ws: WebSocket) {
    super({ allowHalfOpen: false });
    ws.on("message", (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary));
    ws.on("close", () => {
      // End the readable side, and close only once the reader has taken everything: destroying
      // now would drop output still buffered here (the last bytes of an ssh session).
      this.push(null);
      this.releaseWrite();
      if (this.readableEnded) this.destroy();
      else this.once("end", () => this.destroy());
    });
    ws.on("error", (error) => this.destroy(error));
  }

  private onFrame(data: Buffer, isBinary: boolean) {
    if (!isBinary || data.length === 0) return;
    const channel = data[0]!;
    let body = data.subarray(1);
    if (channel > PortForwardChannel.error) return;
    if (this.portBytesPending[channel]) {
      // The first frame of each channel starts with the port number; it may arrive alone.
      this.portBytesPending[channel] = false;
      body = body.subarray(2);
    }
    if (body.length === 0) return;
    if (channel === PortForwardChannel.error) {
      this.destroy(new Error(`port-forward failed: ${body.toString("utf8").trim()}`));
      return;
    }
    if (!this.push(body)) this.ws.pause();
  }

  private releaseWrite() {
    const waiting = this.waitingWrite;
    this.waitingWrite = null;
    waiting?.();
  }

  override _read() {
    if (this.ws.isPaused) this.ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    if (this.ws.readyState !== this.ws.OPEN) return callback(new Error("port-forward closed"));
    this.ws.send(frame(PortForwardChannel.data, chunk), () => {
      if (this.ws.bufferedAmount < HIGH_WATER_MARK) this.releaseWrite();
    });
    if (this.ws.bufferedAmount < HIGH_WATER_MARK) callback();
    else this.waitingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void) {
    // The v4 channel protocol cannot half-close one direction; ending the writable side ends the connection.
    this.ws.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.releaseWrite();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.terminate();
    callback(error);
  }
}

/** Connects to `port` of a pod; rejects with an AppError when the cluster refuses. */
export async function openPortForward(cluster: ClusterRef, kc: KubeConfig, namespace: string, pod: string, port: number): Promise<Duplex> {
  const ws = await openKubeStream(cluster, kc, portForwardPath(namespace, pod, port), `connect to port ${port} of the pod`);
  return new PortForwardStream(ws);
}
