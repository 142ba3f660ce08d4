// A VM's TCP port as a Node Duplex stream, over the VMI's `portforward/<port>/tcp` stream: what
// ssh2 takes as its `sock` (the browser ssh terminal) and what the laptop tunnel pipes to. No
// channel bytes (unlike a pod's port-forward): each binary frame is bytes of the one connection.
// Flow control as for pods: a reader that stops consuming pauses the websocket at the TCP level;
// writes complete while the send buffer is below the high-water mark.
import type { KubeConfig } from "@kubernetes/client-node";
import { Duplex } from "node:stream";
import type WebSocket from "ws";
import { HIGH_WATER_MARK, type TargetLocator } from "@/lib/console/bridges/bridge";
import { openVmiStream } from "@/lib/console/bridges/vm/vmi-stream";
import type { ClusterRef } from "@/lib/kube/transport";

class VmiPortStream extends Duplex {
  private waitingWrite: (() => void) | null = null;

  constructor(private readonly ws: WebSocket) {
    super({ allowHalfOpen: false });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary && data.length > 0 && !this.push(data)) ws.pause();
    });
    ws.on("close", () => {
      // End the readable side first; close once the reader has taken everything.
      this.push(null);
      this.releaseWrite();
      if (this.readableEnded) this.destroy();
      else this.once("end", () => this.destroy());
    });
    ws.on("error", (error) => this.destroy(error));
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
    this.ws.send(chunk, { binary: true }, () => {
      if (this.ws.bufferedAmount < HIGH_WATER_MARK) this.releaseWrite();
    });
    if (this.ws.bufferedAmount < HIGH_WATER_MARK) callback();
    else this.waitingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void) {
    this.ws.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.releaseWrite();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.terminate();
    callback(error);
  }
}

/** Connects to `port` of the located VMI; rejects with an AppError when the cluster refuses. */
export async function openVmiPort(cluster: ClusterRef, kc: KubeConfig, locator: TargetLocator, port: number): Promise<Duplex> {
  return new VmiPortStream(await openVmiStream(cluster, kc, locator, { kind: "portforward", port }));
}
