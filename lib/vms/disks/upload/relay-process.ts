// The upload relay: a small process of the panel's own (started by relay.ts) that carries
// disk image uploads from the browser's connection to CDI's upload proxy. The panel decides
// everything — who may upload, where to, whether the image is one — then hands it the connection
// with the body still unread; the relay pumps the body (pump.ts), reports how it ended, and
// writes the answer the panel gives it. Moving the bytes here keeps them out of the panel's heap:
// there every 64 KiB chunk is garbage that V8 collects with full collections of a heap holding the
// panel's state, which cost more than the copying itself. It loads Node's modules and the pump
// only, so its heap stays a few MiB.
import type { Socket } from "node:net";
import { STATUS_CODES } from "node:http";
import { finished, Readable } from "node:stream";
import { pumpToUploadProxy } from "./pump";
import type { FromRelay, RelayAnswer, RelayRequest, ToRelay } from "./relay-messages";

/** The request body still to come on the connection: `remaining` bytes after `head`, then its end. Extra bytes are never read. */
class RequestBody extends Readable {
  #remaining: number;
  readonly #socket: Socket;

  constructor(socket: Socket, head: Uint8Array, remaining: number) {
    super({ highWaterMark: 64 * 1024 });
    this.#socket = socket;
    this.#remaining = remaining;
    if (head.length > 0) this.push(Buffer.from(head.buffer, head.byteOffset, head.length));
    if (remaining === 0) {
      this.push(null);
      return;
    }
    socket.on("data", this.#onData);
    socket.on("end", this.#onCut);
    socket.on("close", this.#onCut);
  }

  /** Bytes of the body not read from the connection yet. */
  get unread(): number {
    return this.#remaining;
  }

  override _read(): void {
    this.#socket.resume();
  }

  readonly #onData = (chunk: Buffer) => {
    const part = chunk.length > this.#remaining ? chunk.subarray(0, this.#remaining) : chunk;
    this.#remaining -= part.length;
    const more = this.push(part);
    if (this.#remaining === 0) {
      this.#detach();
      this.push(null);
    } else if (!more) {
      this.#socket.pause();
    }
  };

  readonly #onCut = () => {
    if (this.#remaining === 0) return;
    this.#detach();
    this.destroy(new Error("the connection ended before the whole body arrived"));
  };

  #detach(): void {
    this.#socket.pause();
    this.#socket.off("data", this.#onData);
    this.#socket.off("end", this.#onCut);
    this.#socket.off("close", this.#onCut);
  }
}

const relays = new Map<number, { socket: Socket; body: RequestBody }>();
const report = (message: FromRelay) => process.send?.(message);

function relay(request: RelayRequest, socket: Socket): void {
  // Its failures end the body (RequestBody) or the answer; an 'error' with no listener would end the process.
  socket.on("error", () => {});
  const body = new RequestBody(socket, request.head, request.length - request.head.length);
  body.on("error", () => {});
  relays.set(request.id, { socket, body });
  void pumpToUploadProxy(request.target, body, request.length).then((outcome) => report({ type: "outcome", id: request.id, outcome }));
}

/** An HTTP/1.1 answer with a complete body; the connection closes after it. */
function httpAnswer(answer: RelayAnswer): Buffer {
  const text = Buffer.from(answer.body, "utf8");
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}`];
  for (const [name, value] of Object.entries(answer.headers)) {
    // The panel composes them; a line break would end the header block early.
    if (/^[!#$%&'*+.^`|~\w-]+$/.test(name) && !/[\r\n]/.test(value) && !/^(content-length|connection|transfer-encoding)$/i.test(name)) lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${text.length}`, "Connection: close", "", "");
  return Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), text]);
}

/**
 * Writes the answer, then closes the connection once the browser has sent the rest of its body
 * (read and dropped: after a refusal half-way, a browser whose connection were reset would see a
 * network error instead of the answer saying why).
 */
function answer(message: RelayAnswer): void {
  const entry = relays.get(message.id);
  if (!entry) return;
  relays.delete(message.id);
  const { socket, body } = entry;
  if (socket.destroyed) return;
  socket.write(httpAnswer(message));
  if (body.readableEnded || body.unread === 0) {
    socket.end();
    return;
  }
  finished(body, (error) => (error ? socket.destroy() : socket.end()));
  body.resume();
}

process.on("message", (message: ToRelay, socket?: Socket) => {
  if (message.type === "relay") {
    report({ type: "received", id: message.id });
    if (socket) relay(message, socket);
    else report({ type: "outcome", id: message.id, outcome: { ok: false, source: "cut" } });
  } else if (message.type === "answer") {
    answer(message);
  }
});
// The panel went away: so does this process (and the connections it held).
process.on("disconnect", () => process.exit(0));
report({ type: "ready" });
