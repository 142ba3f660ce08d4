// A guest's serial port: one permanent reader on QEMU's chardev socket keeps the last output in a ring
// buffer (so boot output is never lost while nobody watches), and one client at a time is attached —
// a new one replaces the old, as virt-handler does. A new client first gets the buffered output.
import { connect, type Socket } from "node:net";

/** Someone watching the console (a websocket, in the stand-in). */
export interface SerialClient {
  send(bytes: Buffer): void;
  /** Called when another client takes the console over, or the guest goes away. */
  close(reason: string): void;
}

const defaultCapacity = 256 * 1024;

export class SerialPort {
  private chunks: Buffer[] = [];
  private size = 0;
  private client: SerialClient | undefined;
  private waiters: { pattern: RegExp; resolve: () => void }[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly capacity: number,
  ) {
    socket.on("data", (bytes: Buffer) => this.onOutput(bytes));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.client?.close("the guest's serial port closed");
      this.client = undefined;
    });
  }

  static async connect(path: string, capacity = defaultCapacity): Promise<SerialPort> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new SerialPort(socket, capacity);
  }

  /** Everything still in the ring buffer. */
  history(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Attaches `client` (replacing the current one) and sends it the buffered output. */
  attach(client: SerialClient): () => void {
    const previous = this.client;
    this.client = client;
    previous?.close("another client opened the console");
    const history = this.history();
    if (history.length > 0) client.send(history);
    return () => {
      if (this.client === client) this.client = undefined;
    };
  }

  /** Sends bytes to the guest, as typed on its serial line. */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves once the output so far matches `pattern` (for the harness's own waits, e.g. the bench). */
  waitFor(pattern: RegExp): Promise<void> {
    if (pattern.test(this.history().toString("latin1"))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }

  close(): void {
    this.socket.destroy();
  }

  private onOutput(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
    while (this.size > this.capacity && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
    this.client?.send(bytes);
    if (this.waiters.length > 0) {
      const text = this.history().toString("latin1");
      this.waiters = this.waiters.filter((waiter) => (waiter.pattern.test(text) ? (waiter.resolve(), false) : true));
    }
  }
}
