// One TCP connection carried by a Kubernetes streaming websocket, as a Node Duplex stream: what
// ssh2 takes as its `sock`, and what the laptop tunnel pipes to. The pod port-forward and the
// VMI's portforward differ only in framing (subclasses say how); the rest is shared here.
//
// Flow control is real in both directions: when the reader stops consuming (`push()` returns
// false) the websocket is paused at the TCP level, so the far side stops reading its socket;
// writes complete only while the websocket's send buffer is below the high-water mark.
import { Duplex } from "node:stream";
import type WebSocket from "ws";
import { HIGH_WATER_MARK } from "@/lib/console/bridges/bridge";

export abstract class WebSocketDuplex extends Duplex {
  private waitingWrite: (() => void) | null = null;

  constructor(protected readonly ws: WebSocket) {
    super({ allowHalfOpen: false });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0 || this.destroyed) return;
      const bytes = this.bytesOf(data);
      if (bytes && bytes.length > 0 && !this.push(bytes)) ws.pause();
    });
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

  /** The connection's bytes in one binary frame, if it holds any (it may destroy the stream instead). */
  protected abstract bytesOf(frame: Buffer): Buffer | undefined;

  /** The frame that sends `chunk` of the connection. */
  protected abstract frameOf(chunk: Buffer): Buffer;

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
    this.ws.send(this.frameOf(chunk), { binary: true }, () => {
      if (this.ws.bufferedAmount < HIGH_WATER_MARK) this.releaseWrite();
    });
    if (this.ws.bufferedAmount < HIGH_WATER_MARK) callback();
    else this.waitingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void) {
    // Neither protocol can half-close one direction: ending the writable side ends the connection.
    this.ws.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.releaseWrite();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.terminate();
    callback(error);
  }
}
